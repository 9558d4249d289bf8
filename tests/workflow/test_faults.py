"""Orders under DynamoDB faults (local.runtime.DynamoDBFaults): within the retry policy every order completes,
exactly once; beyond it, the order ends escalated with its reason, in the supervisors' lists, and they are told.

The policy, per layer (docs/reliability.md): a DynamoDB call made by a function is tried 4 times by botocore
(PynamoDB's standard retry mode); a workflow task whose call still fails raises TransientError, which the state
machine retries 3 more times; a direct DynamoDB write of the state machine is tried 4 times by its Retry; an
API call answers 503 after the SDK's 4 attempts, and the client tries again (with its Idempotency-Key)."""

from __future__ import annotations

import pytest

from local.runtime import DynamoDBError
from tests.conftest import AUDIT_LAG_SECONDS, wait_for
from tests.integration.test_notifications_and_webhooks import events_on_tap, tap_the_bus

pytestmark = pytest.mark.reliability  # make reliability (CI runs it after make test)

SDK_RETRIES = 3  # botocore standard mode, 4 attempts (PynamoDB's default max_retry_attempts)
ASL_RETRIES = 3  # MaxAttempts of every Retry in the ASL
OPERATIONS = ("GetItem", "Query", "PutItem", "UpdateItem", "TransactWriteItems")
# The state machine's Retry on its direct DynamoDB writes lists throttling and server errors; a timeout there
# is no SDK error the ASL can name (moto reports DynamoDB.AmazonDynamoDBException) and is not retried.
RETRIED_BY_THE_WORKFLOW = {DynamoDBError.THROTTLED, DynamoDBError.THROTTLING, DynamoDBError.SERVER_ERROR}
CLOSED_TIMELINE = ["submitted", "matching", "offered", "assigned", "en_route", "on_site", "completed", "rated", "closed"]
EVENT_TYPES = {f"order.{s}" for s in CLOSED_TIMELINE if s != "matching"} | {"offer.created"}


def _arm(faults, world, error: DynamoDBError, fired: dict[str, int]) -> None:
    """Every DynamoDB operation on this world's order fails SDK_RETRIES times (each call at most that often:
    within the SDK's retries), and so do the state machine's own writes where its Retry covers the error.
    `fired` counts, per operation, the failures the previous step's faults caused."""
    for fault in faults.armed:
        fired[fault.operation] = fired.get(fault.operation, 0) + fault.fired
    faults.clear()
    for operation in OPERATIONS:
        faults.dynamodb(operation, SDK_RETRIES, error=error, when=lambda c: not c.from_workflow and world.owns_order_call(c))
    if error in RETRIED_BY_THE_WORKFLOW:
        faults.dynamodb("UpdateItem", ASL_RETRIES, error=error, when=lambda c: c.from_workflow and world.owns_order_call(c))


def _ok(result, status: int = 200):
    assert result.status == status, result.body
    return result.body


