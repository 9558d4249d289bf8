"""Use case: the public list of admitted companies with their credit (no sign-in; `GET /public/companies`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from shared.clock import iso
from shared.dal import credit, people
from shared.records import Company, CreditEvent
from shared.settings import get_settings
from supervision.domain.public_credit import Formula, PublicCompany, public_company, published_formula
from supervision.logic import credit as formula


class PublicCompanies(BaseModel):
    generated_at: str
    formula: Formula
    companies: list[PublicCompany]


def _admitted() -> list[Company]:
    return people.companies_by_status("admitted", limit=1000)


def public_companies(
    now: datetime,
    *,
    admitted: Callable[[], list[Company]] = _admitted,
    events_of: Callable[[str], list[CreditEvent]] = credit.company_events,
) -> PublicCompanies:
    """Admitted companies only (a suspended or pending one is not listed), best score first."""
    params = formula.CreditParams.from_settings(get_settings())
    listed = [public_company(c, events_of(c.company_id), params, now) for c in admitted()]
    listed.sort(key=lambda c: (-c.credit_score, c.company_id))
    return PublicCompanies(generated_at=iso(now), formula=published_formula(params), companies=listed)
