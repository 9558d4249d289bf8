"""The cost meter (bench/meter.py) counts what DynamoDB and the event bus would bill: every index of the table,
an index key that changes (a delete and a put), the item as it was before an in-place update, and the SQS sends
an event bus rule makes inside moto.

Against the session's sandbox, on a table and a bus of these tests' own. The meter counts every thread, and the
sandbox's background work (sessions, jobs) may write while a test runs, so each test reads only the units of its
own items (the METERTEST kind)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bench.meter import Meter, in_function

TABLE = "meter-test"
FUNCTION = "MeterTest"


@pytest.fixture(scope="module")
def dynamodb(sandbox) -> Any:
    from local.runtime import table_definition

    client = sandbox.aws.client("dynamodb")
    if TABLE not in client.list_tables()["TableNames"]:
        definition = {k: v for k, v in table_definition().items() if k != "StreamSpecification"}
        client.create_table(**{**definition, "TableName": TABLE})
    return client


@pytest.fixture
def meter() -> Iterator[Meter]:
    m = Meter()
    m.install()
    yield m
    m.uninstall()


def _key() -> dict:
    return {"pk": {"S": f"METERTEST#{uuid.uuid4().hex}"}, "sk": {"S": "ITEM"}}


def _wru(reading: Any, kind: str = "METERTEST") -> dict[str, float]:
    return {where: n for (k, where), n in reading.wru_by.items() if k == kind}


def test_an_update_that_changes_an_index_key_writes_that_index_twice(dynamodb, meter):
    # Given an item in gsi1 (under 1 KB: 1 unit a write)
    key = _key()
    dynamodb.put_item(TableName=TABLE, Item={**key, "gsi1pk": {"S": "A"}, "gsi1sk": {"S": "1"}})
    before = meter.take()
    # When an update moves it to another gsi1 partition
    with in_function(FUNCTION):
        dynamodb.update_item(
            TableName=TABLE, Key=key, UpdateExpression="SET gsi1pk = :b", ExpressionAttributeValues={":b": {"S": "B"}}
        )
    used = meter.take().minus(before)
    # Then gsi1 is written twice (the old entry deleted, the new one put), the table once
    assert _wru(used) == {"table": 1, "gsi1": 2}


def test_the_fifth_index_is_counted(dynamodb, meter):
    # When an item with gsi5's keys only is put
    before = meter.take()
    with in_function(FUNCTION):
        dynamodb.put_item(TableName=TABLE, Item={**_key(), "gsi5pk": {"S": "LOGIN#x"}, "gsi5sk": {"S": "u1"}})
    used = meter.take().minus(before)
    # Then gsi5 is written as well as the table
    assert _wru(used) == {"table": 1, "gsi5": 1}


def test_a_shrinking_update_is_priced_by_the_item_as_it_was_before(dynamodb, meter):
    # Given an item of about 3 KB (moto updates its stored item in place)
    key = _key()
    dynamodb.put_item(TableName=TABLE, Item={**key, "payload": {"S": "x" * 3000}})
    before = meter.take()
    # When an update removes most of it
    with in_function(FUNCTION):
        dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="REMOVE payload")
    used = meter.take().minus(before)
    # Then the write is priced by the larger image, the one before the call (3 units), not the item after it
    assert _wru(used) == {"table": 3}


def test_an_image_does_not_change_with_the_item_it_was_taken_of(dynamodb):
    from bench.meter import _stored, _table, image, indexes

    key = _key()
    dynamodb.put_item(TableName=TABLE, Item={**key, "gsi2pk": {"S": "A"}, "gsi2sk": {"S": "1"}})
    table = _table(TABLE)
    taken = image(_stored(table, key), indexes(table))
    dynamodb.update_item(
        TableName=TABLE,
        Key=key,
        UpdateExpression="SET gsi2pk = :b, payload = :payload",
        ExpressionAttributeValues={":b": {"S": "B"}, ":payload": {"S": "y" * 2000}},
    )
    assert taken.index_keys["gsi2"] == ('{"S": "A"}', '{"S": "1"}') and taken.size < 1024
    assert image(_stored(table, key), indexes(table)).index_keys["gsi2"] == ('{"S": "B"}', '{"S": "1"}')


def test_the_sqs_sends_an_event_bus_rule_makes_are_counted(sandbox, meter):
    # Given a bus whose rule feeds a queue
    events, sqs = sandbox.aws.client("events"), sandbox.aws.client("sqs")
    bus, rule = f"meter-test-{uuid.uuid4().hex[:8]}", "meter-test-rule"
    events.create_event_bus(Name=bus)
    url = sqs.create_queue(QueueName=bus)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["meter.test"]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    before = meter.take()
    # When two events are put, one the rule matches
    with in_function(FUNCTION):
        events.put_events(
            Entries=[
                {"Source": "meter.test", "DetailType": "t", "Detail": "{}", "EventBusName": bus},
                {"Source": "other", "DetailType": "t", "Detail": "{}", "EventBusName": bus},
            ]
        )
    used = meter.take().minus(before)
    # Then both entries are counted, and the one SQS send the bus made for the matching one
    assert used.by_function[(FUNCTION, "sqs.SendMessage.from_bus")] == 1
    assert used.event_entries >= 2
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])) == 1