@pytest.mark.parametrize("error", [DynamoDBError.THROTTLED, DynamoDBError.SERVER_ERROR, DynamoDBError.RESPONSE_LOST])
def test_an_order_completes_exactly_once_through_faults_within_the_retry_policy(sandbox, world, observe, faults, error):
    tap = tap_the_bus(sandbox)
    tech = world.add_technician()
    # Given every DynamoDB call of the order failing, at each step, as often as its layer retries
    fired: dict[str, int] = {}
    _arm(faults, world, error, fired)
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    _arm(faults, world, error, fired)
    _ok(world.as_technician(tech, "POST", f"/offers/{offer_id}/accept"))
    observe.wait_status(order_id, "assigned")
    _arm(faults, world, error, fired)
    for step in ("en_route", "on_site"):
        _ok(world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": step}))
    line = {"item_id": "elec_wire_reconnect", "parts": [{"part_id": "wire_connector", "quantity": 2}]}
    _ok(world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [line]}))
    observe.wait_status(order_id, "completed")
    _arm(faults, world, error, fired)
    _ok(world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 4}), 201)
    observe.wait_execution(order_id, "SUCCEEDED")
    _arm(faults, world, error, fired)
    faults.clear()

    # Then the faults did happen, to every operation, and the order went through every status exactly once
    assert set(fired) == set(OPERATIONS) and all(fired.values()), fired
    stored = observe.order(order_id)
    assert [t.status for t in stored.timeline] == CLOSED_TIMELINE
    assert stored.technician_id == tech and stored.rating_stars == 4 and len(stored.bill) == 1
    from matching.store import offers

    assert [o.status for o in offers.for_order(order_id)] == ["accepted"]
    assert "TaskFailed" not in observe.states_entered(order_id)
    # one event per change (a retried stream batch may deliver one twice, with the same id: consumers de-duplicate)
    seen: list[dict] = []
    wait_for(
        lambda: seen.extend(events_on_tap(sandbox, tap, order_id)) or {e["type"] for e in seen} >= EVENT_TYPES, what="events"
    )
    ids_by_type = {t: {e["event_id"] for e in seen if e["type"] == t} for t in EVENT_TYPES}
    assert {t: len(ids) for t, ids in ids_by_type.items()} == dict.fromkeys(EVENT_TYPES, 1)
    # and the audit chain (one entry per event id) holds each once and verifies
    audit = wait_for(
        lambda: (
            (a := world.as_supervisor("GET", f"/orders/{order_id}/audit").body)
            and {e["kind"] for e in a["entries"]} >= EVENT_TYPES
            and a
        ),
        what="the audit chain",
        timeout=AUDIT_LAG_SECONDS,
    )
    assert sorted(e["kind"] for e in audit["entries"]) == sorted(EVENT_TYPES) and audit["verification"]["valid"]


def test_a_workflow_tasks_outage_beyond_the_sdk_retries_is_retried_by_the_state_machine(sandbox, world, observe, faults):
    tech = world.add_technician()
    # Given the candidate search's read of the order's offers failing once more than the SDK retries
    fault = faults.dynamodb(
        "Query", SDK_RETRIES + 2, error=DynamoDBError.THROTTLED, when=lambda c: not c.from_workflow and world.owns_order_call(c)
    )
    order_id = world.order()["order_id"]
    # Then the task fails once as TransientError, the state machine runs it again, and the order goes on
    assert observe.wait_offer(world, tech, order_id)
    assert fault.fired == SDK_RETRIES + 2
    failed = [e["taskFailedEventDetails"] for e in observe.history(order_id) if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failed] == ["TransientError"] and "ProvisionedThroughputExceeded" in failed[0]["cause"]
    assert "MarkEscalated" not in observe.states_entered(order_id)


def _supervisor_sees_the_fault(world, observe, order_id: str, error_name: str) -> None:
    """The order is escalated with its reason, in the supervisors' lists; they were told; the execution waits
    for a manual dispatch, with a deadline; its history names the error."""
    escalated = observe.wait_status(order_id, "escalated")
    assert escalated.escalation_reason == "task_failed"
    listed = _ok(world.as_supervisor("GET", "/orders?status=escalated"))["orders"]
    assert any(o["order_id"] == order_id and o["escalation_reason"] == "task_failed" for o in listed)
    stuck = _ok(world.as_supervisor("GET", "/supervision/stuck"))["orders"]
    assert any(o["order_id"] == order_id and o["escalation_reason"] == "task_failed" for o in stuck)
    wait_for(
        lambda: any(
            m["order_id"] == order_id and m["kind"] == "order.escalated_fault"
            for m in world.as_supervisor("GET", "/messages").body["messages"]
        ),
        what="the supervisors' alert",
    )
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitManualDispatch", what="the manual-dispatch wait")
    history = _ok(world.as_supervisor("GET", f"/orders/{order_id}/history"))["events"]
    failures = [e["details"]["taskFailedEventDetails"] for e in history if e["type"] == "TaskFailed"]
    assert failures and all(f["error"] == error_name for f in failures)


