"""The sandbox serves the client apps (apps/) under /app/: their content types, and nothing outside apps/."""

from __future__ import annotations

import requests


def test_static_files_are_served_with_their_types_and_nothing_outside(sandbox):
    assert requests.get(f"{sandbox.url}/app/resident/", timeout=10).headers["content-type"].startswith("text/html")
    assert requests.get(f"{sandbox.url}/app/shared/core.js", timeout=10).headers["content-type"].startswith("text/javascript")
    assert requests.get(f"{sandbox.url}/app/shared/base.css", timeout=10).headers["content-type"].startswith("text/css")
    moved = requests.get(f"{sandbox.url}/app/resident", timeout=10, allow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/app/resident/"
    for sneaky in ("/app/../local/sandbox.py", "/app/%2e%2e/local/sandbox.py", "/app/..%2f..%2fpyproject.toml", "/app/x.py"):
        raw = requests.Request("GET", f"{sandbox.url}{sneaky}").prepare()
        raw.url = f"{sandbox.url}{sneaky}"  # keep the dots: no client-side normalisation
        with requests.Session() as s:
            assert s.send(raw, timeout=10).status_code == 404, sneaky


def test_document_links_reach_the_sandboxs_s3_from_a_browser(sandbox):
    # The pre-signed URLs point at the sandbox's own /s3 front (path-style), which a browser reaches
    login = requests.post(f"{sandbox.url}/dev/login", json={"user_id": "disp_jingan"}, timeout=10).json()
    auth = {"Authorization": f"Bearer {login['access_token']}"}
    document = {"kind": "qualification", "filename": "资质证书.pdf", "content_type": "application/pdf", "size": len(b"%PDF-1.4")}
    created = requests.post(f"{sandbox.url}/documents", json=document, headers=auth, timeout=10).json()
    assert created["upload_url"].startswith(f"{sandbox.url}/s3/linli-documents/")
    assert "X-Amz-Signature=" in created["upload_url"]
    assert requests.put(created["upload_url"], data=b"%PDF-1.4", headers=created["headers"], timeout=10).status_code == 200
    path = f"/companies/co_jingan/documents/{created['document_id']}"
    link = requests.get(f"{sandbox.url}{path}", headers=auth, timeout=10).json()["download_url"]
    assert link.startswith(f"{sandbox.url}/s3/") and requests.get(link, timeout=10).content == b"%PDF-1.4"
    # Only a signed link opens it
    assert requests.get(link.split("?", 1)[0], timeout=10).status_code == 403
