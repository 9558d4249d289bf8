"""The consent path of the order lifecycle (issue 4), one test per path, on the real ASL in moto:
a bill within the quote completes at once; a line beyond it waits for the resident, who approves,
rejects, or does not answer in time (treated as a rejection)."""

from __future__ import annotations

from tests.conftest import wait_for
from tests.prices_flow import LAMP_TOTAL, WIRE, WIRE_TOTAL, bill, make_paid, order_on_site, with_extra_lamp

BEFORE_BILL = ["RouteByOrderType", "MarkMatching", "SelectCandidate", "CandidateFound", "OfferToTechnician", "OfferAnswered"]


def _awaiting_consent(world, observe, *, short_timeout: bool = False) -> tuple[str, str]:
    make_paid(world)
    order_id, tech = order_on_site(world)
    proposed = with_extra_lamp(world, tech, order_id)
    # The resident sees each extra line with its reason and photo; only the quoted line is charged so far
    extra = proposed["extra_lines"][0]
    assert (extra["item_id"], extra["beyond_quote"], extra["decision"]) == ("elec_ceiling_lamp", "not_in_quote", None)
    assert extra["reason"] and extra["photo_ref"].startswith("pho_")
    assert proposed["bill_total"] == WIRE_TOTAL and proposed["extra_total"] == LAMP_TOTAL
    if not short_timeout:  # with a 1 s approval timeout the wait may be over before we look
        observe.wait_status(order_id, "awaiting_approval")
        wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitApproval", what="the approval wait")
    return order_id, tech


def test_bill_within_the_quote_completes_at_once(world, observe):
    # Given a paying compound and the technician at the door of "the light does not work"
    make_paid(world)
    order_id, tech = order_on_site(world)
    # When the bill holds only what the quote expected (reconnecting the wire)
    done = bill(world, tech, order_id, WIRE)
    # Then the order is completed at once with the itemised line, and no consent is asked
    assert done.status == 200 and done.body["status"] == "completed", done.body
    stored = observe.wait_status(order_id, "completed")
    assert stored.bill_total == WIRE_TOTAL and [line.item_id for line in stored.bill] == ["elec_wire_reconnect"]
    assert stored.extra_lines == [] and stored.completed_at
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitRating", what="the rating wait")
    assert observe.states_entered(order_id) == BEFORE_BILL + ["AwaitCompletion", "BillNeedsApproval", "AwaitRating"]


def test_extra_line_waits_then_approved_completes_with_it(world, observe):
    order_id, _ = _awaiting_consent(world, observe)
    # When the resident approves the extra line
    approved = world.as_resident("POST", f"/orders/{order_id}/approval", {"decision": "approve"})
    assert approved.status == 200, approved.body
    # Then the order completes with it charged
    stored = observe.wait_status(order_id, "completed")
    assert stored.bill_total == WIRE_TOTAL + LAMP_TOTAL and stored.approval_outcome == "approved"
    assert [line.item_id for line in stored.bill] == ["elec_wire_reconnect", "elec_ceiling_lamp"]
    assert stored.extra_lines[0].decision == "approved" and stored.approval_by == world.resident_id
    assert [t.status for t in stored.timeline][-2:] == ["awaiting_approval", "completed"]
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitRating", what="the rating wait")
    entered = observe.states_entered(order_id)
    assert entered[-4:] == ["AwaitCompletion", "BillNeedsApproval", "AwaitApproval", "AwaitRating"]


def test_extra_line_rejected_completes_without_it(world, observe):
    order_id, _ = _awaiting_consent(world, observe)
    # When the resident rejects the extra line (per line)
    line_id = observe.order(order_id).extra_lines[0].line_id
    rejected = world.as_resident("POST", f"/orders/{order_id}/approval", {"lines": [{"line_id": line_id, "decision": "reject"}]})
    assert rejected.status == 200, rejected.body
    # Then only the quoted line is charged, and the rejected line stays on record
    stored = observe.wait_status(order_id, "completed")
    assert stored.bill_total == WIRE_TOTAL and [line.item_id for line in stored.bill] == ["elec_wire_reconnect"]
    assert stored.approval_outcome == "rejected" and stored.extra_lines[0].decision == "rejected"
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitRating", what="the rating wait")
    assert "MarkCompletedWithoutExtras" not in observe.states_entered(order_id)


def test_approval_timeout_is_treated_as_rejected(world, observe, timeouts):
    timeouts(approval=1)
    order_id, _ = _awaiting_consent(world, observe, short_timeout=True)
    # When nobody answers in time, Then the order completes charging only the quoted line
    stored = observe.wait_status(order_id, "completed")
    assert stored.approval_outcome == "timed_out" and stored.bill_total == WIRE_TOTAL
    assert [line.item_id for line in stored.bill] == ["elec_wire_reconnect"] and stored.extra_lines[0].decision is None
    assert stored.timeline[-1].actor == "workflow" and "timed_out" in stored.timeline[-1].note
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitRating", what="the rating wait")
    entered = observe.states_entered(order_id)
    assert entered[-4:] == ["AwaitApproval", "ApprovalTimedOut", "MarkCompletedWithoutExtras", "AwaitRating"]
    assert any(e["type"] == "TaskTimedOut" for e in observe.history(order_id))
    # And a late answer changes nothing
    late = world.as_resident("POST", f"/orders/{order_id}/approval", {"decision": "approve"})
    assert late.status == 409 and late.body["error"]["code"] == "invalid_status"
    assert observe.order(order_id).bill_total == WIRE_TOTAL
