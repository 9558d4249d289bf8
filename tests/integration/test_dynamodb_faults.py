"""DynamoDB fault injection (local.runtime.DynamoDBFaults) at the botocore layer, below every SDK's retries,
and what each layer of the data access does with the faults: absorbed within the SDK's retries, reported as
a transient error beyond them, and a write whose answer was lost recognised as done rather than done twice."""

from __future__ import annotations

import itertools
import json
import uuid

import pytest

from local.runtime import TABLE_NAME, DynamoDBError
from orders.domain.steps import Step
from tests.unit.matching_fixtures import order as an_order

pytestmark = pytest.mark.reliability  # make reliability (CI runs it after make test)

_ids = itertools.count(1)
SDK_ATTEMPTS = 4  # PynamoDB's default max_retry_attempts (3) + 1: botocore standard mode's total attempts


def _fresh_user() -> str:
    from identity.domain.records import User
    from identity.store import accounts

    user_id = f"fault_u{next(_ids)}_{uuid.uuid4().hex[:6]}"
    accounts.put_user(User(user_id=user_id, role="resident", name="故障测试"))
    return user_id


def _on_key(prefix: str):
    return lambda call: call.touches(prefix)


@pytest.mark.parametrize("error", list(DynamoDBError))
def test_each_kind_of_fault_is_absorbed_within_the_sdk_retries_and_reported_beyond_them(sandbox, faults, error):
    from pynamodb.exceptions import GetError

    from identity.store import accounts
    from shared.dal.base import is_transient

    user_id = _fresh_user()
    # Given a read that fails as many times as the SDK retries it
    within = faults.dynamodb("GetItem", SDK_ATTEMPTS - 1, error=error, when=_on_key(f"USER#{user_id}"))
    # Then the caller never notices
    assert accounts.get_user(user_id).user_id == user_id
    assert within.fired == SDK_ATTEMPTS - 1 and within.times == 0
    # Given one failure more than that
    beyond = faults.dynamodb("GetItem", SDK_ATTEMPTS, error=error, when=_on_key(f"USER#{user_id}"))
    with pytest.raises(GetError) as failure:
        accounts.get_user(user_id)
    # Then the caller gets an error it can tell from a bug or a lost condition: worth trying again later
    assert beyond.fired == SDK_ATTEMPTS and is_transient(failure.value)


def test_faults_pick_their_calls_and_leave_the_others_alone(sandbox, faults):
    from identity.store import accounts

    mine, other = _fresh_user(), _fresh_user()
    fault = faults.dynamodb("GetItem", 100, error=DynamoDBError.SERVER_ERROR, when=_on_key(f"USER#{mine}"))
    assert accounts.get_user(other).user_id == other and fault.fired == 0
    put = faults.dynamodb("PutItem", 1, when=_on_key(f"USER#{other}"))
    assert accounts.get_user(other) is not None and put.fired == 0, "another operation is not touched"
    faults.clear()
    assert accounts.get_user(mine).user_id == mine


def test_a_transaction_whose_answer_was_lost_is_not_applied_twice(sandbox, faults):
    # DynamoDB takes the SDK's retry of a transaction (same ClientRequestToken) as already done.
    client = sandbox.aws.client("dynamodb")
    key = {"pk": {"S": f"TEST#{uuid.uuid4()}"}, "sk": {"S": "COUNTER"}}
    faults.dynamodb("TransactWriteItems", 1, error=DynamoDBError.RESPONSE_LOST, when=_on_key(key["pk"]["S"]))
    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": TABLE_NAME,
                    "Key": key,
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ]
    )
    assert client.get_item(TableName=TABLE_NAME, Key=key, ConsistentRead=True)["Item"]["n"] == {"N": "1"}


