"""Property-based fuzzing of every operation of the API's own OpenAPI document, with every role's token
(schemathesis over real HTTP against the sandbox): never a 5xx, every status documented, every body
matching its documented schema, every error in the one documented error shape.

Runs last in the session (`pytest.mark.fuzz`): the callers are personas of their own, but the generated
requests may still change shared things, e.g. a supervisor's catalogue."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import World

CASES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# One test runs every operation × identity × case: its time grows with the API (71 operations with issue 6's proxies),
# beyond the suite's 300 s per test on a loaded 2-core machine.
pytestmark = [pytest.mark.fuzz, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def api_schema(sandbox):
    return schemathesis.openapi.from_url(f"{sandbox.url}/openapi.json")


@pytest.fixture(scope="module")
def fuzz_world(sandbox) -> World:
    from identity.domain.records import User
    from identity.store import accounts
    from tests.conftest import Api, make_world

    world = make_world(Api(sandbox))
    world.add_technician()
    accounts.put_user(User(user_id="sup_fuzz", role="supervisor", name="模糊测试监管员"))
    return world


@pytest.fixture(scope="module")
def tokens(fuzz_world) -> dict[str, str]:
    from local import tokens as issue

    return {
        "resident": issue.issue(fuzz_world.resident_id, "resident"),
        "technician": issue.issue(fuzz_world.technicians[0], "technician"),
        "dispatcher": issue.issue(fuzz_world.dispatcher_id, "dispatcher"),
        "supervisor": issue.issue("sup_fuzz", "supervisor"),
        "anonymous": "",
    }


schema = schemathesis.pytest.from_fixture("api_schema")
CALLS: dict[str, int] = {}


@schema.parametrize()
@settings(
    max_examples=CASES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)
def test_every_operation_with_every_role(case, tokens, sandbox):
    # Each generated request is sent once with each role's token (and once with none).
    for role, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call(base_url=sandbox.url, headers=headers, timeout=30)
        CALLS[role] = CALLS.get(role, 0) + 1
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"] and error["message"] and error["message_en"], role


def test_the_fuzzer_reached_every_operation_with_every_identity(api_schema, tokens):
    """Runs after the fuzzing above (same module): it proves the run was not empty."""
    operations = sum(len(methods) for methods in api_schema.raw_schema["paths"].values())
    total = sum(CALLS.values())
    print(f"\nfuzzing: {operations} operations, {total} requests, {CALLS}")
    assert set(CALLS) == set(tokens)
    assert total >= operations * len(tokens), "at least one generated case per operation and identity"
