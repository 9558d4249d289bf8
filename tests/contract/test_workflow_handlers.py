"""The workflow reads in one hop: every Task state that invokes Lambda runs the handler module named after it.

A state `OfferToTechnician` runs `<domain>.handlers.offer_to_technician`, deployed as the catalogue's function
`OfferToTechnician` (the state's `${OfferToTechnicianFunctionArn}`). A wait whose Payload names a `step` runs the
handler named after what it waits for: `AwaitCompletion` (step `completion`) → `orders.handlers.await_completion`,
function `AwaitCompletion`; both dispatch waits → `await_dispatch`, function `AwaitDispatch`. The handler binds
that `Step`. Read from the one ASL file; a drift between a state and its handler fails (negative cases below).
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import re

import pytest

from deploy.catalog import FUNCTIONS, Trigger, by_trigger
from orders.domain.steps import Step
from statemachines import ORDER_LIFECYCLE_ASL

ASL = json.loads(ORDER_LIFECYCLE_ASL.read_text(encoding="utf-8"))
PLACEHOLDER = re.compile(r"^\$\{(\w+)FunctionArn\}$")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def lambda_tasks(definition: dict) -> dict[str, dict]:
    return {
        name: state
        for name, state in definition["States"].items()
        if state["Type"] == "Task" and state["Resource"].startswith("arn:aws:states:::lambda:invoke")
    }


def expected_function(name: str, state: dict) -> tuple[str, str, Step | None]:
    """(catalogue function, handler module, step) the state must run: named after the state, or for a wait that
    names a step, after the step."""
    raw = state["Parameters"]["Payload"].get("step")
    if raw is None:
        return name, snake(name), None
    step = Step(raw)  # ValueError: not a Step
    return f"Await{step.value.capitalize()}", f"await_{step.value}", step


def drift(definition: dict) -> list[str]:
    """Every way the definition's Lambda tasks and their handlers disagree (empty: none)."""
    by_name = {f.name: f for f in FUNCTIONS}
    problems = []
    for name, state in lambda_tasks(definition).items():
        placeholder = PLACEHOLDER.match(state["Parameters"].get("FunctionName", ""))
        if not placeholder:
            problems.append(f"{name}: FunctionName is not a ${{<Function>FunctionArn}} placeholder")
            continue
        raw = state["Parameters"]["Payload"].get("step")
        if raw is not None and raw not in set(Step):
            problems.append(f"{name}: step {raw!r} is not a Step")
            continue
        function, module, step = expected_function(name, state)
        if placeholder.group(1) != function:
            problems.append(f"{name}: invokes {placeholder.group(1)}, not {function}")
            continue
        spec = by_name.get(function)
        if spec is None or spec.trigger != Trigger.WORKFLOW:
            problems.append(f"{name}: no workflow function {function} in the catalogue")
            continue
        handler_module, attribute = spec.handler.rsplit(".", 1)
        domain, kind, leaf = handler_module.split(".")
        if (kind, leaf, attribute) != ("handlers", module, "handler"):
            problems.append(f"{name}: {function} deploys {spec.handler}, not <domain>.handlers.{module}.handler")
            continue
        if importlib.util.find_spec(handler_module) is None:
            problems.append(f"{name}: no module {handler_module}")
            continue
        loaded = importlib.import_module(handler_module)
        if not callable(getattr(loaded, "handler", None)):
            problems.append(f"{name}: {handler_module} defines no handler")
        if step is not None and getattr(loaded, "STEP", None) is not step:
            problems.append(f"{name}: {handler_module} does not bind Step.{step.name}")
    used = {PLACEHOLDER.match(s["Parameters"].get("FunctionName", "")) for s in lambda_tasks(definition).values()}
    unused = {f.name for f in by_trigger(Trigger.WORKFLOW)} - {m.group(1) for m in used if m}
    problems += [f"{function}: a workflow function no state invokes" for function in sorted(unused)]
    return problems


def test_every_lambda_task_runs_the_handler_named_after_it_or_after_what_it_waits_for():
    assert drift(ASL) == []


@pytest.mark.parametrize("name", sorted(lambda_tasks(ASL)))
def test_every_step_in_a_payload_is_a_step_and_its_handler_is_named_after_it(name):
    state = lambda_tasks(ASL)[name]
    function, module, step = expected_function(name, state)
    if step is None:
        assert module == snake(name)
    else:
        assert state["Resource"].endswith(".waitForTaskToken") and name.startswith("Await")
        assert module == f"await_{step.value}" and function == f"Await{step.value.capitalize()}"


def test_the_states_and_their_handlers_as_the_definition_has_them():
    handlers = {spec.name: spec.handler for spec in FUNCTIONS}
    assert {name: handlers[expected_function(name, state)[0]] for name, state in lambda_tasks(ASL).items()} == {
        "SelectCandidate": "matching.handlers.select_candidate.handler",
        "OfferToTechnician": "matching.handlers.offer_to_technician.handler",
        "ExpireOffer": "matching.handlers.expire_offer.handler",
        "AwaitManualDispatch": "orders.handlers.await_dispatch.handler",
        "AwaitCompanyDispatch": "orders.handlers.await_dispatch.handler",
        "AwaitCompletion": "orders.handlers.await_completion.handler",
        "AwaitApproval": "orders.handlers.await_approval.handler",
        "AwaitRating": "orders.handlers.await_rating.handler",
    }


def _modified(change) -> dict:
    definition = copy.deepcopy(ASL)
    change(definition["States"])
    return definition


def _rename(states: dict, old: str, new: str) -> None:
    states[new] = states.pop(old)


@pytest.mark.parametrize(
    ("change", "found"),
    [
        # a state renamed without its handler: no module offer_to_tech
        (lambda s: _rename(s, "OfferToTechnician", "OfferToTech"), "OfferToTech: invokes OfferToTechnician, not OfferToTech"),
        # a state pointed at another state's function
        (
            lambda s: s["ExpireOffer"]["Parameters"].update(FunctionName="${SelectCandidateFunctionArn}"),
            "ExpireOffer: invokes SelectCandidate, not ExpireOffer",
        ),
        # a free string where a Step belongs
        (lambda s: s["AwaitRating"]["Parameters"]["Payload"].update(step="rated"), "AwaitRating: step 'rated' is not a Step"),
        # a wait whose step and function disagree
        (
            lambda s: s["AwaitApproval"]["Parameters"]["Payload"].update(step="completion"),
            "AwaitApproval: invokes AwaitApproval, not AwaitCompletion",
        ),
        # a function left behind by a state that no longer invokes it
        (
            lambda s: s["AwaitRating"]["Parameters"].update(FunctionName="${AwaitApprovalFunctionArn}"),
            "AwaitRating: invokes AwaitApproval, not AwaitRating",
        ),
        (
            lambda s: s["AwaitRating"]["Parameters"].update(FunctionName="${AwaitApprovalFunctionArn}"),
            "AwaitRating: a workflow function no state invokes",
        ),
    ],
    ids=["renamed-state", "other-function", "free-step", "step-vs-function", "wrong-wait", "orphan-function"],
)
def test_a_state_and_its_handler_that_drift_apart_are_found(change, found):
    assert found in drift(_modified(change))
