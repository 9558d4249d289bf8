"""Where moto's Step Functions differ from AWS and the sandbox makes up for it (docs/sandbox.md)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


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
