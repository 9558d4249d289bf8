"""Delivers the table's stream and the queues to their functions, as Lambda's event source mappings do in AWS."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from deploy.catalog import NOTIFY_STREAM_FILTER, Trigger, by_trigger
from local.runtime import TABLE_NAME

if TYPE_CHECKING:
    from local.runtime import LocalAws


def wanted(record: dict) -> bool:
    """The same filter CDK puts on the event source mapping."""
    sk = (record.get("dynamodb", {}).get("Keys", {}).get("sk") or {}).get("S", "")
    return NOTIFY_STREAM_FILTER.wants(sk)


class Pump:
    """Polls in a thread of its own; `drain()` delivers what is there now (tests call it directly too)."""

    name = "pump"

    def __init__(self, aws: LocalAws, interval: float = 0.2) -> None:
        self.aws = aws
        self.interval = interval
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def drain(self) -> int:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Stop delivering until `resume()` (what arrives meanwhile waits, as behind a disabled event source mapping)."""
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self._paused.is_set():
                continue
            try:
                self.drain()
            except Exception:  # noqa: BLE001 - keep pumping; the next round retries
                import traceback

                traceback.print_exc()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)


class StreamPump(Pump):
    name = "stream-pump"

    def __init__(self, aws: LocalAws, interval: float = 0.2) -> None:
        super().__init__(aws, interval)
        self._checkpoints: dict[str, str | None] = {}  # shard id → last delivered sequence number
        self.stream_arn = ""

    def _iterator(self, streams, shard_id: str) -> str:
        # Like Lambda's event source mapping, checkpoint by sequence number and ask for a fresh
        # iterator each round (moto replaces its shard objects when a transaction is cancelled).
        last = self._checkpoints.get(shard_id)
        kwargs = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
            if last
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        return streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **kwargs)["ShardIterator"]

    def drain(self, until: float | None = None) -> int:
        """Deliver everything written so far; returns the number of records delivered. With `until` (a
        time.monotonic() instant) it stops there, caught up or not (a backlog can take long: the soak's did), and
        then returns at least 1, as something is still to move."""
        timeout = -1 if until is None else max(0.0, until - time.monotonic())
        if not self._lock.acquire(timeout=timeout):
            return 1  # another drain (the pump's own round) is still at it
        try:
            return self._drain_until(until)
        finally:
            self._lock.release()

    def _drain_until(self, until: float | None) -> int:
        streams = self.aws.client("dynamodbstreams")
        if not self.stream_arn:
            self.stream_arn = self.aws.client("dynamodb").describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        delivered = 0
        for shard in streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            # Page by page until caught up, so a backlog (the demo data) never delays what comes next.
            while page := streams.get_records(ShardIterator=self._iterator(streams, shard_id), Limit=100)["Records"]:
                if until is not None and time.monotonic() > until:
                    return max(delivered, 1)
                records = [dict(r, eventSourceARN=self.stream_arn) for r in page if wanted(r)]
                failed: list[str] = []
                if records:
                    result = self.aws.invoke(by_trigger(Trigger.STREAM)[0].name, {"Records": _json_safe(records)}) or {}
                    failed = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
                    delivered += len(records) - len(failed)
                self._checkpoints[shard_id] = _checkpoint(page, failed, self._checkpoints.get(shard_id))
                if failed:
                    break  # the failed record and those after it come again next round
        return delivered


class QueuePump(Pump):
    """Each queue function gets batches of up to 10 messages; the ones it reports failed (or all, if it
    raised) stay on the queue, come back after the visibility timeout, and after MAX_RECEIVES go to the DLQ."""

    name = "queue-pump"

    def __init__(self, aws: LocalAws, interval: float = 0.2, consumers: tuple[str, ...] | None = None) -> None:
        super().__init__(aws, interval)
        # Like Lambda's event source mappings, each consumer can have a pump of its own, so a slow consumer
        # (the audit log and credit) never holds up another (notifications).
        self.consumers = consumers
        if consumers:
            self.name = f"queue-pump-{'-'.join(consumers)}"

    def drain(self) -> int:
        with self._lock:
            sqs = self.aws.client("sqs")
            delivered = 0
            for spec in by_trigger(Trigger.QUEUE):
                if self.consumers is not None and spec.name not in self.consumers:
                    continue
                url = self.aws.queue_urls[spec.consumes]
                messages = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageSystemAttributeNames=["All"]
                ).get("Messages", [])
                if not messages:
                    continue
                arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                records = [_sqs_record(m, arn) for m in messages]
                try:
                    result = self.aws.invoke(spec.name, {"Records": records}) or {}
                    failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
                except RuntimeError:
                    failed = {m["MessageId"] for m in messages}
                for message in messages:
                    if message["MessageId"] not in failed:
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                        delivered += 1
            return delivered


def _checkpoint(records: list[dict], failed: list[str], previous: str | None) -> str | None:
    """Where the next round starts: after the whole batch, or, with ReportBatchItemFailures, just before the
    first record the function reported failed (its sequence number), so it and the ones after come again."""
    if not failed:
        return records[-1]["dynamodb"]["SequenceNumber"]
    first = min(int(f) for f in failed)
    before = [r["dynamodb"]["SequenceNumber"] for r in records if int(r["dynamodb"]["SequenceNumber"]) < first]
    return before[-1] if before else previous


class SchedulePump(Pump):
    """Runs the periodic scheduled functions (a `rate(…)` schedule in the catalogue, e.g. the deadline
    warnings) every `interval` seconds, as their EventBridge rules do in AWS. Daily (cron) jobs run on demand
    (`POST /dev/…`), since the sandbox's day is not the calendar's."""

    name = "schedule-pump"

    def drain(self) -> int:
        with self._lock:
            periodic = [spec for spec in by_trigger(Trigger.SCHEDULE) if spec.period_seconds]
            for spec in periodic:
                self.aws.invoke(spec.name, {})
            return len(periodic)


def _sqs_record(message: dict, queue_arn: str) -> dict:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


def _json_safe(value):
    from datetime import datetime

    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return value.timestamp()
    return value