def test_a_workflow_task_failing_beyond_every_retry_escalates_the_order_and_alerts_the_supervisors(
    sandbox, world, observe, faults
):
    tech = world.add_technician()
    # Given the candidate search's reads failing for longer than both layers retry (4 × 4 attempts)
    fault = faults.dynamodb(
        "Query", 10**6, error=DynamoDBError.SERVER_ERROR, when=lambda c: not c.from_workflow and world.owns_order_call(c)
    )
    order_id = world.order()["order_id"]
    _supervisor_sees_the_fault(world, observe, order_id, "TransientError")
    assert fault.fired == (SDK_RETRIES + 1) * (ASL_RETRIES + 1)
    # When DynamoDB is back and a supervisor dispatches the order by hand, it goes on
    faults.clear()
    _ok(world.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech}))
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitCompletion", what="the completion wait")


def test_a_status_write_failing_beyond_the_state_machines_retries_escalates_the_order(sandbox, world, observe, faults):
    world.add_technician()
    # Given the state machine's first write (the order is being matched) throttled for longer than its Retry
    fault = faults.dynamodb(
        "UpdateItem", ASL_RETRIES + 1, error=DynamoDBError.THROTTLING, when=lambda c: c.from_workflow and world.owns_order_call(c)
    )
    order_id = world.order()["order_id"]
    _supervisor_sees_the_fault(world, observe, order_id, "DynamoDB.ThrottlingException")
    assert fault.fired == ASL_RETRIES + 1 and "MarkMatching" in observe.states_entered(order_id)


def test_an_api_call_failing_beyond_the_sdk_retries_answers_503_changes_nothing_and_can_be_retried(
    sandbox, world, observe, faults
):
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    # Given the accept's transaction failing once more than the SDK retries it (the offer's; not the audit log's,
    # whose consumer appends this order's events meanwhile)
    accepts = f"OFFER#{offer_id}"
    faults.dynamodb("TransactWriteItems", SDK_RETRIES + 1, error=DynamoDBError.SERVER_ERROR, when=lambda c: c.touches(accepts))

    def accept():
        return world.api.call(tech, "technician", "POST", f"/offers/{offer_id}/accept", headers={"Idempotency-Key": "acc-1"})

    # Then the technician is told to try again shortly, and nothing changed
    busy = accept()
    assert busy.status == 503 and busy.body["error"]["code"] == "service_unavailable"
    assert observe.order(order_id).status == "offered"
    # And the same request again (same key: a server error is not remembered) takes the order
    assert _ok(accept())["status"] == "accepted"
    observe.wait_status(order_id, "assigned")


def test_a_manual_dispatch_wait_that_keeps_failing_is_tried_again_then_the_order_is_unfulfilled(world, observe, faults, timeouts):
    timeouts(dispatch_wait_retry=1)
    # Given nobody on duty (the order is escalated) and every registration of its manual-dispatch wait failing
    fault = faults.handler("AwaitDispatch", 10**6, when=world.owns_order)
    order_id = world.order()["order_id"]
    # Then the wait is tried again three times, apart, and the order is cancelled as unfulfilled: it does not loop
    # through TaskFailed and the escalation again until the execution's history is full
    cancelled = observe.wait_status(order_id, "cancelled", timeout=180)
    assert cancelled.cancel_reason == "no_technician_available"
    observe.wait_execution(order_id, "FAILED")
    entered = observe.states_entered(order_id)
    assert entered.count("AwaitManualDispatch") == 4 and entered.count("WaitBeforeDispatchWaitRetry") == 3
    assert entered.count("MarkEscalated") == 1 and "TaskFailed" not in entered
    assert fault.fired == 4 * (ASL_RETRIES + 1)
