"""Delivers the table's stream to the notify function, as Lambda's event source mapping does in AWS."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from local.runtime import TABLE_NAME
from shared.catalog import NOTIFY_STREAM_FILTER, Trigger, by_trigger

if TYPE_CHECKING:
    from local.runtime import LocalAws


def wanted(record: dict) -> bool:
    """The same filter CDK puts on the event source mapping."""
    sk = (record.get("dynamodb", {}).get("Keys", {}).get("sk") or {}).get("S", "")
    return NOTIFY_STREAM_FILTER.wants(sk)


class StreamPump:
    def __init__(self, aws: LocalAws, interval: float = 0.2) -> None:
        self.aws = aws
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._checkpoints: dict[str, str | None] = {}  # shard id → last delivered sequence number
        self._lock = threading.Lock()
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

    def drain(self) -> int:
        """Deliver everything written so far; returns the number of records delivered."""
        with self._lock:
            streams = self.aws.client("dynamodbstreams")
            if not self.stream_arn:
                self.stream_arn = self.aws.client("dynamodb").describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
            delivered = 0
            for shard in streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]:
                shard_id = shard["ShardId"]
                page = streams.get_records(ShardIterator=self._iterator(streams, shard_id), Limit=100)
                if not page["Records"]:
                    continue
                records = [dict(r, eventSourceARN=self.stream_arn) for r in page["Records"] if wanted(r)]
                if records:
                    self.aws.invoke(by_trigger(Trigger.STREAM)[0].name, {"Records": _json_safe(records)})
                    delivered += len(records)
                self._checkpoints[shard_id] = page["Records"][-1]["dynamodb"]["SequenceNumber"]
            return delivered

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="stream-pump", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.drain()
            except Exception:  # noqa: BLE001 - keep pumping; the next round retries
                import traceback

                traceback.print_exc()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)


def _json_safe(value):
    from datetime import datetime

    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return value.timestamp()
    return value
