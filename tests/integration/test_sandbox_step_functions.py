"""Where moto's Step Functions differ from AWS and the sandbox makes up for it (docs/sandbox.md)."""

from __future__ import annotations

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


def test_an_execution_stopped_the_moment_it_starts_is_aborted(sandbox, monkeypatch):
    import time
    import uuid

    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    original = ExecutionWorker._get_evaluation_environment

    def built_late(worker):
        time.sleep(0.5)  # the worker thread builds the environment late, as on a loaded machine
        return original(worker)

    monkeypatch.setattr(ExecutionWorker, "_get_evaluation_environment", built_late)
    sfn = sandbox.aws.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=sandbox.aws.state_machine_arn, name=f"stopped-at-start-{uuid.uuid4().hex[:8]}", input="{}"
    )["executionArn"]
    # When it is stopped before its environment exists (a resident cancelling at once), it is aborted, not a 500
    sfn.stop_execution(executionArn=arn, error="OrderCancelled", cause="cancelled at once")
    wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] == "ABORTED", timeout=10, what="the execution aborted")
