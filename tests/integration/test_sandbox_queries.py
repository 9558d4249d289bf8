"""The sandbox's queries (local.fast_dynamodb) read one partition instead of sorting the whole table:
they must answer exactly what moto itself answers, after every kind of write that can move an item
between an index's partitions (put, update, remove, delete, batch, transactions that succeed or are
cancelled)."""

from __future__ import annotations

import random
import uuid

import pytest
from botocore.exceptions import ClientError

from local.runtime import table_definition

HASH_VALUES = ["A", "B", "C"]
INDEXES = ["gsi1", "gsi2"]


@pytest.fixture
def table(sandbox):
    """A table of its own, shaped like the platform's, so the comparison sees only this test's items."""
    dynamodb = sandbox.aws.client("dynamodb")
    name = f"query-check-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(**{**table_definition(), "TableName": name})
    yield dynamodb, name
    dynamodb.delete_table(TableName=name)


def _key(number: int) -> dict:
    return {"pk": {"S": f"ITEM#{number % 7}"}, "sk": {"S": f"S#{number:03d}"}}


def _index_attributes(rng: random.Random) -> dict:
    attributes = {}
    for index in INDEXES:
        if rng.random() < 0.7:  # some items are in no partition of an index
            attributes[f"{index}pk"] = {"S": rng.choice(HASH_VALUES)}
            attributes[f"{index}sk"] = {"S": f"{rng.randrange(5)}"}
    return attributes


def _write_something(dynamodb, name: str, rng: random.Random) -> None:
    number = rng.randrange(40)
    kind = rng.choice(["put", "update", "remove", "delete", "batch", "transaction", "cancelled"])
    if kind == "put":
        dynamodb.put_item(TableName=name, Item={**_key(number), **_index_attributes(rng)})
    elif kind == "update":
        index = rng.choice(INDEXES)
        dynamodb.update_item(
            TableName=name,
            Key=_key(number),
            UpdateExpression=f"SET {index}pk = :h, {index}sk = :s",
            ExpressionAttributeValues={":h": {"S": rng.choice(HASH_VALUES)}, ":s": {"S": "9"}},
        )
    elif kind == "remove":
        dynamodb.update_item(TableName=name, Key=_key(number), UpdateExpression=f"REMOVE {rng.choice(INDEXES)}pk")
    elif kind == "delete":
        dynamodb.delete_item(TableName=name, Key=_key(number))
    elif kind == "batch":
        requests = [{"PutRequest": {"Item": {**_key(number + i), **_index_attributes(rng)}}} for i in range(3)]
        requests.append({"DeleteRequest": {"Key": _key(number + 3)}})
        dynamodb.batch_write_item(RequestItems={name: requests})
    else:
        items = [
            {"Put": {"TableName": name, "Item": {**_key(number), **_index_attributes(rng)}}},
            {
                "Update": {
                    "TableName": name,
                    "Key": _key(number + 1),
                    "UpdateExpression": "SET gsi2pk = :h, gsi2sk = :s",
                    "ExpressionAttributeValues": {":h": {"S": rng.choice(HASH_VALUES)}, ":s": {"S": "1"}},
                }
            },
            {"Delete": {"TableName": name, "Key": _key(number + 2)}},
        ]
        if kind == "cancelled":
            items.append({"ConditionCheck": {"TableName": name, "Key": _key(99), "ConditionExpression": "attribute_exists(pk)"}})
        try:
            dynamodb.transact_write_items(TransactItems=items)
        except ClientError as error:
            assert kind == "cancelled" and error.response["Error"]["Code"] == "TransactionCanceledException"


def _every_answer(dynamodb, name: str) -> list:
    answers = []
    for index in INDEXES:
        for value in HASH_VALUES:
            for forward in (True, False):
                pages, start = [], {}
                while True:  # small pages, so pagination from a start key is compared too
                    page = dynamodb.query(
                        TableName=name,
                        IndexName=index,
                        KeyConditionExpression="#h = :h AND #s >= :s",
                        ExpressionAttributeNames={"#h": f"{index}pk", "#s": f"{index}sk"},
                        ExpressionAttributeValues={":h": {"S": value}, ":s": {"S": "1"}},
                        ScanIndexForward=forward,
                        Limit=4,
                        **start,
                    )
                    pages.append((page["Items"], page.get("LastEvaluatedKey")))
                    if "LastEvaluatedKey" not in page:
                        break
                    start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
                answers.append(pages)
    for partition in range(7):
        page = dynamodb.query(
            TableName=name,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": {"S": f"ITEM#{partition}"}, ":s": {"S": "S#0"}},
            ScanIndexForward=partition % 2 == 0,
        )
        answers.append(page["Items"])
    return answers


def test_queries_answer_what_moto_answers_after_every_kind_of_write(sandbox, table):
    dynamodb, name = table
    rng = random.Random(20261125)
    compared = 0
    for round_number in range(12):
        for _ in range(25):
            _write_something(dynamodb, name, rng)
        fast = _every_answer(dynamodb, name)
        with sandbox.aws.fast_dynamodb.moto_itself():
            expected = _every_answer(dynamodb, name)
        assert fast == expected, f"round {round_number}"
        compared += len(expected)
    assert compared == 12 * (len(INDEXES) * len(HASH_VALUES) * 2 + 7)
    assert any(pages[0][0] for pages in fast[:12]), "the index partitions compared were all empty"


