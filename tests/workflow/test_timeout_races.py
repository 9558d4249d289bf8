"""A person's answer arriving just as the workflow's wait for it runs out, made exact: the answer is sent (through
the API) at the moment the timeout path issues its status write, after the wait has timed out and before the write
is applied. The API's write lands first, so the timeout's conditional write loses; the workflow must then go on
from the order's real status, never fail while the order goes on (the soak found bills and dispatches left with a
FAILED StatusConflict execution: nothing would ever close those orders).

The answer is sent from a DynamoDB fault predicate (local.runtime.DynamoDBFaults) that never fails the call: it
runs in the execution's own thread, under the sandbox's DynamoDB lock (re-entrant), exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import wait_for
from tests.prices_flow import LAMP, LAMP_TOTAL, WIRE, WIRE_TOTAL, make_paid


def answer_as_the_wait_runs_out(faults, order_id: str, writes_status: str, answer: Callable[[], Any]) -> list:
    """Call `answer()` just before the workflow's own write of `writes_status` to this order (the timeout path's
    write), then let that write go ahead. Returns a list that holds the answer's result once it was sent."""
    sent: list = []

    def when(call) -> bool:
        if sent or not call.from_workflow or order_id not in call.order_ids():
            return False
        if call.params.get("ExpressionAttributeValues", {}).get(":status") != {"S": writes_status}:
            return False
        sent.append(None)  # first: the answer's own DynamoDB calls come through here too
        try:
            sent[0] = answer()
        except Exception as failed:  # noqa: BLE001 (kept for the test to report, not swallowed)
            sent[0] = failed
        return False  # never a fault: the workflow's write goes ahead, after the answer's

    faults.dynamodb("UpdateItem", 1, when=when)
    return sent


def _sent(sent: list, what: str) -> Any:
    # Two waits, so that a failure says which part did not happen: the workflow's write, or the answer
    wait_for(lambda: sent, what=f"the workflow's timeout write that sends {what}")
    wait_for(lambda: sent[0] is not None, what=f"{what} to be answered")
    if isinstance(sent[0], Exception):
        raise AssertionError(f"{what} failed: {sent[0]!r}") from sent[0]
    return sent[0]


# A line beyond the quote (a paying compound's bill then waits for the resident's consent)
EXTRA = {**LAMP, "reason": "灯具内部烧毁，建议整灯更换"}


def _ordered(world, *, paid: bool = False) -> tuple[str, str]:
    if paid:
        make_paid(world)
    tech = world.technicians[0] if world.technicians else world.add_technician()
    return world.order()["order_id"], tech


def _accept(world, observe, order_id: str, tech: str) -> None:
    """Accept the offer: the completion wait (and its timeout) begins; arm the answer before this."""
    offer_id = observe.wait_offer(world, tech, order_id)
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200


def _reaches(observe, order_id: str, state: str) -> None:
    """Wait until the execution is in `state`; fail at once, with its error, if the execution ended instead."""

    def there() -> bool:
        if observe.states_entered(order_id)[-1] == state:
            return True
        if observe.execution_status(order_id) != "RUNNING":
            last = observe.history(order_id)[-1]
            raise AssertionError(f"the execution ended before {state}: {last['type']} {last.get('executionFailedEventDetails')}")
        return False

    wait_for(there, what=f"the execution to reach {state}")


def _rate_and_close(world, observe, order_id: str) -> None:
    _reaches(observe, order_id, "AwaitRating")
    assert world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 5}).status == 201
    observe.wait_status(order_id, "closed")
    observe.wait_execution(order_id, "SUCCEEDED")


def _finish(world, observe, order_id: str, tech: str) -> None:
    _reaches(observe, order_id, "AwaitCompletion")
    assert (
        world.as_technician(
            tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
        ).status
        == 200
    )
    _rate_and_close(world, observe, order_id)


def test_a_bill_as_the_completion_wait_runs_out_goes_on_to_the_rating(world, observe, faults, timeouts):
    timeouts(completion=2)
    order_id, tech = _ordered(world)
    # When the technician's bill (within the quote) arrives as the completion wait times out
    billed = answer_as_the_wait_runs_out(
        faults,
        order_id,
        "escalated",
        lambda: world.as_technician(
            tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
        ),
    )
    _accept(world, observe, order_id, tech)
    assert _sent(billed, "the bill").status == 200
    # Then the overdue escalation loses, the order stays completed, and the workflow waits for the rating
    _rate_and_close(world, observe, order_id)
    stored = observe.order(order_id)
    assert "escalated" not in [t.status for t in stored.timeline] and stored.rating_stars == 5
    entered = observe.states_entered(order_id)
    assert entered[entered.index("AwaitCompletion") :] == [
        "AwaitCompletion",
        "CompletionOverdue",
        "MarkEscalated",
        "ReadOrderStatus",
        "ContinueFromStatus",
        "BilledMeanwhile",
        "BillNeedsApproval",
        "AwaitRating",
        "CloseOrder",
        "Closed",
    ]


