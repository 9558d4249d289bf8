"""Meters every AWS call the sandbox makes, at moto's seam (`BotocoreStubber.__call__`), which every boto3
and PynamoDB client goes through, the Step Functions interpreter's own DynamoDB integrations included.

DynamoDB request units are COMPUTED from item sizes, not taken from the responses: moto answers
`ReturnConsumedCapacity` with constants (0.5 per GetItem, 1.0 per write, whatever the item), so its figure
would be wrong. The rules applied (DynamoDB developer guide, "read/write request units"):
- writes: 1 WRU per started KB of the larger of the item before and after the write, plus the same again
  for every index of the table (read from moto's table, so none is missed) the item is or was in, twice when
  the item's key in that index changes (a delete and a put); transactions x2; a write whose condition fails
  costs the base table's units only (nothing reaches an index);
- reads: per started 4 KB of the item(s) read, 0.5 RRU eventually consistent, 1 strongly consistent;
  Query/Scan sum the sizes of the items read (items filtered out after reading: the mean size of the
  returned ones); transactions x2.
Item sizes are moto's (`Item.size()`: attribute names plus values, DynamoDB's rule), read from moto's
tables directly so the metering makes no calls of its own. moto updates a stored item in place, so the item
before a write is an `Image` (its size and its key in every index) taken before the call, and the item after
it another one taken after.

Deliveries the event bus makes itself (a rule's SQS target: a SendMessage SQS bills, made inside moto, never
through the seam) are counted where moto makes them, as `sqs.SendMessage.from_bus`; targets of other kinds
as `events.Deliver.<kind>`. The Powertools logger's lines are counted (bytes and events) when the harness hands
them to `count_log`.

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
    wru_by: Counter = field(default_factory=Counter)  # (item kind: the pk's prefix, "table" | index name) → WRU
    log_bytes: Counter = field(default_factory=Counter)  # function → bytes of log lines written
    log_events: Counter = field(default_factory=Counter)  # function → log lines written

    def minus(self, other: Reading) -> Reading:
        return Reading(
            self.calls - other.calls,
            self.rru - other.rru,
            self.wru - other.wru,
            self.event_entries - other.event_entries,
            self.sms - other.sms,
            self.api_requests - other.api_requests,
            self.by_function - other.by_function,
            self.wru_by - other.wru_by,
            self.log_bytes - other.log_bytes,
            self.log_events - other.log_events,
        )

    def copy(self) -> Reading:
        return Reading(
            Counter(self.calls),
            self.rru,
            self.wru,
            self.event_entries,
            self.sms,
            self.api_requests,
            Counter(self.by_function),
            Counter(self.wru_by),
            Counter(self.log_bytes),
            Counter(self.log_events),
        )

    def count(self, service: str, exclude: tuple[str, ...] = ()) -> int:
        return sum(n for k, n in self.calls.items() if k.startswith(service + ".") and k.split(".", 1)[1] not in exclude)


def _table(name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    from local.runtime import ACCOUNT, REGION

    try:
        return dynamodb_backends[ACCOUNT][REGION].get_table(name)
    except Exception:  # noqa: BLE001 - no such table: nothing stored
        return None


def _stored(table: Any, key: dict) -> Any:
    """moto's own item (live: moto changes it in place), or None."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    from local.fast_dynamodb import stored_item

    if table is None or "pk" not in key:
        return None
    return stored_item(table, DynamoType(key["pk"]), DynamoType(key["sk"]) if "sk" in key else None)


@dataclass(frozen=True)
class Image:
    """What a write's cost depends on, of one item at one moment: its size and its key in every index of the
    table (None where the item lacks an index's key attributes, i.e. is not in that index)."""

    size: int
    index_keys: dict[str, tuple | None]


def indexes(table: Any) -> list[tuple[str, tuple[str, ...]]]:
    """(index name, its key attributes) of every secondary index of a moto table, global and local."""
    if table is None:
        return []
    return [
        (index.name, tuple(k["AttributeName"] for k in index.schema))
        for index in [*getattr(table, "global_indexes", []), *getattr(table, "indexes", [])]
    ]


def image(item: Any, index_specs: list[tuple[str, tuple[str, ...]]]) -> Image | None:
    """A copy of what counts of a moto item, independent of later changes to it."""
    if item is None:
        return None
    for _ in range(5):  # another thread may be writing the item outside the meter's view: read it again
        try:
            attrs = dict(item.attrs)
            keys = {
                name: tuple(json.dumps(attrs[a].to_json(), sort_keys=True) for a in names)
                if all(a in attrs for a in names)
                else None
                for name, names in index_specs
            }
            return Image(item.size(), keys)
        except RuntimeError:
            continue
    return Image(item.size(), {name: None for name, _ in index_specs})


