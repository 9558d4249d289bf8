"""The caller and role checks. A token (verified by API Gateway's JWT authorizer, or a company's signature by
shared.partner) names the account (`sub`) and, issued in a sign-in session, that session (`sid`); nothing else is
taken from it: the role and the status come from the account record, read on every call (once per invocation,
however many times the handler asks), and a token of a session that has ended (logout, a reused refresh token,
suspension) is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.errors import Forbidden, Unauthenticated
from shared.roles import USABLE_ACCOUNT_STATUSES, Role

if TYPE_CHECKING:  # the account's record is the identity domain's; the kernel only reads its role and status
    from identity.domain.records import User


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: Role


# The accounts read during the current invocation (shared.api.resolve opens one for each event); outside of one,
# every call reads the account.
_accounts: ContextVar[dict[Any, Any] | None] = ContextVar("linli_accounts", default=None)


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
    # The one place the kernel reads a domain: the caller's account, through the identity domain's published service
    # (imported here, when a call needs it, so the kernel imports no domain at load time).
    from identity.service import accounts

    return accounts.get_user(user_id)


def _once(key: Any, read: Callable[[], Any]) -> Any:
    """`read()`, once per invocation for the same key (every time outside of one)."""
    cache = _accounts.get()
    if cache is None:
        return read()
    if key not in cache:
        cache[key] = read()
    return cache[key]


def account_of(user_id: str, load: Callable[[str], User | None] = _load) -> User | None:
    return _once(user_id, lambda: load(user_id))


def caller_from_account(user_id: str, account: User | None) -> Caller:
    if account is None or account.status not in USABLE_ACCOUNT_STATUSES:
        raise Forbidden("账号不可用（已停用或不存在）", "This account is suspended or does not exist.")
    if account.role not in set(Role):
        raise Forbidden("账号角色无效", "The account has no valid role.")
    return Caller(user_id=user_id, role=Role(account.role))


def _session_active(user_id: str, session: str) -> bool:
    from shared.dal import sessions

    return sessions.is_active(user_id, session)


def caller_from_claims(
    claims: dict | None,
    load: Callable[[str], User | None] = _load,
    session_active: Callable[[str, str], bool] = _session_active,
) -> Caller:
    """The caller the verified claims name, if their account exists and is usable, with the account's role, and if
    the session the token was issued in (if any) has not ended."""
    user_id = subject(claims)
    caller = caller_from_account(user_id, account_of(user_id, load))
    session = (claims or {}).get("sid")
    if session is not None and not (
        isinstance(session, str) and _once(("session", user_id, session), lambda: session_active(user_id, session))
    ):
        raise Unauthenticated("登录已失效，请重新登录", "This session has ended; sign in again.")
    return caller


def require_role(caller: Caller, *roles: Role) -> None:
    if caller.role not in roles:
        raise Forbidden()


def company_of(caller: Caller, *roles: Role) -> str:
    """The company a staff caller (of one of `roles`) works for; Forbidden when the account is linked to none."""
    require_role(caller, *roles)
    account = account_of(caller.user_id)
    if account is None or not account.company_id:
        raise Forbidden("您的账号未关联企业", "Your account is not linked to a company.")
    return account.company_id
