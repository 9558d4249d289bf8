"""Findings of the security review (docs/security.md#security-review-findings) closed in the API: each test failed on
the code before its fix."""

from __future__ import annotations

from tests.conftest import wait_for


def test_the_history_of_an_order_without_an_execution_is_a_404_not_a_500(world):
    from shared import ids
    from shared.dal import orders

    placed = world.order()
    order_id = ids.new_id("ord")
    copy = wait_for(lambda: orders.get(placed["order_id"]), what="the order").model_copy(update={"order_id": order_id})
    orders.create(copy, execution_arn="arn:aws:states:cn-north-1:123456789012:execution:none:" + order_id)
    answer = world.as_supervisor("GET", f"/orders/{order_id}/history")
    assert answer.status == 404 and answer.body["error"]["code"] == "execution_not_found", answer.body
    assert answer.body["error"]["message"] and answer.body["error"]["message_en"]
