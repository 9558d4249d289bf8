"""The caller, as API Gateway's JWT authorizer describes them, and role checks."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Forbidden, Unauthenticated
from shared.lifecycle import Role


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: Role


def _groups(raw: object) -> list[str]:
    # HTTP API passes array claims as a string like "[resident]"; accept a real list too.
    if isinstance(raw, list):
        return [str(g) for g in raw]
    if isinstance(raw, str):
        return [g for g in raw.strip("[]").replace(",", " ").split() if g]
    return []


def caller_from_claims(claims: dict | None) -> Caller:
    if not claims or not claims.get("sub"):
        raise Unauthenticated()
    roles = [g for g in _groups(claims.get("cognito:groups")) if g in Role.__members__.values()]
    if len(roles) != 1:
        raise Forbidden("账号角色无效", "The account has no valid role.")
    return Caller(user_id=str(claims["sub"]), role=Role(roles[0]))


def require_role(caller: Caller, *roles: Role) -> None:
    if caller.role not in roles:
        raise Forbidden()
