"""Use case: an order's execution history, live from Step Functions while it keeps the execution (90 days after
its end), then from the history archive; and archiving it once the order has ended.

The archive is the whole history (every page of GetExecutionHistory, task tokens redacted as the API shows them)
with the execution's end status, as compact JSON, gzipped deterministically (no timestamp in the gzip header): a
retry produces the same bytes, and S3's conditional put keeps the first object anyway.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from orders.store import history_archive
from orders.store.history_archive import ArchivedHistory
from shared import clock, workflow
from shared.workflow import ExecutionNotFound

# The event that ends an execution, and the status DescribeExecution reports after it.
END_EVENTS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionAborted": "ABORTED",
    "ExecutionTimedOut": "TIMED_OUT",
}
FORMAT = 1


class ExecutionStillRunning(Exception):
    """The order has ended but its execution has not yet (its last state, or a stop on its way): try again later,
    rather than archive a history without its end."""


class Archived(StrEnum):
    WRITTEN = "written"  # archived now
    ALREADY = "already"  # archived before: nothing written
    NO_EXECUTION = "no_execution"  # the order never had an execution (imported history): nothing to archive


@dataclass(frozen=True)
class History:
    execution_arn: str
    execution_status: str
    events: list[dict]  # as GetExecutionHistory returns them (timestamps as datetimes), tokens redacted
    source: str  # live | archive


def ended_status(events: list[dict]) -> str | None:
    """The execution's end status by its last event; None while it runs."""
    return END_EVENTS.get(events[-1]["type"]) if events else None


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def encode(order_id: str, execution_arn: str, status: str, events: list[dict]) -> bytes:
    document = {
        "format": FORMAT,
        "order_id": order_id,
        "execution_arn": execution_arn,
        "execution_status": status,
        "events": events,
    }
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True, default=_json_default)
    return gzip.compress(text.encode("utf-8"), mtime=0)


def decode(body: bytes) -> dict:
    document = json.loads(gzip.decompress(body))
    for event in document["events"]:
        event["timestamp"] = datetime.fromisoformat(event["timestamp"])
    return document


def archive(order_id: str) -> Archived:
    """Archive the ended order's history, once. ExecutionStillRunning while the execution has not ended."""
    if history_archive.find(order_id) is not None:
        return Archived.ALREADY
    arn = workflow.execution_arn_for(order_id)
    try:
        events = workflow.history(arn)
    except ExecutionNotFound:
        return Archived.NO_EXECUTION
    status = ended_status(events)
    if status is None:
        raise ExecutionStillRunning(order_id)
    body = encode(order_id, arn, status, events)
    written = history_archive.write_object(order_id, body)
    history_archive.record(
        ArchivedHistory(
            order_id=order_id,
            key=history_archive.object_key(order_id),
            execution_arn=arn,
            execution_status=status,
            events=len(events),
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            archived_at=clock.now_iso(),
        )
    )
    return Archived.WRITTEN if written else Archived.ALREADY


def read(order_id: str) -> History:
    """The order's history: live while Step Functions has the execution, else archived; ExecutionNotFound (404)
    when neither has it."""
    arn = workflow.execution_arn_for(order_id)
    try:
        events = workflow.history(arn)
        return History(arn, workflow.describe(arn)["status"], events, "live")
    except ExecutionNotFound:
        archived = history_archive.find(order_id)
        if archived is None:
            raise
    document = decode(history_archive.read_object(archived))
    return History(document["execution_arn"], document["execution_status"], document["events"], "archive")
