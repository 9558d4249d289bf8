"""Use case: the public list of admitted companies with their credit (no sign-in; `GET /public/companies`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from shared import paging
from shared.clock import iso
from supervision.domain import credit as formula
from supervision.domain.public_credit import Formula, PublicCompany, public_company, published_formula
from supervision.domain.records import Company
from supervision.domain.settings import supervision_settings
from supervision.store import company_records, credit
from supervision.store.credit import CreditEvent


class PublicCompanies(BaseModel):
    generated_at: str
    formula: Formula
    companies: list[PublicCompany]
    next_cursor: paging.NextCursor = None


def best_credit_first(company: Company) -> tuple[float, str]:
    """The order of every credit ranking: the best score first, then by company id."""
    return (-company.credit_score, company.company_id)


def _admitted() -> list[Company]:
    return company_records.companies_by_status("admitted", limit=1000)


def public_companies(
    now: datetime,
    *,
    limit: int = paging.DEFAULT_LIMIT,
    cursor: str | None = None,
    admitted: Callable[[], list[Company]] = _admitted,
    events_of: Callable[[str], list[CreditEvent]] = credit.company_events,
) -> PublicCompanies:
    """Admitted companies only (a suspended or pending one is not listed), best score first; the last 90 days'
    record is read for the companies of the page only."""
    params = formula.CreditParams.from_settings(supervision_settings())
    page, next_cursor = paging.page_of(
        admitted(),
        list_name="public_companies",
        sort_key=best_credit_first,
        cursor=cursor,
        limit=limit,
    )
    listed = [public_company(c, events_of(c.company_id), params, now) for c in page]
    return PublicCompanies(generated_at=iso(now), formula=published_formula(params), companies=listed, next_cursor=next_cursor)
