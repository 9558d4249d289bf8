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
