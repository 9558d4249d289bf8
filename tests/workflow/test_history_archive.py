"""The history archive: every order that ends (closed, cancelled, unfulfilled) has its execution history archived once
its execution has ended, and GET /orders/{id}/history reads the archive once Step Functions no longer keeps the
execution (here: removed from moto, as AWS does 90 days after its end)."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.conftest import wait_for
from tests.workflow.test_lifecycle import _finish


def _archived(order_id: str, status: str):
    from orders.store import history_archive

    return wait_for(
        lambda: (found := history_archive.find(order_id)) and found.execution_status == status and found,
        timeout=60,
        what=f"the archive of {order_id}",
    )


def _object(sandbox, key: str) -> dict:
    from orders.domain.settings import order_settings

    return sandbox.aws.client("s3").get_object(Bucket=order_settings().history_archive_bucket, Key=key)


def _versions(sandbox, key: str) -> list[dict]:
    from orders.domain.settings import order_settings

    listed = sandbox.aws.client("s3").list_object_versions(Bucket=order_settings().history_archive_bucket, Prefix=key)
    return listed.get("Versions", [])


def _queue_record(order_id: str, receives: int = 1) -> dict:
    """The archive queue's message for an order that ended, as the bus rule delivers it."""
    from orders.store import orders
    from shared.events import DomainEvent, EventType, OrderSnapshot

    order = orders.get(order_id)
    event = DomainEvent(
        event_id=f"evt_{order_id}_v{order.version}",
        type=EventType.ORDER_CLOSED if order.status == "closed" else EventType.ORDER_CANCELLED,
        occurred_at=order.updated_at or order.created_at,
        order=OrderSnapshot.of(order.model_dump()),
    )
    body = json.dumps({"detail-type": event.type.value, "detail": event.model_dump(mode="json", exclude_none=True)})
    return {
        "messageId": f"m-{order_id}",
        "receiptHandle": "not-a-receipt",
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receives)},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws-cn:sqs:cn-north-1:123456789012:linli-history-archive",
        "awsRegion": "cn-north-1",
    }


def test_a_closed_orders_history_is_archived_and_read_from_the_archive_once_step_functions_forgot_it(world, observe, sandbox):
    from orders.domain.settings import order_settings
    from orders.service import history
    from orders.store import history_archive

    # Given an order that went the whole way to closed
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    observe.wait_status(order_id, "assigned")
    _finish(world, observe, order_id, tech)

    # Then its history is archived: gzip of compact JSON, the whole history, encrypted with the archive's KMS key
    archived = _archived(order_id, "SUCCEEDED")
    stored = _object(sandbox, archived.key)
    assert archived.key == f"histories/{order_id}.json.gz"
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert stored["SSEKMSKeyId"] == order_settings().history_archive_key_id != ""
    assert stored["ContentEncoding"] == "gzip" and stored["ContentType"] == "application/json"
    body = stored["Body"].read()
    assert len(body) == archived.size
    text = gzip.decompress(body).decode()
    document = json.loads(text)
    assert text == json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True)  # compact JSON
    full = observe.history(order_id)
    assert [(e["id"], e["type"]) for e in document["events"]] == [(e["id"], e["type"]) for e in full]
    assert document["events"][-1]["type"] == "ExecutionSucceeded" and archived.events == len(full)
    assert document["execution_status"] == "SUCCEEDED" and document["order_id"] == order_id
    assert "«redacted»" in text  # the task tokens, as the history API shows them

    # And while Step Functions keeps the execution, the API reads it live
    live = world.as_supervisor("GET", f"/orders/{order_id}/history")
    assert live.status == 200 and live.body["source"] == "live", live.body

    # When Step Functions drops the execution (90 days after its end)
    assert sandbox.aws.forget_execution(observe.execution_arn(order_id))
    with pytest.raises(Exception, match="ExecutionDoesNotExist"):
        observe.execution_status(order_id)

    # Then the API answers from the archive: the same answer, the same events
    answer = world.as_supervisor("GET", f"/orders/{order_id}/history")
    assert answer.status == 200, answer.body
    assert answer.body["source"] == "archive"
    assert {k: v for k, v in answer.body.items() if k != "source"} == {k: v for k, v in live.body.items() if k != "source"}
    assert answer.body["execution_status"] == "SUCCEEDED" and len(answer.body["events"]) == len(full)
    # Access rules as before: supervisors only
    assert world.as_resident("GET", f"/orders/{order_id}/history").status == 403

    # And a retry of the archiver (the queue's message again, or a second writer) rewrites nothing
    [first_version] = _versions(sandbox, archived.key)
    result = sandbox.aws.invoke("HistoryArchive", {"Records": [_queue_record(order_id, receives=2)]})
    assert result == {"batchItemFailures": []}
    assert history.archive(order_id) == history.Archived.ALREADY
    assert history_archive.write_object(order_id, b"another body") is False
    assert _versions(sandbox, archived.key) == [first_version]
    assert history_archive.find(order_id) == archived