def _json_size(item: dict) -> int:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return sum(len(k.encode()) + DynamoType(v).size() for k, v in item.items())


def write_units(before: Image | None, after: Image | None, *, applied: bool = True) -> dict[str, int]:
    """WRU of one item's write, by where they are spent: "table" and each index's name. An index is written
    when the item is or was in it (the images of an index with ALL projected change with any attribute), twice
    when the item's key in it changes (the old entry deleted, the new one put). A write that was not applied
    (its condition failed) costs the table's units for the item's current size, nothing in the indexes."""
    size = max(before.size if before else 0, after.size if after else 0, 1)
    units = math.ceil(size / 1024)
    out = {"table": units}
    if not applied:
        return out
    names = [*(before.index_keys if before else {}), *(after.index_keys if after else {})]
    for name in dict.fromkeys(names):
        old = before.index_keys.get(name) if before else None
        new = after.index_keys.get(name) if after else None
        if old is None and new is None:
            continue
        out[name] = units * (2 if old is not None and new is not None and old != new else 1)
    return out


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
        self._install_bus()

    def _install_bus(self) -> None:
        """Count what the event bus delivers: moto's rules send to their targets inside moto, past the seam."""
        from moto.events.models import Rule
        from moto.utilities.arns import parse_arn

        self._send_to_targets = original = Rule.send_to_targets
        meter = self

        def send_to_targets(rule: Any, event: Any, *args: Any, **kwargs: Any) -> Any:
            if metered() and rule.event_pattern.matches_event(event):
                for target in rule.targets:
                    arn = parse_arn(target["Arn"])
                    meter._count(
                        "sqs.SendMessage.from_bus" if arn.service == "sqs" else f"events.Deliver.{arn.service}",
                        event_entries=1 if arn.service == "events" and arn.resource_type == "event-bus" else 0,
                    )
            return original(rule, event, *args, **kwargs)

        Rule.send_to_targets = send_to_targets

    def uninstall(self) -> None:
        from moto.core.botocore_stubber import BotocoreStubber
        from moto.events.models import Rule

        if self._original is not None:
            BotocoreStubber.__call__ = self._original
        if getattr(self, "_send_to_targets", None) is not None:
            Rule.send_to_targets = self._send_to_targets

    def _count(self, call: str, *, event_entries: int = 0) -> None:
        with self._lock:
            self.reading.calls[call] += 1
            self.reading.by_function[(getattr(_local, "function", None) or "-", call)] += 1
            self.reading.event_entries += event_entries

    def count_log(self, nbytes: int) -> None:
        """One log line of `nbytes` written by the Lambda function running in this thread."""
        if metered():
            function = getattr(_local, "function", None) or "-"
            with self._lock:
                self.reading.log_bytes[function] += nbytes
                self.reading.log_events[function] += 1

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
        out = []
        for name, key, multiplier in self._write_keys(operation, body):
            table = _table(name) if multiplier else None
            specs = indexes(table)
            out.append((table, specs, key, multiplier, image(_stored(table, key), specs) if multiplier else None))
        return out

    def _after(self, service: str, operation: str, body: dict, before: Any, response: Any) -> None:
        rru = wru = 0.0
        entries = sms = 0
        wru_by: Counter = Counter()
        if service == "dynamodb":
            try:
                data = json.loads(response.content or b"{}") if response is not None else {}
            except ValueError:
                data = {}
            ok = response is not None and response.status_code < 400
            for table, specs, key, multiplier, old in before or []:
                if multiplier == 0.0:
                    rru += 1.0  # a transaction's ConditionCheck reads the item (x2 for the transaction)
                    continue
                kind = str(next(iter(key.get("pk", {}).values()), "")).split("#", 1)[0] or "?"
                # a failed conditional write still consumes write units for the item's current size
                after = image(_stored(table, key), specs) if ok else old
                units = write_units(old, after, applied=ok)
                for where, n in units.items():
                    wru_by[(kind, where)] += multiplier * n
                    wru += multiplier * n
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
            self.reading.wru_by.update(wru_by)
            self.reading.event_entries += entries
            self.reading.sms += sms
