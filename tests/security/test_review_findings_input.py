"""Regression tests of the security review's input findings, through the sandbox's gateway (the events API Gateway
sends): each failed on the code before its fix."""

from __future__ import annotations

import json

import pytest


def _raw(api, user_id: str, role: str, method: str, path: str, raw: bytes):
    from local import tokens

    headers = {"content-type": "application/json", "authorization": f"Bearer {tokens.issue(user_id, role)}"}
    response = api.sandbox.gateway.handle(method, path, headers, raw)
    return response.status, json.loads(response.body) if response.body else None


# --- M-4: parser crashes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 2000 + b"]" * 2000,  # nested 2,000 deep
        b'{"type": "emergency", "description": ' + b'{"a": ' * 100 + b"1" + b"}" * 101,
        b'{"type": "emergency", "description": "x", "n": ' + b"9" * 5000 + b"}",  # an integer of 5,000 digits
        b'{"type": NaN}',
        b'{"description": "' + b"x" * (70 * 1024) + b'"}',  # larger than the cap
        b"{not json",
    ],
    ids=["deep-array", "deep-object", "huge-integer", "nan", "too-large", "malformed"],
)
@pytest.mark.parametrize(
    "user_id,role,method,path",
    [("res_wang", "resident", "POST", "/orders"), ("tech_zhao", "technician", "PUT", "/technicians/me/availability")],
    ids=["orders", "availability"],
)
def test_every_unparseable_body_is_a_400_invalid_body(api, raw, user_id, role, method, path):
    status, body = _raw(api, user_id, role, method, path, raw)
    assert status == 400, body
    assert body["error"]["code"] == "invalid_body" and body["error"]["message"]


# --- L-7: ids in paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["x" * 101, "ord_%00", "ord%20x", "%E7%8E%8B", "ord_a;b", "-ord"], ids=repr)
def test_an_id_in_a_path_has_one_shape(api, bad):
    for user_id, role, method, path in [
        ("res_wang", "resident", "GET", f"/orders/{bad}"),
        ("tech_zhao", "technician", "POST", f"/offers/{bad}/decline"),
        ("sup_tongzhou", "supervisor", "GET", f"/credit/companies/{bad}"),
    ]:
        status, body = _raw(api, user_id, role, method, path, b"")
        assert status == 400 and body["error"]["code"] == "invalid_id", (path, status, body)


def test_the_api_document_gives_every_path_id_its_pattern():
    from shared.inputs import ID_PATTERN
    from shared.openapi import openapi_document

    for path, operations in openapi_document()["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"].get("pattern") in (ID_PATTERN, r"^[a-z0-9_]{1,64}$"), path