def test_a_cancelled_order_and_an_unfulfilled_one_are_archived_too(world, observe, timeouts, sandbox):
    # Given an order cancelled by its resident while offered, and one nobody could take (cancelled by the workflow)
    tech = world.add_technician()
    cancelled_id = world.order()["order_id"]
    observe.wait_offer(world, tech, cancelled_id)
    assert world.as_resident("POST", f"/orders/{cancelled_id}/cancel", {"reason": "已自行修好"}).status == 200
    observe.wait_execution(cancelled_id, "ABORTED")
    timeouts(escalation=1)
    unfulfilled_id = world.order(category="plumbing")["order_id"]  # nobody here has the skill
    assert observe.wait_status(unfulfilled_id, "cancelled").cancel_reason == "no_technician_available"
    observe.wait_execution(unfulfilled_id, "FAILED")

    # Then both histories are archived with their ends, and read back once Step Functions forgot them
    for order_id, status, last in ((cancelled_id, "ABORTED", "ExecutionAborted"), (unfulfilled_id, "FAILED", "ExecutionFailed")):
        archived = _archived(order_id, status)
        document = json.loads(gzip.decompress(_object(sandbox, archived.key)["Body"].read()))
        assert document["events"][-1]["type"] == last and len(document["events"]) == len(observe.history(order_id))
        sandbox.aws.forget_execution(observe.execution_arn(order_id))
        answer = world.as_supervisor("GET", f"/orders/{order_id}/history")
        assert answer.status == 200 and answer.body["source"] == "archive", answer.body
        assert answer.body["execution_status"] == status and answer.body["events"][-1]["type"] == last


def test_an_order_whose_execution_still_runs_is_archived_later_not_in_part(world, observe, sandbox):
    from orders.service import history
    from orders.store import history_archive

    # Given an order whose execution is still running (here: waiting for its offer's answer)
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    observe.wait_offer(world, tech, order_id)
    # When the archiver is asked to archive it (as when the status write comes just before the execution's end)
    with pytest.raises(history.ExecutionStillRunning):
        history.archive(order_id)
    # Then the message fails (a batch whose every message failed fails whole: the queue offers it again later) and
    # nothing is written
    with pytest.raises(RuntimeError, match="ExecutionStillRunning"):
        sandbox.aws.invoke("HistoryArchive", {"Records": [_queue_record(order_id)]})
    assert history_archive.find(order_id) is None
    assert _versions(sandbox, history_archive.object_key(order_id)) == []
    # And once the execution has ended, the order is archived
    assert world.as_resident("POST", f"/orders/{order_id}/cancel", {"reason": "不修了"}).status == 200
    _archived(order_id, "ABORTED")


def test_the_archive_is_the_same_bytes_for_the_same_history():
    from datetime import UTC, datetime

    from orders.service import history

    events = [
        {"id": 1, "type": "ExecutionStarted", "timestamp": datetime(2030, 1, 1, 8, 0, 0, 123456, tzinfo=UTC)},
        {"id": 2, "previousEventId": 1, "type": "ExecutionSucceeded", "timestamp": datetime(2030, 1, 1, 9, tzinfo=UTC)},
    ]
    first = history.encode("ord_1", "arn:aws-cn:states:cn-north-1:1:execution:m:ord_1", "SUCCEEDED", events)
    assert first == history.encode("ord_1", "arn:aws-cn:states:cn-north-1:1:execution:m:ord_1", "SUCCEEDED", events)
    assert history.decode(first)["events"] == events
    assert history.ended_status(events) == "SUCCEEDED" and history.ended_status(events[:1]) is None
