"""Static checks on the one ASL file that CDK deploys and the sandbox and tests execute."""

from __future__ import annotations

import json
import re

import pytest

from deploy.catalog import Trigger, by_trigger
from orders.domain.steps import Step
from statemachines import ORDER_LIFECYCLE_ASL as ASL_PATH
from statemachines import PLACEHOLDER, substitute

ASL = json.loads(ASL_PATH.read_text(encoding="utf-8"))
STATES = ASL["States"]
TASKS = {name: s for name, s in STATES.items() if s["Type"] == "Task"}
CALLBACKS = {name: s for name, s in TASKS.items() if s["Resource"].endswith(".waitForTaskToken")}
LAMBDA_TASKS = {name: s for name, s in TASKS.items() if ":lambda:" in s["Resource"]}


def test_the_start_state_and_every_transition_target_exist():
    assert ASL["StartAt"] in STATES
    for name, state in STATES.items():
        targets = (
            [state.get("Next"), state.get("Default")]
            + [c["Next"] for c in state.get("Choices", [])]
            + [c["Next"] for c in state.get("Catch", [])]
        )
        for target in filter(None, targets):
            assert target in STATES, f"{name} → {target}"


def test_every_state_is_reachable():
    seen, todo = set(), [ASL["StartAt"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        state = STATES[name]
        todo += [t for t in [state.get("Next"), state.get("Default")] if t]
        todo += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
    assert seen == set(STATES)


@pytest.mark.parametrize("name", sorted(CALLBACKS))
def test_every_callback_has_a_timeout_from_the_input_and_a_path_for_it(name):
    state = CALLBACKS[name]
    assert state["TimeoutSecondsPath"].startswith("$.timeouts."), "timeouts come from the execution input"
    assert any("States.Timeout" in c["ErrorEquals"] for c in state["Catch"])
    assert state["Parameters"]["Payload"]["task_token.$"] == "$$.Task.Token"


@pytest.mark.parametrize("name", sorted(LAMBDA_TASKS))
def test_every_lambda_task_retries_transient_errors_and_catches_the_rest(name):
    state = LAMBDA_TASKS[name]
    errors = {e for r in state["Retry"] for e in r["ErrorEquals"]}
    assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException", "TransientError"} <= errors
    assert all(r["MaxAttempts"] >= 2 and r["BackoffRate"] > 1 for r in state["Retry"])
    assert any("States.ALL" in c["ErrorEquals"] for c in state["Catch"])


def test_status_writes_are_direct_dynamodb_integrations_with_a_condition():
    writes = {n: s for n, s in TASKS.items() if s["Resource"] == "arn:aws:states:::dynamodb:updateItem"}
    assert set(writes) == {
        "MarkMatching",
        "MarkEscalated",
        "MarkReportEscalated",
        "MarkUnfulfilled",
        "CloseOrder",
        "MarkCompletedWithoutExtras",
    }
    for state in writes.values():
        assert "ConditionExpression" in state["Parameters"] and state["Retry"]
        # every status write records a timeline entry with the same status
        assert "timeline = list_append(" in state["Parameters"]["UpdateExpression"]
        values = state["Parameters"]["ExpressionAttributeValues"]
        assert values[":entry"]["L"][0]["M"]["status"] == values[":status"]


@pytest.mark.parametrize("name", sorted(n for n, s in CALLBACKS.items() if "step" in s["Parameters"]["Payload"]))
def test_every_wait_tells_its_registration_when_it_began_and_its_timeout_so_its_deadline_can_be_warned(name):
    from orders.service.waits import WaitIn

    state = CALLBACKS[name]
    payload = state["Parameters"]["Payload"]
    assert payload["timeout_seconds.$"] == state["TimeoutSecondsPath"], "the deadline is the wait's own timeout"
    assert payload["entered_at.$"] == "$$.State.EnteredTime", "counted from when the state was entered"
    assert _payload_keys(name) == set(WaitIn.model_fields)


def test_every_callback_step_is_one_the_api_knows_how_to_satisfy():
    from orders.domain.steps import SATISFIED_BY

    steps = {s["Parameters"]["Payload"]["step"] for s in CALLBACKS.values() if "step" in s["Parameters"]["Payload"]}
    assert steps == set(SATISFIED_BY) == set(Step)


def test_a_bill_beyond_the_quote_waits_for_consent_and_no_answer_charges_only_the_quote():
    # Given the completion wait, its answer decides whether the resident must consent
    assert STATES["AwaitCompletion"]["Next"] == "BillNeedsApproval"
    choice = STATES["BillNeedsApproval"]
    assert choice["Choices"][0]["Next"] == "AwaitApproval" and choice["Default"] == "AwaitRating"
    assert {"Variable": "$.completion.status", "IsPresent": True} in choice["Choices"][0]["And"]
    # The consent wait has its own timeout; a timeout or a failure completes with only the quoted lines
    wait = STATES["AwaitApproval"]
    assert wait["Parameters"]["Payload"]["step"] == Step.APPROVAL
    assert wait["TimeoutSecondsPath"] == "$.timeouts.approval_seconds" and wait["Next"] == "AwaitRating"
    by_error = {c["ErrorEquals"][0]: STATES[c["Next"]] for c in wait["Catch"]}
    assert by_error["States.Timeout"]["Result"] == "timed_out" and by_error["States.ALL"]["Result"] == "task_failed"
    assert {s["Next"] for s in by_error.values()} == {"MarkCompletedWithoutExtras"}
    write = STATES["MarkCompletedWithoutExtras"]["Parameters"]
    assert write["ConditionExpression"] == "#status IN (:from0)"
    assert write["ExpressionAttributeValues"][":from0"] == {"S": "awaiting_approval"}
    # A decision that came first (the condition fails) is not a conflict: the order goes on to rating
    assert STATES["MarkCompletedWithoutExtras"]["Catch"][0]["Next"] == "AwaitRating"


def test_every_placeholder_is_substituted_by_the_sandbox():
    text = ASL_PATH.read_text(encoding="utf-8")
    names = set(PLACEHOLDER.findall(text))
    assert names == {"TableName"} | {f.asl_placeholder for f in by_trigger(Trigger.WORKFLOW)}
    values = {n: f"value-of-{n}" for n in names}
    assert not re.search(r"\$\{\w+\}", substitute(text, values))
    with pytest.raises(ValueError):
        substitute(text, {"TableName": "t"})


def test_task_tokens_never_reach_a_log_line():
    # The offer and callback handlers, and the stream handler (offer images), never log their event, even when
    # an operator turns event logging on (POWERTOOLS_LOGGER_LOG_EVENT); tests/security checks the log lines.
    from pathlib import Path

    for handler in (
        "functions/matching/handlers/offer_to_technician.py",
        *(f"functions/orders/handlers/await_{step}.py" for step in ("dispatch", "completion", "approval", "rating")),
        "functions/notify/handlers/stream.py",
    ):
        assert "inject_lambda_context(log_event=False)" in Path(handler).read_text(), handler


def _payload_keys(state: str) -> set[str]:
    return {k.removesuffix(".$") for k in STATES[state]["Parameters"]["Payload"]}


@pytest.mark.parametrize(
    ("state", "model"),
    [
        ("SelectCandidate", "matching.handlers.select_candidate:SelectCandidateIn"),
        ("OfferToTechnician", "matching.handlers.offer_to_technician:OfferIn"),
        ("ExpireOffer", "matching.handlers.expire_offer:ExpireOfferIn"),
    ],
)
def test_the_matching_tasks_payloads_are_exactly_what_their_handlers_validate(state, model):
    import importlib

    module, name = model.split(":")
    fields = getattr(importlib.import_module(module), name).model_fields
    assert _payload_keys(state) == set(fields)
    assert {k for k, f in fields.items() if f.is_required()} <= _payload_keys(state)


def test_one_wait_per_round_whatever_the_number_of_offers():
    # Grab mode offers a round to several technicians with one task token and one timeout: the round's
    # offers and its batch id come from SelectCandidate, and the expiry closes the same batch.
    offer = STATES["OfferToTechnician"]["Parameters"]["Payload"]
    assert offer["offers.$"] == "$.match.result.offers" and offer["batch_id.$"] == "$.match.result.batch_id"
    assert STATES["ExpireOffer"]["Parameters"]["Payload"]["batch_id.$"] == "$.match.result.batch_id"
    assert STATES["OfferToTechnician"]["TimeoutSecondsPath"] == "$.timeouts.offer_seconds"
    # declined or expired rounds loop back to the selection, which widens the radius or ends in escalation
    assert STATES["OfferAnswered"]["Default"] == "SelectCandidate"
    assert STATES["CandidateFound"]["Default"] == "NoCandidatesLeft"
    assert STATES["NoCandidatesLeft"]["Next"] == "MarkEscalated"


def test_status_writes_retry_throttling_and_server_errors_and_the_first_one_escalates_what_is_left():
    writes = {n: s for n, s in TASKS.items() if s["Resource"] == "arn:aws:states:::dynamodb:updateItem"}
    for name, state in writes.items():
        retried = {e for r in state["Retry"] for e in r["ErrorEquals"]}
        # "InternalServerErrorException" as AWS's SDK names the error class, "InternalServerError" as its code
        assert {
            "DynamoDB.ProvisionedThroughputExceededException",
            "DynamoDB.ThrottlingException",
            "DynamoDB.RequestLimitExceeded",
            "DynamoDB.InternalServerErrorException",
            "DynamoDB.InternalServerError",
        } <= retried, name
    # Marking the order as matching is the first write: an outage that outlasts its retries escalates the order
    catches = {c["ErrorEquals"][0]: c["Next"] for c in STATES["MarkMatching"]["Catch"]}
    assert catches == {"DynamoDB.ConditionalCheckFailedException": "StatusConflict", "States.ALL": "TaskFailed"}


def test_a_timeouts_write_that_loses_to_an_answer_goes_on_from_the_orders_real_status():
    """A dispatch or a bill that arrives as its wait runs out is written first; the timeout's status write then
    loses its condition. The order is not failed: its status is read again and the workflow goes on from it."""
    lost = {c["Next"] for name in ("MarkEscalated", "MarkReportEscalated", "MarkUnfulfilled") for c in STATES[name]["Catch"]}
    assert lost == {"ReadOrderStatus"}
    read = STATES["ReadOrderStatus"]
    assert read["Resource"] == "arn:aws:states:::dynamodb:getItem" and read["Parameters"]["ConsistentRead"] is True
    assert read["Retry"] and read["Next"] == "ContinueFromStatus"
    # An outage of the read itself ends as before (a conflict), never in a loop of writes and reads
    assert {c["Next"] for c in read["Catch"]} == {"StatusConflict"}
    by_status = {
        branch["StringEquals"]: case["Next"] for case in STATES["ContinueFromStatus"]["Choices"] for branch in case["Or"]
    }
    assert by_status == {
        "assigned": "AwaitCompletion",
        "en_route": "AwaitCompletion",
        "on_site": "AwaitCompletion",
        "awaiting_approval": "BilledMeanwhile",
        "completed": "BilledMeanwhile",
        "rated": "BilledMeanwhile",
    }
    assert STATES["ContinueFromStatus"]["Default"] == "StatusConflict"  # a cancel
    assert STATES["BilledMeanwhile"]["Parameters"] == {"status.$": "$.current.status"}
    assert STATES["BilledMeanwhile"]["ResultPath"] == "$.completion" and STATES["BilledMeanwhile"]["Next"] == "BillNeedsApproval"
    # Each goes on to a wait (every one with its timeout), so nothing waits without a deadline
    for name in ("AwaitCompletion", "AwaitApproval", "AwaitRating"):
        assert name in CALLBACKS


def test_a_public_area_report_is_escalated_only_while_it_still_waits_for_its_company():
    """A company's dispatch at the last moment has assigned the report: its escalation must not overwrite that."""
    assert STATES["CompanyDidNotDispatch"]["Next"] == "MarkReportEscalated"
    write = STATES["MarkReportEscalated"]["Parameters"]
    assert write["ConditionExpression"] == "#status IN (:from0)"
    assert write["ExpressionAttributeValues"][":from0"] == {"S": "submitted"}
    assert write["ExpressionAttributeValues"][":status"] == {"S": "escalated"}
    assert STATES["MarkReportEscalated"]["Next"] == "AwaitManualDispatch"


def _failure_edges(name: str) -> list[str]:
    """Where the execution can go from `name` when nobody answers any wait: every transition but a callback's
    success (a person's answer), its timeout (bounded by the wait itself) and a lost status write (a person's
    answer came first)."""
    state = STATES[name]
    progress = {"States.Timeout", "DynamoDB.ConditionalCheckFailedException"}
    targets = [c["Next"] for c in state.get("Choices", [])] + [t for t in [state.get("Default")] if t]
    targets += [c["Next"] for c in state.get("Catch", []) if not set(c["ErrorEquals"]) <= progress]
    if name not in CALLBACKS and state.get("Next"):
        targets.append(state["Next"])
    return targets


def _counts_failures(name: str) -> bool:
    """A Choice that gives up after a number of failures it counts in the execution's input."""
    return STATES[name]["Type"] == "Choice" and any("failures" in c.get("Variable", "") for c in STATES[name]["Choices"])


def test_a_failure_that_keeps_happening_cannot_loop_for_ever():
    # From every state, following only what happens when waits keep failing, every way back to it passes a
    # counted retry (a caught failure leading back to the task that failed once looped until the history limit)
    for start in (s for s in STATES if not _counts_failures(s)):
        todo, seen = list(_failure_edges(start)), set()
        while todo:
            name = todo.pop()
            assert name != start, f"{start} can fail back into itself with no count of the failures"
            if name in seen or _counts_failures(name):
                continue
            seen.add(name)
            todo += _failure_edges(name)
