"""The sandbox's transactions (local.fast_dynamodb.FastDynamoDB) keep DynamoDB's all-or-nothing rule:
a cancelled transaction leaves no item and no stream record behind, a successful one writes all."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from local.runtime import ACCOUNT, REGION, TABLE_NAME


@pytest.fixture
def dynamodb(sandbox):
    return sandbox.aws.client("dynamodb")


def _key(pk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": "ITEM"}}


def _stream_records_for(*pks: str) -> list[tuple[str, str]]:
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[ACCOUNT][REGION].tables[TABLE_NAME].stream_shard
    found = []
    for record in list(shard.items):
        pk = record.record["dynamodb"]["Keys"]["pk"]["S"]
        if pk in pks:
            found.append((record.record["eventName"], pk))
    return found


def test_a_cancelled_transaction_leaves_nothing_behind(dynamodb):
    existing, new = f"TEST#{uuid.uuid4()}", f"TEST#{uuid.uuid4()}"
    dynamodb.put_item(TableName=TABLE_NAME, Item={**_key(existing), "n": {"N": "1"}})
    before = _stream_records_for(existing, new)

    with pytest.raises(ClientError) as failure:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE_NAME, "Item": {**_key(new), "n": {"N": "7"}}}},
                {
                    "Update": {
                        "TableName": TABLE_NAME,
                        "Key": _key(existing),
                        "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {
                    "Delete": {
                        "TableName": TABLE_NAME,
                        "Key": _key(f"TEST#{uuid.uuid4()}"),
                        "ConditionExpression": "attribute_exists(pk)",  # fails: no such item
                    }
                },
            ]
        )

    assert failure.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert "Item" not in dynamodb.get_item(TableName=TABLE_NAME, Key=_key(new))
    assert dynamodb.get_item(TableName=TABLE_NAME, Key=_key(existing))["Item"]["n"] == {"N": "1"}
    assert _stream_records_for(existing, new) == before


def test_a_successful_transaction_writes_every_item_and_its_stream_records(dynamodb):
    first, second = f"TEST#{uuid.uuid4()}", f"TEST#{uuid.uuid4()}"
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE_NAME, "Item": {**_key(first), "n": {"N": "1"}}}},
            {"Put": {"TableName": TABLE_NAME, "Item": {**_key(second), "n": {"N": "2"}}}},
        ]
    )

    assert dynamodb.get_item(TableName=TABLE_NAME, Key=_key(first))["Item"]["n"] == {"N": "1"}
    assert dynamodb.get_item(TableName=TABLE_NAME, Key=_key(second))["Item"]["n"] == {"N": "2"}
    assert sorted(_stream_records_for(first, second)) == sorted([("INSERT", first), ("INSERT", second)])
