"""The Step Functions port: start an order's execution, resume or stop it, read its history."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.errors import NotFound
from shared.observability import logger
from shared.settings import get_settings

# Answers to SendTaskSuccess meaning "this wait is already over": nothing left to resume.
_STALE_TOKEN_ERRORS = {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}
_REDACTED = "«redacted»"


class ExecutionNotFound(NotFound):
    code = "execution_not_found"
    message_zh = "该订单没有流程记录"
    message_en = "This order has no workflow execution."


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("stepfunctions", region_name=get_settings().aws_region)


def reset() -> None:
    _client.cache_clear()


def start(order_id: str, payload: dict) -> str:
    """Start the order's execution, named by the order id so a second start cannot create another."""
    settings = get_settings()
    try:
        response = _client().start_execution(stateMachineArn=settings.state_machine_arn, name=order_id, input=json.dumps(payload))
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
            raise
        return execution_arn_for(order_id)
    return response["executionArn"]


def execution_arn_for(order_id: str) -> str:
    sm_arn = get_settings().state_machine_arn
    return sm_arn.replace(":stateMachine:", ":execution:") + f":{order_id}"


def resume(task_token: str, output: dict) -> bool:
    """Send the wait's answer; False if the wait had already ended (timed out or stopped)."""
    try:
        _client().send_task_success(taskToken=task_token, output=json.dumps(output))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _STALE_TOKEN_ERRORS:
            logger.info("task token no longer waiting", extra={"error": exc.response["Error"]["Code"]})
            return False
        raise
    return True


def stop(execution_arn: str, *, error: str, cause: str) -> None:
    try:
        _client().stop_execution(executionArn=execution_arn, error=error, cause=cause)
    except ClientError as exc:
        if not _missing(exc):
            raise


def _missing(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ExecutionDoesNotExist"


def describe(execution_arn: str) -> dict:
    """The execution's description; ExecutionNotFound (404) when there is none."""
    try:
        return _client().describe_execution(executionArn=execution_arn)
    except ClientError as exc:
        if _missing(exc):
            raise ExecutionNotFound() from exc
        raise


def history(execution_arn: str) -> list[dict]:
    """Every event of the execution, oldest first, with task tokens removed; ExecutionNotFound (404) when there is
    no such execution."""
    events: list[dict] = []
    kwargs = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        try:
            page = _client().get_execution_history(**kwargs)
        except ClientError as exc:
            if _missing(exc):
                raise ExecutionNotFound() from exc
            raise
        events.extend(page["events"])
        if not page.get("nextToken"):
            return [redact_tokens(e) for e in events]
        kwargs["nextToken"] = page["nextToken"]


def redact_tokens(value: Any) -> Any:
    """Task tokens appear in scheduled task parameters; they must never reach a client."""
    if isinstance(value, dict):
        return {k: (_REDACTED if k in ("task_token", "TaskToken", "taskToken") else redact_tokens(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_tokens(v) for v in value]
    if isinstance(value, str) and value[:1] in "{[" and "task_token" in value:
        try:
            return json.dumps(redact_tokens(json.loads(value)), ensure_ascii=False)
        except ValueError:
            return value
    return value
