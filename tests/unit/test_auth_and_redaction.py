import json

import pytest

from shared.auth import caller_from_claims
from shared.errors import Forbidden, Unauthenticated
from shared.workflow import redact_tokens


def test_claims_as_http_api_passes_them():
    caller = caller_from_claims({"sub": "u1", "cognito:groups": "[resident]"})
    assert (caller.user_id, caller.role) == ("u1", "resident")
    assert caller_from_claims({"sub": "u1", "cognito:groups": ["supervisor"]}).role == "supervisor"


@pytest.mark.parametrize(
    "claims, error",
    [
        (None, Unauthenticated),
        ({}, Unauthenticated),
        ({"sub": "u"}, Forbidden),
        ({"sub": "u", "cognito:groups": "[admin]"}, Forbidden),
        ({"sub": "u", "cognito:groups": "[resident supervisor]"}, Forbidden),
    ],
)
def test_bad_identities_are_refused(claims, error):
    with pytest.raises(error):
        caller_from_claims(claims)


def test_task_tokens_are_redacted_even_inside_json_strings():
    event = {
        "taskScheduledEventDetails": {
            "parameters": json.dumps({"FunctionName": "f", "Payload": {"order_id": "o", "task_token": "SECRET"}})
        }
    }
    assert "SECRET" not in json.dumps(redact_tokens(event))
    assert "o" in json.loads(redact_tokens(event)["taskScheduledEventDetails"]["parameters"])["Payload"]["order_id"]
