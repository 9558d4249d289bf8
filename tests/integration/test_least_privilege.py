"""The functions whose grants are narrowed to partition-key prefixes (deploy.catalog `table_keys`, IAM
`dynamodb:LeadingKeys`) touch no other items: every DynamoDB request they make, as sent, is checked."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from deploy.catalog import FUNCTIONS
from tests.conftest import wait_for
from tests.integration.test_notifications_and_webhooks import register_webhook
from tests.integration.test_webhook_targets import _Context

KEYS_OF = {f.name: f.table_keys for f in FUNCTIONS}


def _pk(item: dict) -> str:
    return item["pk"]["S"]


def partition_keys(operation: str, params: dict) -> list[str]:
    """The table partition-key values a request names (a Scan names none)."""
    if "Key" in params:
        return [_pk(params["Key"])]
    if "Item" in params:
        return [_pk(params["Item"])]
    if operation == "Query":
        names = {v: k for k, v in params.get("ExpressionAttributeNames", {}).items()}
        match = re.search(rf"{re.escape(names['pk'])} = (:\w+)", params["KeyConditionExpression"])
        return [params["ExpressionAttributeValues"][match.group(1)]["S"]]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [k for entry in params["TransactItems"] for part in entry.values() for k in partition_keys("", part)]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        keys = []
        for request in params["RequestItems"].values():
            entries = request["Keys"] if isinstance(request, dict) else request
            for entry in entries:
                inner = entry.get("PutRequest", {}).get("Item") or entry.get("DeleteRequest", {}).get("Key") or entry
                keys.append(_pk(inner))
        return keys
    return []


@pytest.fixture
def requests_of_this_thread(sandbox) -> Any:
    """Every DynamoDB request this test's own thread sends (the sandbox's pumps run on theirs)."""
    seen: list[tuple[str, dict]] = []
    me = threading.get_ident()

    def record(call) -> bool:
        if threading.get_ident() == me and not call.from_workflow:
            seen.append((call.operation, call.params))
        return False  # never a fault: only watching

    fault = sandbox.aws.dynamodb_faults.inject("*", 10**9, when=record)
    yield seen
    sandbox.aws.dynamodb_faults.remove(fault)


def _within(function_name: str, seen: list[tuple[str, dict]]) -> None:
    prefixes = KEYS_OF[function_name]
    assert prefixes, f"{function_name} is narrowed in the catalogue"
    item_requests = [(op, p) for op, p in seen if op not in ("DescribeTable",)]
    assert item_requests, "the function used the table"
    for operation, params in item_requests:
        keys = partition_keys(operation, params)
        assert keys, f"{operation} names no partition key (a Scan is not granted)"
        assert all(k.startswith(prefixes) for k in keys), (operation, keys)


def test_a_webhook_delivery_touches_only_its_companys_items(world, receiver, requests_of_this_thread):
    from notify.domain.webhooks import DeliveryJob
    from notify.handlers import webhooks as handler
    from shared.events import DomainEvent

    register_webhook(world, receiver.url, events=["offer.created"])
    world.add_technician()
    order_id = world.order()["order_id"]
    [first] = wait_for(lambda: receiver.for_order(order_id), timeout=30, what="a delivery")
    requests_of_this_thread.clear()  # only the handler's own requests, from here
    job = DeliveryJob(company_id=world.company_id, event=DomainEvent.model_validate_json(first.body), attempt=1)
    record = {"messageId": "m", "receiptHandle": "r", "body": job.model_dump_json(), "attributes": {}, "eventSource": "aws:sqs"}
    assert handler.handler({"Records": [record]}, _Context(remaining_ms=60_000)) == {"batchItemFailures": []}
    _within("Webhooks", requests_of_this_thread)


def test_a_socket_opened_and_closed_touches_only_its_accounts_items(world, requests_of_this_thread):
    from local import tokens
    from notify.handlers import push

    token = tokens.issue(world.resident_id, "resident")
    opened = push.handler(
        {"requestContext": {"routeKey": "$connect", "connectionId": "conn-lp-1"}, "queryStringParameters": {"token": token}},
        _Context(remaining_ms=10_000),
    )
    assert opened["statusCode"] == 200, opened
    closed = push.handler({"requestContext": {"routeKey": "$disconnect", "connectionId": "conn-lp-1"}}, _Context(10_000))
    assert closed["statusCode"] == 200
    _within("PushConnections", requests_of_this_thread)


@pytest.fixture
def requests_by_function(sandbox) -> Any:
    """Every DynamoDB request each Lambda function sends while the test runs (the sandbox runs a function's handler
    on the invoking thread, so the thread says whose request it is)."""
    current = threading.local()
    lambdas = sandbox.aws.lambdas
    invoke = lambdas.invoke
    seen: dict[str, list[tuple[str, dict]]] = {}

    def invoke_named(function_name: str, handler_path: str, event: Any):
        current.name = function_name
        try:
            return invoke(function_name, handler_path, event)
        finally:
            current.name = None

    def record(call) -> bool:
        name = getattr(current, "name", None)
        if name and not call.from_workflow:
            seen.setdefault(name, []).append((call.operation, call.params))
        return False

    lambdas.invoke = invoke_named
    fault = sandbox.aws.dynamodb_faults.inject("*", 10**9, when=record)
    yield seen
    sandbox.aws.dynamodb_faults.remove(fault)
    lambdas.invoke = invoke


def test_the_workflow_tasks_narrowed_to_the_order_touch_only_its_items(world, observe, timeouts, requests_by_function):
    # An order through its offer, acceptance, completion and rating; and one whose offer expires
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    observe.wait_status(order_id, "assigned")
    assert (
        world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查水管，已拧紧接头"}).status
        == 200
    )
    observe.wait_status(order_id, "completed")
    assert world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 5}).status == 201
    observe.wait_status(order_id, "closed")
    timeouts(offer=1)
    world.add_technician(metres_east=300)
    observe.wait_status(world.order()["order_id"], "escalated")
    for name in ("OfferToTechnician", "ExpireOffer", "AwaitCompletion", "AwaitRating"):
        _within(name, requests_by_function.get(name, []))
    for name in {"AwaitDispatch", "AwaitApproval"} & set(requests_by_function):  # the escalated order's wait, if begun
        _within(name, requests_by_function[name])
