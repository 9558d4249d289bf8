"""In AWS each concurrent invocation of a function runs in a container of its own. The sandbox runs them
as threads of one process, so request state that Powertools keeps per process (the current event, the
route's context) must be per invocation here too, or one caller would be answered as another."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from identity.domain.records import User

CALLERS = 8
ROUNDS = 12


@pytest.fixture(autouse=True)
def switch_threads_often():
    """Switch threads every microsecond instead of every 5 ms, so interleavings that are rare become common."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_concurrent_requests_to_one_function_are_each_answered_for_their_own_caller(sandbox, api):
    from identity.store import accounts

    residents = [f"res_concurrent_{i}" for i in range(CALLERS)]
    for user_id in residents:
        accounts.put_user(User(user_id=user_id, role="resident", name=f"并发居民{user_id[-1]}"))

    def ask_who_i_am(user_id: str) -> list[str]:
        # GET /me and GET /orders are both routes of the orders function: they share its resolver.
        answers = []
        for _ in range(ROUNDS):
            me = api.call(user_id, "resident", "GET", "/me")
            answers.append(me.body["user_id"] if me.status == 200 else f"{me.status}")
            assert api.call(user_id, "resident", "GET", "/orders").status == 200
        return answers

    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        answers = dict(zip(residents, pool.map(ask_who_i_am, residents), strict=True))

    wrong = {user: [a for a in said if a != user] for user, said in answers.items()}
    assert not any(wrong.values()), wrong


def test_concurrent_requests_with_different_path_parameters_each_get_their_own(sandbox, api):
    from tests.conftest import make_world

    companies = [make_world(api).company_id for _ in range(4)]
    people_supervisor = "sup_tongzhou"

    def read_credit(company_id: str) -> list[str]:
        answers = []
        for _ in range(ROUNDS):
            record = api.call(people_supervisor, "supervisor", "GET", f"/credit/companies/{company_id}")
            answers.append(record.body.get("company_id", str(record.status)) if record.status == 200 else str(record.status))
        return answers

    with ThreadPoolExecutor(max_workers=len(companies) * 2) as pool:
        answers = list(zip(companies * 2, pool.map(read_credit, companies * 2), strict=True))

    wrong = [(company, a) for company, said in answers for a in said if a != company]
    assert not wrong, wrong
