"""Where moto's Step Functions differ from AWS and the sandbox makes up for it (docs/sandbox.md)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import wait_for


class _JustStarted:
    """An execution as moto holds it between StartExecution and its worker thread building its environment."""

    status = "RUNNING"

    class exec_worker:  # noqa: N801 (moto's attribute name)
        env = None


@pytest.mark.parametrize("call", ["send_task_success", "send_task_failure", "send_task_heartbeat"])
def test_an_execution_starting_at_that_moment_does_not_break_another_callback(sandbox, call):
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    from local.runtime import ACCOUNT, REGION

    machine = next(iter(stepfunctions_parser_backends[ACCOUNT][REGION].state_machines))
    machine.executions.insert(0, _JustStarted())
    try:
        kwargs = {"taskToken": "a-token-nobody-holds"} | ({"output": "{}"} if call == "send_task_success" else {})
        with pytest.raises(ClientError) as refused:
            getattr(sandbox.aws.client("stepfunctions"), call)(**kwargs)
        # moto answers as AWS does for a token no execution holds, instead of failing on the one without a worker
        assert refused.value.response["Error"]["Code"] in ("InvalidToken", "TaskDoesNotExist")
    finally:
        machine.executions.remove(next(e for e in machine.executions if isinstance(e, _JustStarted)))


def _late(monkeypatch, cls: type, method: str) -> None:
    """Make moto's worker thread slow at one step of starting an execution, as on a loaded machine."""
    import time

    original = getattr(cls, method)

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(cls, method, slow)


@pytest.mark.parametrize("late", ["environment", "program"])
def test_an_execution_stopped_the_moment_it_starts_is_aborted(sandbox, monkeypatch, late):
    import uuid

    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    if late == "environment":  # the stop comes before the worker has built the execution's environment
        _late(monkeypatch, ExecutionWorker, "_get_evaluation_environment")
    else:  # the stop comes after the environment exists, before the program runs in it
        _late(monkeypatch, Program, "eval")
    sfn = sandbox.aws.client("stepfunctions")
    waiting = sfn.create_state_machine(  # one that would run a minute: only the stop can end it sooner
        name=f"waits-{uuid.uuid4().hex[:8]}",
        definition=json.dumps({"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 60, "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/test",
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=waiting, input="{}")["executionArn"]
    # When it is stopped that soon (a resident cancelling at once), it is aborted, not a 500 or left running
    sfn.stop_execution(executionArn=arn, error="OrderCancelled", cause="cancelled at once")
    wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout=30, what="the execution to end")
    assert sfn.describe_execution(executionArn=arn)["status"] == "ABORTED"
