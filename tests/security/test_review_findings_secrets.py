"""Findings of the security review (docs/security.md#security-review-findings) closed in the API: each test failed on
the code before its fix."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.conftest import wait_for


def test_the_history_of_an_order_without_an_execution_is_a_404_not_a_500(world):
    from orders.store import orders
    from shared import ids

    placed = world.order()
    order_id = ids.new_id("ord")
    copy = wait_for(lambda: orders.get(placed["order_id"]), what="the order").model_copy(update={"order_id": order_id})
    orders.create(copy, execution_arn="arn:aws:states:cn-north-1:123456789012:execution:none:" + order_id)
    answer = world.as_supervisor("GET", f"/orders/{order_id}/history")
    assert answer.status == 404 and answer.body["error"]["code"] == "execution_not_found", answer.body
    assert answer.body["error"]["message"] and answer.body["error"]["message_en"]


def test_a_company_document_upload_is_signed_with_its_exact_length_within_a_maximum(world):
    import requests

    pdf = b"%PDF-1.4 licence"
    body = {"kind": "business_licence", "filename": "licence.pdf", "content_type": "application/pdf"}
    created = world.as_dispatcher("POST", "/documents", {**body, "size": len(pdf)})
    assert created.status == 201, created.body
    url, headers = created.body["upload_url"], created.body["headers"]
    assert "content-length" in parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";")
    # Another length than the signed one is refused (S3, and the sandbox's /s3 front, as S3 does)
    assert requests.put(url, data=pdf + b" and much more", headers=headers, timeout=10).status_code == 403
    assert requests.put(url, data=pdf, headers=headers, timeout=10).status_code == 200
    # No length, or more than the maximum, gets no URL at all
    assert world.as_dispatcher("POST", "/documents", body).status == 422
    too_large = world.as_dispatcher("POST", "/documents", {**body, "size": 10 * 1024 * 1024 + 1})
    assert too_large.status == 413 and too_large.body["error"]["code"] == "document_too_large"
    assert too_large.body["error"]["message"] and too_large.body["error"]["message_en"]
