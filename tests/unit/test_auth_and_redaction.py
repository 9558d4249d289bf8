import json

import pytest

from identity.domain.records import User
from shared import auth
from shared.auth import caller_from_claims
from shared.errors import Forbidden, Unauthenticated
from shared.workflow import redact_tokens

ACCOUNTS = {
    "u1": User(user_id="u1", role="resident", name="居民"),
    "s1": User(user_id="s1", role="supervisor", name="监管"),
    "gone": User(user_id="gone", role="technician", name="停用", status="suspended"),
    "odd": User(user_id="odd", role="admin", name="无效角色"),
}


def test_only_the_subject_comes_from_the_token_the_role_from_the_account():
    caller = caller_from_claims({"sub": "u1", "cognito:groups": "[supervisor]", "role": "supervisor"}, ACCOUNTS.get)
    assert (caller.user_id, caller.role) == ("u1", "resident")
    assert caller_from_claims({"sub": "s1"}, ACCOUNTS.get).role == "supervisor"


@pytest.mark.parametrize(
    "claims, error",
    [
        (None, Unauthenticated),
        ({}, Unauthenticated),
        ({"sub": ""}, Unauthenticated),
        ({"sub": ["u1"]}, Unauthenticated),
        ({"sub": "nobody"}, Forbidden),  # no such account
        ({"sub": "gone"}, Forbidden),  # suspended
        ({"sub": "odd"}, Forbidden),  # not one of the four roles
    ],
)
def test_bad_identities_are_refused(claims, error):
    with pytest.raises(error):
        caller_from_claims(claims, ACCOUNTS.get)


def test_the_account_is_read_once_per_invocation_and_again_in_the_next():
    reads: list[str] = []

    def load(user_id: str) -> User | None:
        reads.append(user_id)
        return ACCOUNTS.get(user_id)

    with auth.one_invocation():
        for _ in range(3):
            caller_from_claims({"sub": "u1"}, load)
    assert reads == ["u1"]
    with auth.one_invocation():
        caller_from_claims({"sub": "u1"}, load)
    caller_from_claims({"sub": "u1"}, load)  # outside an invocation: always read
    assert reads == ["u1", "u1", "u1"]


def test_a_token_of_an_ended_session_is_refused_and_the_session_read_once_per_invocation():
    reads: list[tuple[str, str]] = []

    def active(user_id: str, session: str) -> bool:
        reads.append((user_id, session))
        return session == "fam_live"

    assert caller_from_claims({"sub": "u1", "sid": "fam_live"}, ACCOUNTS.get, active).role == "resident"
    with pytest.raises(Unauthenticated):
        caller_from_claims({"sub": "u1", "sid": "fam_revoked"}, ACCOUNTS.get, active)
    with pytest.raises(Unauthenticated):
        caller_from_claims({"sub": "u1", "sid": ["fam_live"]}, ACCOUNTS.get, active)
    assert caller_from_claims({"sub": "u1"}, ACCOUNTS.get, active).role == "resident", "no session named, none read"
    reads.clear()
    with auth.one_invocation():
        for _ in range(3):
            caller_from_claims({"sub": "u1", "sid": "fam_live"}, ACCOUNTS.get, active)
    assert reads == [("u1", "fam_live")]


def test_task_tokens_are_redacted_even_inside_json_strings():
    event = {
        "taskScheduledEventDetails": {
            "parameters": json.dumps({"FunctionName": "f", "Payload": {"order_id": "o", "task_token": "SECRET"}})
        }
    }
    assert "SECRET" not in json.dumps(redact_tokens(event))
    assert "o" in json.loads(redact_tokens(event)["taskScheduledEventDetails"]["parameters"])["Payload"]["order_id"]
