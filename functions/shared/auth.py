"""The caller and role checks. A token (verified by API Gateway's JWT authorizer, or a company's signature by
shared.partner) names the account (`sub`) and nothing else is taken from it: the role and the status come from
the account record, read on every call (once per invocation, however many times the handler asks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from shared.errors import Forbidden, Unauthenticated
from shared.lifecycle import USABLE_ACCOUNT_STATUSES, Role
from shared.records import User


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: Role


# The accounts read during the current invocation (shared.api.resolve opens one for each event); outside of one,
# every call reads the account.
_accounts: ContextVar[dict[str, User | None] | None] = ContextVar("linli_accounts", default=None)


@contextmanager
def one_invocation() -> Iterator[None]:
    token = _accounts.set({})
    try:
        yield
    finally:
        _accounts.reset(token)


def subject(claims: dict | None) -> str:
    if not claims or not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Unauthenticated()
    return claims["sub"]


def _load(user_id: str) -> User | None:
    from shared.dal import people

    return people.get_user(user_id)


def account_of(user_id: str, load: Callable[[str], User | None] = _load) -> User | None:
    cache = _accounts.get()
    if cache is None:
        return load(user_id)
    if user_id not in cache:
        cache[user_id] = load(user_id)
    return cache[user_id]


def caller_from_account(user_id: str, account: User | None) -> Caller:
    if account is None or account.status not in USABLE_ACCOUNT_STATUSES:
        raise Forbidden("账号不可用（已停用或不存在）", "This account is suspended or does not exist.")
    if account.role not in set(Role):
        raise Forbidden("账号角色无效", "The account has no valid role.")
    return Caller(user_id=user_id, role=Role(account.role))


def caller_from_claims(claims: dict | None, load: Callable[[str], User | None] = _load) -> Caller:
    """The caller the verified claims name, if their account exists and is usable, with the account's role."""
    user_id = subject(claims)
    return caller_from_account(user_id, account_of(user_id, load))


def require_role(caller: Caller, *roles: Role) -> None:
    if caller.role not in roles:
        raise Forbidden()
