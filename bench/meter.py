"""Meters every AWS call the sandbox makes, at moto's seam (`BotocoreStubber.__call__`), which every boto3
and PynamoDB client goes through, the Step Functions interpreter's own DynamoDB integrations included.

DynamoDB request units are COMPUTED from item sizes, not taken from the responses: moto answers
`ReturnConsumedCapacity` with constants (0.5 per GetItem, 1.0 per write, whatever the item), so its figure
would be wrong. The rules applied (DynamoDB developer guide, "read/write request units"):
- writes: 1 WRU per started KB of the larger of the item before and after the write, plus the same again
  for every GSI the item is (or was) in, twice when the GSI key changes (delete + put); transactions x2;
- reads: per started 4 KB of the item(s) read, 0.5 RRU eventually consistent, 1 strongly consistent;
  Query/Scan sum the sizes of the items read (items filtered out after reading: the mean size of the
  returned ones); transactions x2.
Item sizes are moto's (`Item.size()`: attribute names plus values, DynamoDB's rule), read from moto's
tables directly so the metering makes no calls of its own.

Calls made while `unmetered()` is active in the calling thread (the harness's own polling) are not counted.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_local = threading.local()
GSI_KEYS = tuple(f"gsi{i}pk" for i in range(1, 5))


@contextmanager
def unmetered():
    _local.off = getattr(_local, "off", 0) + 1
    try:
        yield
    finally:
        _local.off -= 1


@contextmanager
def in_function(name: str):
    """Attributes the DynamoDB calls made in this thread to a Lambda function (its invocation)."""
    outer = getattr(_local, "function", None)
    _local.function = name
    try:
        yield
    finally:
        _local.function = outer


def metered() -> bool:
    return not getattr(_local, "off", 0)


@dataclass
class Reading:
    calls: Counter = field(default_factory=Counter)  # "service.Operation" → count
    rru: float = 0.0
    wru: float = 0.0
    event_entries: int = 0
    sms: int = 0
    api_requests: int = 0
    by_function: Counter = field(default_factory=Counter)  # ("Function", "dynamodb.Operation") → count

    def minus(self, other: Reading) -> Reading:
        return Reading(
            self.calls - other.calls,
            self.rru - other.rru,
            self.wru - other.wru,
            self.event_entries - other.event_entries,
            self.sms - other.sms,
            self.api_requests - other.api_requests,
            self.by_function - other.by_function,
        )

    def copy(self) -> Reading:
        return Reading(
            Counter(self.calls), self.rru, self.wru, self.event_entries, self.sms, self.api_requests, Counter(self.by_function)
        )

    def count(self, service: str, exclude: tuple[str, ...] = ()) -> int:
        return sum(n for k, n in self.calls.items() if k.startswith(service + ".") and k.split(".", 1)[1] not in exclude)


def _stored(table: str, key: dict) -> Any:
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    from local.fast_dynamodb import stored_item
    from local.runtime import ACCOUNT, REGION

    try:
        t = dynamodb_backends[ACCOUNT][REGION].get_table(table)
        return stored_item(t, DynamoType(key["pk"]), DynamoType(key["sk"]) if "sk" in key else None)
    except Exception:  # noqa: BLE001 - a missing table or key: nothing stored
        return None


def _json_size(item: dict) -> int:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return sum(len(k.encode()) + DynamoType(v).size() for k, v in item.items())


def _write_units(before: Any, after: Any) -> float:
    size = max(before.size() if before else 0, after.size() if after else 0, 1)
    units = math.ceil(size / 1024)
    total = units
    for gsi in GSI_KEYS:
        old = before.attrs.get(gsi) if before else None
        new = after.attrs.get(gsi) if after else None
        if old is None and new is None:
            continue
        total += units * (2 if old is not None and new is not None and old != new else 1)
    return total


def _read_units(size: int, consistent: bool) -> float:
    return math.ceil(max(size, 1) / 4096) * (1.0 if consistent else 0.5)


class Meter:
    def __init__(self) -> None:
        self.reading = Reading()
        self._lock = threading.Lock()
        self._original = None

    def install(self) -> None:
        from moto.core.botocore_stubber import BotocoreStubber

        self._original = original = BotocoreStubber.__call__
        meter = self

        def __call__(stubber: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            if not metered() or not event_name.startswith("before-send."):
                return original(stubber, event_name, request, **kwargs)
            _, service, operation = event_name.split(".", 2)
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, TypeError):
                body = {}
            before = meter._before(service, operation, body)
            response = original(stubber, event_name, request, **kwargs)
            meter._after(service, operation, body, before, response)
            return response

        BotocoreStubber.__call__ = __call__

    def uninstall(self) -> None:
        from moto.core.botocore_stubber import BotocoreStubber

        if self._original is not None:
            BotocoreStubber.__call__ = self._original

    def take(self) -> Reading:
        with self._lock:
            return self.reading.copy()

    def count_api_request(self) -> None:
        if metered():
            with self._lock:
                self.reading.api_requests += 1

    # -- per call -------------------------------------------------------------------------------------
    @staticmethod
    def _write_keys(operation: str, body: dict) -> list[tuple[str, dict, float]]:
        """(table, key, multiplier) of every item a write touches."""
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            key = body.get("Key") or {k: body["Item"][k] for k in ("pk", "sk") if k in body.get("Item", {})}
            return [(body.get("TableName", ""), key, 1.0)]
        if operation == "TransactWriteItems":
            out = []
            for entry in body.get("TransactItems", []):
                ((kind, spec),) = entry.items()
                if kind == "ConditionCheck":
                    out.append(("", {}, 0.0))
                    continue
                key = spec.get("Key") or {k: spec["Item"][k] for k in ("pk", "sk") if k in spec.get("Item", {})}
                out.append((spec["TableName"], key, 2.0))
            return out
        if operation == "BatchWriteItem":
            out = []
            for table, requests in body.get("RequestItems", {}).items():
                for r in requests:
                    item = r.get("PutRequest", {}).get("Item") or r.get("DeleteRequest", {}).get("Key", {})
                    out.append((table, {k: item[k] for k in ("pk", "sk") if k in item}, 1.0))
            return out
        return []

    def _before(self, service: str, operation: str, body: dict) -> Any:
        if service != "dynamodb":
            return None
        return [(t, k, m, _stored(t, k) if m else None) for t, k, m in self._write_keys(operation, body)]

    def _after(self, service: str, operation: str, body: dict, before: Any, response: Any) -> None:
        rru = wru = 0.0
        entries = sms = 0
        if service == "dynamodb":
            try:
                data = json.loads(response.content or b"{}") if response is not None else {}
            except ValueError:
                data = {}
            ok = response is not None and response.status_code < 400
            for table, key, multiplier, old in before or []:
                if multiplier == 0.0:
                    rru += 1.0  # a transaction's ConditionCheck reads the item (x2 for the transaction)
                    continue
                new = _stored(table, key) if ok else None
                # a failed conditional write still consumes write units for the item's current size
                wru += multiplier * _write_units(old, new if ok else old)
            consistent = bool(body.get("ConsistentRead"))
            if operation == "GetItem" and ok:
                rru += _read_units(_json_size(data.get("Item", {})), consistent)
            elif operation in ("Query", "Scan") and ok:
                items = data.get("Items", [])
                size = sum(_json_size(i) for i in items)
                scanned, count = data.get("ScannedCount", len(items)), data.get("Count", len(items))
                if scanned > count and items:
                    size += (scanned - count) * size // len(items)
                elif scanned > count:
                    size += (scanned - count) * 400  # nothing returned to size them by: a typical item
                rru += _read_units(size, consistent)
            elif operation == "BatchGetItem" and ok:
                for items in data.get("Responses", {}).values():
                    rru += sum(_read_units(_json_size(i), consistent) for i in items)
            elif operation == "TransactGetItems" and ok:
                rru += sum(2 * _read_units(_json_size(r.get("Item", {})), True) for r in data.get("Responses", []))
        elif service == "eventbridge" or (service == "events" and operation == "PutEvents"):
            entries = len(body.get("Entries", []))
        elif service == "sns" and operation == "Publish":
            sms = 1
        elif (
            service == "sqs"
            and operation == "ReceiveMessage"
            and (response is None or b"Message" not in (response.content or b"")[:200])
        ):
            # An empty receive is the sandbox pump's polling; Lambda's poller on AWS is a fixed cost per queue.
            operation = "ReceiveMessage.empty"
        with self._lock:
            self.reading.calls[f"{service}.{operation}"] += 1
            self.reading.by_function[(getattr(_local, "function", None) or "-", f"{service}.{operation}")] += 1
            self.reading.rru += rru
            self.reading.wru += wru
            self.reading.event_entries += entries
            self.reading.sms += sms