def test_a_bill_beyond_the_quote_as_the_completion_wait_runs_out_waits_for_consent(world, observe, faults, timeouts):
    timeouts(completion=2)
    order_id, tech = _ordered(world, paid=True)
    billed = answer_as_the_wait_runs_out(
        faults,
        order_id,
        "escalated",
        lambda: world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [WIRE, EXTRA]}),
    )
    _accept(world, observe, order_id, tech)
    assert _sent(billed, "the bill").body["status"] == "awaiting_approval"
    # Then the workflow waits for the resident's consent, as it would have for a bill on time
    _reaches(observe, order_id, "AwaitApproval")
    assert world.as_resident("POST", f"/orders/{order_id}/approval", {"decision": "approve"}).status == 200
    _rate_and_close(world, observe, order_id)
    stored = observe.order(order_id)
    assert stored.approval_outcome == "approved" and stored.bill_total == WIRE_TOTAL + LAMP_TOTAL


def test_a_supervisors_dispatch_as_the_escalation_runs_out_goes_on_to_the_work(world, observe, faults, timeouts):
    timeouts(escalation=2)
    tech = world.add_technician(on_duty=False)  # nobody on duty: escalated, then dispatched by hand
    order_id = world.order()["order_id"]
    dispatched = answer_as_the_wait_runs_out(
        faults,
        order_id,
        "cancelled",
        lambda: world.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech}),
    )
    assert _sent(dispatched, "the dispatch").status == 200
    # Then the order is not cancelled as unfulfilled: the technician does the work and it closes
    _finish(world, observe, order_id, tech)
    assert "cancelled" not in [t.status for t in observe.order(order_id).timeline]
    assert {"MarkUnfulfilled", "ReadOrderStatus"} <= set(observe.states_entered(order_id))


def test_a_companys_dispatch_as_its_wait_runs_out_is_not_overwritten_by_the_escalation(world, observe, faults, timeouts):
    timeouts(dispatch=2)
    tech = world.add_technician(on_duty=False)
    order_id = world.order("public_area", place="3号楼楼道灯")["order_id"]
    dispatched = answer_as_the_wait_runs_out(
        faults,
        order_id,
        "escalated",
        lambda: world.as_dispatcher("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech}),
    )
    assert _sent(dispatched, "the dispatch").status == 200
    # Then the company's technician keeps the order (it is not escalated from under him) and finishes it
    _finish(world, observe, order_id, tech)
    stored = observe.order(order_id)
    assert stored.technician_id == tech and stored.escalation_reason is None
    assert "escalated" not in [t.status for t in stored.timeline]
    assert {"MarkReportEscalated", "ReadOrderStatus"} <= set(observe.states_entered(order_id))


def test_an_approval_as_its_wait_runs_out_is_kept(world, observe, faults, timeouts):
    timeouts(approval=2)
    order_id, tech = _ordered(world, paid=True)
    _accept(world, observe, order_id, tech)
    approved = answer_as_the_wait_runs_out(
        faults,
        order_id,
        "completed",
        lambda: world.as_resident("POST", f"/orders/{order_id}/approval", {"decision": "approve"}),
    )
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [WIRE, EXTRA]}).status == 200
    assert _sent(approved, "the approval").status == 200
    _rate_and_close(world, observe, order_id)
    stored = observe.order(order_id)
    assert stored.approval_outcome == "approved" and stored.bill_total == WIRE_TOTAL + LAMP_TOTAL
    assert [t.status for t in stored.timeline].count("completed") == 1


def test_a_rating_as_its_wait_runs_out_is_kept_and_the_order_closes(world, observe, faults, timeouts):
    timeouts(rating=2)
    order_id, tech = _ordered(world)
    _accept(world, observe, order_id, tech)
    rated = answer_as_the_wait_runs_out(
        faults, order_id, "closed", lambda: world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 4})
    )
    assert (
        world.as_technician(
            tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
        ).status
        == 200
    )
    assert _sent(rated, "the rating").status == 201
    observe.wait_execution(order_id, "SUCCEEDED")
    stored = observe.order(order_id)
    assert stored.status == "closed" and stored.rating_stars == 4
    assert [t.status for t in stored.timeline][-2:] == ["rated", "closed"]


def test_an_accept_as_the_offer_runs_out_either_wins_or_is_refused_never_both(world, observe, faults, timeouts):
    timeouts(offer=2)
    from matching.store import offers

    tech = world.add_technician()
    # The offer's timeout path is a task (ExpireOffer), not a status write: answer just before it runs (armed
    # before the order: on a loaded machine its 2 s may be over before the test has seen the offer)
    sent: list = []

    def when(event: dict) -> bool:
        if not sent and world.owns_order(event):
            [offer] = offers.for_order(event["order_id"])
            sent.append((offer.offer_id, world.as_technician(tech, "POST", f"/offers/{offer.offer_id}/accept")))
        return False

    faults.handler("ExpireOffer", 1, when=when)
    order_id = world.order()["order_id"]
    offer_id, accepted = _sent(sent, "the accept")

    if accepted.status == 200:  # in time (its offer's expiry is a moment after the wait's): the order is his
        wait_for(lambda: "AwaitCompletion" in observe.states_entered(order_id), what="the completion wait")
        assert offers.get(offer_id).status == "accepted" and observe.order(order_id).technician_id == tech
        _finish(world, observe, order_id, tech)
    else:  # too late: refused, the offer expired, and the order went on without him
        assert accepted.status == 409 and accepted.body["error"]["code"] == "offer_not_open"
        observe.wait_status(order_id, "escalated")  # ExpireOffer ran after the refused accept, then nobody was left
        assert offers.get(offer_id).status == "expired"
        assert observe.order(order_id).technician_id is None
        assert observe.execution_status(order_id) == "RUNNING"
