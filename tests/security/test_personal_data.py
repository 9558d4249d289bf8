"""Personal data: a technician sees a resident's phone number only for an order assigned to them and only
while the work is under way; the handlers' log lines never hold a whole phone number (or a bearer token)."""

from __future__ import annotations

import io
import re

import pytest

from tests.workflow.conftest import Observer

RESIDENT_PHONE, TECHNICIAN_PHONE = "13812345678", "15987654321"
WHOLE_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


@pytest.fixture
def observe(sandbox) -> Observer:
    return Observer(sandbox)


def _with_phones(world) -> str:
    from identity.store import accounts

    accounts.put_user(accounts.get_user(world.resident_id).model_copy(update={"phone": RESIDENT_PHONE}))
    tech = world.add_technician()
    accounts.put_user(accounts.get_user(tech).model_copy(update={"phone": TECHNICIAN_PHONE}))
    return tech


def _phone_seen_by(world, user_id: str, role: str, order_id: str):
    result = world.api.call(user_id, role, "GET", f"/orders/{order_id}")
    return result.body.get("resident_phone") if result.status == 200 else result.status


def test_a_technician_sees_the_residents_phone_only_while_working_on_the_order(world, observe):
    tech = _with_phones(world)
    other = world.add_technician(metres_east=900)
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    # Offered, not yet accepted: the technician cannot open the order, and the offer holds no phone
    assert _phone_seen_by(world, tech, "technician", order_id) == 403
    assert all("phone" not in str(o) for o in world.as_technician(tech, "GET", "/offers").body["offers"])
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    # While the work is under way, the assigned technician (and nobody else) sees it
    for step in ("assigned", "en_route", "on_site"):
        if step != "assigned":
            assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": step}).status == 200
        assert _phone_seen_by(world, tech, "technician", order_id) == RESIDENT_PHONE, step
        listed = world.as_technician(tech, "GET", "/orders").body["orders"]
        assert next(o for o in listed if o["order_id"] == order_id)["resident_phone"] == RESIDENT_PHONE
        assert _phone_seen_by(world, other, "technician", order_id) == 403
        for user_id, role in ((world.dispatcher_id, "dispatcher"), (world.supervisor_id, "supervisor")):
            assert _phone_seen_by(world, user_id, role, order_id) is None, role
    # Once the work is done, and after the order closes, never again
    assert (
        world.as_technician(
            tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
        ).status
        == 200
    )
    observe.wait_status(order_id, "completed")
    assert _phone_seen_by(world, tech, "technician", order_id) is None
    assert world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 5}).status == 201
    observe.wait_status(order_id, "closed")
    assert _phone_seen_by(world, tech, "technician", order_id) is None
    listed = world.as_technician(tech, "GET", "/orders").body["orders"]
    assert next(o for o in listed if o["order_id"] == order_id)["resident_phone"] is None


def test_no_log_line_of_the_handlers_holds_a_whole_phone_number(sandbox, world, observe):
    from shared.observability import logger

    tech = _with_phones(world)
    # Given every handler logging at INFO, with its events (POWERTOOLS_LOGGER_LOG_EVENT, as in this sandbox)
    captured = io.StringIO()
    stream, level = logger.registered_handler.setStream(captured), logger.log_level
    logger.setLevel("INFO")
    try:
        # When an order whose description holds the resident's number goes from submission to closing
        order_id = world.order(description=f"客厅灯不亮了，请打电话 {RESIDENT_PHONE} 或 +86 159-8765-4321")["order_id"]
        offer_id = observe.wait_offer(world, tech, order_id)
        assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
        assert world.as_technician(tech, "GET", f"/orders/{order_id}").body["resident_phone"] == RESIDENT_PHONE
        assert (
            world.as_technician(
                tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
            ).status
            == 200
        )
        observe.wait_status(order_id, "completed")
        assert world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 5}).status == 201
        observe.wait_execution(order_id, "SUCCEEDED")
    finally:
        logger.setLevel(level)
        logger.registered_handler.setStream(stream)
    text = captured.getvalue()
    # Then the numbers were logged (in the events), but only masked
    assert order_id in text and "138****5678" in text and "159****4321" in text
    assert not WHOLE_MOBILE.search(text), WHOLE_MOBILE.search(text)
    assert RESIDENT_PHONE not in text and TECHNICIAN_PHONE not in text and "159-8765-4321" not in text
    # and the API events' bearer tokens were masked too
    assert "Bearer «jwt»" in text and not re.search(r"eyJ[\w-]{4,}\.[\w-]{4,}\.", text)
    # and no task token of the order (its offer's, its waits') was logged
    tokens = {sandbox.aws.stored_item(f"ORDER#{order_id}", f"OFFER#{offer_id}")["task_token"]}
    tokens |= {
        sandbox.aws.stored_item(f"ORDER#{order_id}", f"CALLBACK#{step}")["task_token"] for step in ("completion", "rating")
    }
    assert all(len(t) > 20 and t not in text for t in tokens)


def test_the_mask_keeps_the_first_three_and_last_four_digits_and_leaves_other_numbers_alone():
    from shared.observability import mask_personal_data

    assert mask_personal_data("13812345678") == "138****5678"
    assert mask_personal_data("+8613812345678 与 138-1234-5678") == "+86138****5678 与 138****5678"
    assert mask_personal_data("号13812345678。") == "号138****5678。"
    for untouched in ("1732512345678", "110101199003078515", "12345678901", "order ord_01jx2k8d3m"):
        assert mask_personal_data(untouched) == untouched
