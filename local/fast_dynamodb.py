"""Where moto's DynamoDB costs O(table) per call, the sandbox makes it cost O(items touched).

moto keeps a table as a dict of partitions and answers correctly, but two of its paths grow with the
table: every Query (on the table or an index) sorts the whole table and filters it, and every
transaction deep-copies the whole table once per item as its backup. A test session or a demo
writes tens of thousands of items, so both became the sandbox's main cost. A third cost grows with
the answer: moto's response serializer walks botocore's shape of every attribute of every item
returned, though item answers are already DynamoDB JSON.

The table patches lean on SerializedDynamoDB: every DynamoDB call runs under one lock, so no other
call sees the table while a patch is at work.
"""

from __future__ import annotations

import base64
import calendar
import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

# Answers made of items and keys: their JSON is the result as it stands (no timestamps, no aliases).
ITEM_OPERATIONS = frozenset(
    {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
)

_ItemKey = tuple[DynamoType, DynamoType | None]


class FastDynamoDB:
    """Installs both patches; `uninstall` puts moto back as it was."""

    def __init__(self) -> None:
        self._originals = {
            (Table, "query"): Table.query,
            (Table, "put_item"): Table.put_item,
            (Table, "delete_item"): Table.delete_item,
            (DynamoDBBackend, "update_item"): DynamoDBBackend.update_item,
            (DynamoDBBackend, "transact_write_items"): DynamoDBBackend.transact_write_items,
            (DynamoResult, "execute_result"): DynamoResult.execute_result,
            (DynamoDBStreamsHandler, "get_records"): DynamoDBStreamsHandler.get_records,
        }

    def install(self) -> None:
        original = dict(self._originals)
        original_query = original[(Table, "query")]

        def query(table: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
            candidates = _candidates(table, hash_key, args, kwargs)
            if candidates is None:
                return original_query(table, hash_key, *args, **kwargs)
            # moto filters and sorts what all_items() returns: hand it the partition instead of the table.
            table.all_items = lambda: candidates  # type: ignore[method-assign]
            try:
                return original_query(table, hash_key, *args, **kwargs)
            finally:
                del table.all_items

        def put_item(table: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            item = original[(Table, "put_item")](table, item_attrs, *args, **kwargs)
            _reindex(table, item.hash_key, item.range_key)
            return item

        def delete_item(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Any:
            try:
                return original[(Table, "delete_item")](table, hash_key, range_key)
            finally:
                _reindex(table, hash_key, range_key)

        def update_item(backend: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            # moto updates the stored item in place, so the index learns of it here.
            try:
                return original[(DynamoDBBackend, "update_item")](backend, table_name, key, *args, **kwargs)
            finally:
                table = backend.tables.get(table_name)
                if table is not None:
                    _reindex(table, *backend.get_keys_value(table, key))

        def transact_write_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
            undo = _UndoLog(backend, transact_items)
            Table.__deepcopy__ = _same_table  # the backup moto takes: the undo log does its work
            try:
                original[(DynamoDBBackend, "transact_write_items")](backend, transact_items)
            except Exception:
                undo.restore()
                raise
            finally:
                del Table.__deepcopy__

        def execute_result(result: DynamoResult, context: Any) -> Any:
            operation = context.operation_model
            if operation.name not in ITEM_OPERATIONS:
                return original[(DynamoResult, "execute_result")](result, context)
            members = operation.output_shape.members
            answer = {key: value for key, value in result.result.items() if key in members and value is not None}
            if "ConsumedCapacity" in answer:
                answer["ConsumedCapacity"] = _as_doubles(answer["ConsumedCapacity"])
            content_type = f"application/x-amz-json-{operation.service_model.metadata.get('jsonVersion', '1.0')}"
            return 200, {"Content-Type": content_type}, json.dumps(answer, default=_wire_value)

        def get_records(handler: DynamoDBStreamsHandler) -> str:
            # The stream pump reads every record's old and new image: the same shape-walk, per record.
            answer = handler.backend.get_records(handler._get_param("ShardIterator"), handler._get_param("Limit") or 1000)
            return json.dumps(answer, default=_wire_value)

        Table.query = query
        Table.put_item = put_item
        Table.delete_item = delete_item
        DynamoDBBackend.update_item = update_item
        DynamoDBBackend.transact_write_items = transact_write_items
        DynamoResult.execute_result = execute_result
        DynamoDBStreamsHandler.get_records = get_records

    def uninstall(self) -> None:
        for (owner, name), function in self._originals.items():
            setattr(owner, name, function)

    @contextmanager
    def moto_itself(self) -> Iterator[None]:
        """moto's own Query and answers for a while, so a test can compare them with the patched ones."""
        answers = ((Table, "query"), (DynamoResult, "execute_result"), (DynamoDBStreamsHandler, "get_records"))
        patched = {key: getattr(*key) for key in answers}
        for owner, name in patched:
            setattr(owner, name, self._originals[(owner, name)])
        try:
            yield
        finally:
            for (owner, name), function in patched.items():
                setattr(owner, name, function)


def _wire_value(value: Any) -> Any:
    """What moto's serializer writes for the two non-JSON values in these answers."""
    if isinstance(value, bytes):  # B and BS: base64
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):  # a stream record's creation time: epoch seconds, to the millisecond
        seconds = calendar.timegm(value.timetuple())
        return seconds + (value.microsecond // 1000) / 1000.0 if value.microsecond else seconds
    raise TypeError(f"not JSON: {type(value).__name__}")


def _as_doubles(capacity: Any) -> Any:
    """Capacity units are doubles in the API's shape (moto counts some as ints)."""
    if isinstance(capacity, list):
        return [_as_doubles(entry) for entry in capacity]
    if isinstance(capacity, dict):
        return {key: float(value) if key.endswith("CapacityUnits") else _as_doubles(value) for key, value in capacity.items()}
    return capacity


# Queries ------------------------------------------------------------------------------------------


class _IndexPartitions:
    """For each global secondary index, its partitions: hash value → {table key: item}; and for each
    table key, the partitions it is in, so a changed item leaves its old ones."""

    def __init__(self, table: Table) -> None:
        self.hash_attributes = {
            index.name: [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
            for index in table.global_indexes or []
        }
        self.partitions: dict[tuple[str, tuple], dict[_ItemKey, Any]] = {}
        self.memberships: dict[_ItemKey, list[tuple[str, tuple]]] = {}
        for item in _stored_items(table):
            self.add(item)

    def add(self, item: Any) -> None:
        key = (item.hash_key, item.range_key)
        joined = []
        for index_name, attributes in self.hash_attributes.items():
            values = tuple(item.attrs.get(name) for name in attributes)
            if all(values):
                partition = (index_name, values)
                self.partitions.setdefault(partition, {})[key] = item
                joined.append(partition)
        if joined:
            self.memberships[key] = joined

    def remove(self, key: _ItemKey) -> None:
        for partition in self.memberships.pop(key, []):
            members = self.partitions[partition]
            members.pop(key, None)
            if not members:
                del self.partitions[partition]

    def items(self, index_name: str, hash_values: tuple) -> list[Any]:
        return list(self.partitions.get((index_name, hash_values), {}).values())


def _partitions(table: Table) -> _IndexPartitions:
    partitions = table.__dict__.get("_linli_index_partitions")
    if partitions is None:
        partitions = table._linli_index_partitions = _IndexPartitions(table)
    return partitions


def _candidates(table: Table, hash_key: Any, args: tuple, kwargs: dict) -> list[Any] | None:
    """The items a query can match, or None where the patch does not know (moto then scans)."""
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    if not index_name:
        if hash_key is None:
            return None
        partition = table.items.get(hash_key)  # .get: table.items is a defaultdict
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    partitions = _partitions(table)
    attributes = partitions.hash_attributes.get(index_name)
    conditions = dict(kwargs.get("hash_key_conditions") or [])
    if not attributes or set(conditions) != set(attributes):
        return None  # a local index, or a condition this patch does not read
    return partitions.items(index_name, tuple(conditions[name] for name in attributes))


def _reindex(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
    partitions = table.__dict__.get("_linli_index_partitions")
    if partitions is None:
        return  # built from the table at the first index query
    partitions.remove((hash_key, range_key))
    item = stored_item(table, hash_key, range_key)
    if item is not None:
        partitions.add(item)


def stored_item(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Any:
    """The item as moto holds it, or None, read without changing the table: moto's own Table.get_item indexes its
    defaultdict, which adds an empty partition for a key not stored, and so changes the table under a query
    iterating it in another thread (a read outside the DynamoDB lock, by the meter or a fault predicate: a 500
    in the soak)."""
    partition = table.items.get(hash_key)
    if partition is None or not table.range_key_attr:
        return partition
    return partition.get(range_key)


def _stored_items(table: Table) -> Iterator[Any]:
    for partition in table.items.values():
        yield from partition.values() if table.range_key_attr else [partition]


# Transactions -------------------------------------------------------------------------------------


def _same_table(table: Any, memo: dict) -> Any:
    return table


def _transaction_keys(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Iterator[tuple[Table, _ItemKey]]:
    for entry in transact_items:
        op = next(iter(entry.values()), {})
        table = backend.tables.get(op.get("TableName", ""))
        if table is None:
            continue
        key = op.get("Key") or {
            name: op.get("Item", {}).get(name) for name in (table.hash_key_attr, table.range_key_attr) if name is not None
        }
        if table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
            continue
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        yield table, (hash_value, range_value)


class _UndoLog:
    """The items a transaction may write, as they were before it, and each stream's length: moto's
    backup is a deep copy of every touched table, once per item."""

    def __init__(self, backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        self.backend = backend
        self.previous: list[tuple[Table, _ItemKey, Any]] = []
        self.stream_lengths: dict[str, int] = {}
        for table, key in _transaction_keys(backend, transact_items):
            self.previous.append((table, key, copy.deepcopy(stored_item(table, *key))))
            if table.stream_shard is not None:
                self.stream_lengths.setdefault(table.name, len(table.stream_shard.items))

    def restore(self) -> None:
        for table, (hash_value, range_value), item in reversed(self.previous):
            if range_value is None:
                table.items.pop(hash_value, None)
                if item is not None:
                    table.items[hash_value] = item
            else:
                table.items[hash_value].pop(range_value, None)
                if item is not None:
                    table.items[hash_value][range_value] = item
                elif not table.items[hash_value]:
                    del table.items[hash_value]
            _reindex(table, hash_value, range_value)
        for name, length in self.stream_lengths.items():
            shard = self.backend.tables[name].stream_shard
            del shard.items[length:]
