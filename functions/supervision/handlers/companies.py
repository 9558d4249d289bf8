"""What the supervision routes share: the calling dispatcher's company, and the district's listed companies."""

from __future__ import annotations

from shared.auth import Caller, company_of
from shared.dal import people
from shared.lifecycle import Role
from shared.records import Company


def dispatcher_company(caller: Caller) -> str:
    return company_of(caller, Role.DISPATCHER)


def all_companies() -> list[Company]:
    """Every admitted or suspended company."""
    return [c for status in ("admitted", "suspended") for c in people.companies_by_status(status, limit=1000)]
