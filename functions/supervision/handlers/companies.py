"""What the supervision routes share: the calling dispatcher's company, and the district's listed companies."""

from __future__ import annotations

from shared.auth import Caller, require_role
from shared.dal import people
from shared.errors import Forbidden
from shared.lifecycle import Role
from shared.records import Company


def dispatcher_company(caller: Caller) -> str:
    require_role(caller, Role.DISPATCHER)
    user = people.get_user(caller.user_id)
    if user is None or not user.company_id:
        raise Forbidden("您的账号未关联企业", "Your account is not linked to a company.")
    return user.company_id


def all_companies() -> list[Company]:
    """Every admitted or suspended company."""
    return [c for status in ("admitted", "suspended") for c in people.companies_by_status(status, limit=1000)]