RICH_ITEM = {
    "s": {"S": "王奶奶 🏠"},
    "n": {"N": "12.50"},
    "b": {"B": b"\x00\xffphoto"},
    "bs": {"BS": [b"a", b"\x01"]},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2.5"]},
    "bool": {"BOOL": False},
    "null": {"NULL": True},
    "l": {"L": [{"S": "a"}, {"N": "1"}, {"M": {"deep": {"B": b"\x02"}}}]},
    "m": {"M": {"k": {"S": "v"}, "e": {"L": []}}},
    "gsi1pk": {"S": "A"},
    "gsi1sk": {"S": "1"},
}


def _item_calls(name: str) -> list:
    key = _key(1)
    return [
        ("put_item", {"Item": {**key, **RICH_ITEM}, "ReturnConsumedCapacity": "TOTAL"}),
        ("put_item", {"Item": {**key, **RICH_ITEM, "n": {"N": "13"}}, "ReturnValues": "ALL_OLD"}),
        ("get_item", {"Key": key}),
        ("get_item", {"Key": key, "ProjectionExpression": "b, l[2], m.k", "ReturnConsumedCapacity": "INDEXES"}),
        ("get_item", {"Key": _key(2)}),
        (
            "update_item",
            {
                "Key": key,
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
                "ReturnValues": "ALL_NEW",
            },
        ),
        ("update_item", {"Key": key, "UpdateExpression": "REMOVE bs", "ReturnValues": "UPDATED_OLD"}),
        ("query", {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": key["pk"]}}),
        (
            "query",
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :h",
                "ExpressionAttributeValues": {":h": {"S": "A"}},
                "Select": "COUNT",
            },
        ),
        (
            "query",
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :h",
                "ExpressionAttributeValues": {":h": {"S": "A"}},
                "Limit": 1,
            },
        ),
        (
            "query",
            {
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": key["pk"]},
                "ReturnConsumedCapacity": "TOTAL",
            },
        ),
        ("scan", {"Limit": 5}),
        ("batch_get_item", {"RequestItems": {name: {"Keys": [key, _key(2)]}}, "ReturnConsumedCapacity": "TOTAL"}),
        (
            "transact_get_items",
            {"TransactItems": [{"Get": {"TableName": name, "Key": key}}, {"Get": {"TableName": name, "Key": _key(2)}}]},
        ),
        ("delete_item", {"Key": key, "ReturnValues": "ALL_OLD"}),
        ("delete_item", {"Key": key}),
    ]


def test_item_answers_are_what_motos_serializer_writes(sandbox, table):
    """The same calls on two identical tables, one answered by the sandbox's JSON, one by moto's serializer."""
    dynamodb, fast_table = table
    moto_table = f"{fast_table}-moto"
    dynamodb.create_table(**{**table_definition(), "TableName": moto_table})
    try:
        for (operation, on_fast), (_, on_moto) in zip(_item_calls(fast_table), _item_calls(moto_table), strict=True):
            fast = _answer(dynamodb, operation, on_fast, fast_table)
            with sandbox.aws.fast_dynamodb.moto_itself():
                expected = _answer(dynamodb, operation, on_moto, moto_table)
            assert fast == expected, operation
    finally:
        dynamodb.delete_table(TableName=moto_table)


def _answer(dynamodb, operation: str, arguments: dict, name: str) -> str:
    if "TransactItems" not in arguments and "RequestItems" not in arguments:
        arguments = {"TableName": name, **arguments}
    answer = getattr(dynamodb, operation)(**arguments)
    answer.pop("ResponseMetadata")
    return repr(answer).replace(name, "TABLE")


def test_stream_records_are_what_motos_serializer_writes(sandbox, table):
    dynamodb, name = table
    for number in range(5):
        dynamodb.put_item(TableName=name, Item={**_key(number), **RICH_ITEM})
        dynamodb.update_item(TableName=name, Key=_key(number), UpdateExpression="REMOVE m")
    dynamodb.delete_item(TableName=name, Key=_key(0))
    streams = sandbox.aws.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    fast = streams.get_records(ShardIterator=iterator)
    with sandbox.aws.fast_dynamodb.moto_itself():
        expected = streams.get_records(ShardIterator=iterator)

    assert len(fast["Records"]) == 11 and fast["Records"] == expected["Records"]


def test_reading_a_stored_item_from_outside_a_call_leaves_the_table_as_it_was(table):
    """The meter and the fault predicates read moto's table directly, outside the DynamoDB lock, while another
    thread's query may be iterating it: such a read must not add anything (moto's own get_item adds an empty
    partition for a key not stored; the soak saw the 500)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType

    from local.fast_dynamodb import stored_item
    from local.runtime import ACCOUNT, REGION

    dynamodb, name = table
    dynamodb.put_item(TableName=name, Item={**_key(1), "n": {"N": "1"}})
    stored = dynamodb_backends[ACCOUNT][REGION].get_table(name)
    partitions = set(stored.items)
    assert stored_item(stored, DynamoType(_key(1)["pk"]), DynamoType(_key(1)["sk"])).attrs["n"] == DynamoType({"N": "1"})
    assert stored_item(stored, DynamoType({"S": "NOT#STORED"}), DynamoType({"S": "ANY"})) is None
    assert set(stored.items) == partitions
    # The hazard it avoids
    stored.get_item(DynamoType({"S": "NOT#STORED"}), DynamoType({"S": "ANY"}))
    assert set(stored.items) != partitions