def test_an_order_write_whose_answer_was_lost_is_recognised_as_done(sandbox, faults):
    from orders.store import orders
    from shared.errors import InvalidStatus

    order_id = f"ordlost{next(_ids)}x{uuid.uuid4().hex[:8]}"
    order = an_order(order_id=order_id, status="submitted")
    lost = DynamoDBError.RESPONSE_LOST
    # Creating: applied, answer lost, the SDK's retry meets the order it created
    created = faults.dynamodb("PutItem", 1, error=lost, when=_on_key(f"ORDER#{order_id}"))
    orders.create(order, "arn:test")
    # A status change: the same
    changed = faults.dynamodb("UpdateItem", 1, error=lost, when=_on_key(f"ORDER#{order_id}"))
    moved = orders.transition(order_id, "matching", ["submitted"], actor="workflow", at="2026-11-25T02:00:01.000Z")
    assert created.fired == changed.fired == 1
    assert moved.status == "matching"
    assert [t.status for t in orders.get(order_id).timeline].count("matching") == 1
    # while a real conflict (someone else's change) is still refused
    with pytest.raises(InvalidStatus):
        orders.transition(order_id, "matching", ["submitted"], actor="workflow", at="2026-11-25T02:00:02.000Z")
    with pytest.raises(InvalidStatus):
        orders.create(order.model_copy(update={"created_at": "2026-11-25T03:00:00.000Z"}), "arn:test")


def test_a_wait_claimed_by_a_write_whose_answer_was_lost_is_resumed_once(sandbox, faults):
    from orders.store import callbacks

    order_id = f"ordclaim{next(_ids)}x{uuid.uuid4().hex[:8]}"
    callbacks.register(order_id, Step.COMPLETION, "token-1", at="2026-11-25T02:00:00.000Z")
    faults.dynamodb("UpdateItem", 1, error=DynamoDBError.RESPONSE_LOST, when=_on_key(f"ORDER#{order_id}"))
    assert callbacks.consume(order_id, Step.COMPLETION) == "token-1", "our own claim, though its answer was lost"
    assert callbacks.consume(order_id, Step.COMPLETION) is None, "and nobody else's"
    assert callbacks.token(order_id, Step.COMPLETION) is None


def test_the_sandbox_switch_arms_lists_and_removes_faults(sandbox):
    def call(method: str, path: str, body: object = None):
        response = sandbox.route(method, path, {}, json.dumps(body).encode() if body is not None else b"")
        return response.status, json.loads(response.body)

    status, armed = call("POST", "/dev/faults", {"dynamodb": "UpdateItem", "times": 2, "error": "ThrottlingException"})
    assert status == 201 and armed["fault"]["times_left"] == 2
    status, handler = call("POST", "/dev/faults", {"function": "SelectCandidate", "times": 1})
    assert status == 201
    listed = {f["id"] for f in call("GET", "/dev/faults")[1]["faults"]}
    assert {armed["fault"]["id"], handler["fault"]["id"]} <= listed
    assert call("DELETE", f"/dev/faults/{handler['fault']['id']}") == (200, {"removed": 1})
    assert call("DELETE", f"/dev/faults/{armed['fault']['id']}") == (200, {"removed": 1})
    for bad in (
        {"dynamodb": "UpdateItem", "times": 0},
        {"function": "Nope", "times": 1},
        {"dynamodb": "GetItem", "times": 1, "error": "Boom"},
        [],
    ):
        assert call("POST", "/dev/faults", bad)[0] == 422, bad
    assert not {f["id"] for f in call("GET", "/dev/faults")[1]["faults"]} & {armed["fault"]["id"], handler["fault"]["id"]}


def test_faults_can_be_armed_from_the_environment_at_start(sandbox, monkeypatch):
    monkeypatch.setenv("LINLI_FAULTS", json.dumps([{"dynamodb": "Query", "times": 1, "key_prefix": "NOBODY#"}]))
    sandbox._arm_faults_from_env()
    armed = [f for f in sandbox.aws.active_faults() if getattr(f, "operation", None) == "Query"]
    assert armed and armed[-1].error == DynamoDBError.THROTTLED
    sandbox.aws.remove_fault(armed[-1].fault_id)
