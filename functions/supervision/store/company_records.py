"""Companies on the single table (`COMPANY#<id>` / `PROFILE`, by vetting status under gsi4): the profile, status
and credit score every domain reads."""

from __future__ import annotations

from pynamodb.attributes import (
    UnicodeAttribute,
)

from shared.dal.base import ensure_bound, query_page
from shared.dal.tables import Gsi4, item_of
from supervision.domain.records import Company

PROFILE = "PROFILE"


CompanyItem = item_of(
    Company,
    "CompanyItem",
    gsi4pk=UnicodeAttribute(null=True),  # VETTING#company#<status>
    gsi4sk=UnicodeAttribute(null=True),  # <applied_at>#<company id>
    by_vetting=Gsi4(),
)


def company_item(company: Company) -> CompanyItem:
    data = company.model_dump()
    data["documents"] = data["documents"] or None
    return CompanyItem(
        pk=f"COMPANY#{company.company_id}",
        sk=PROFILE,
        **data,
        gsi4pk=f"VETTING#company#{company.status}",
        gsi4sk=f"{company.applied_at or ''}#{company.company_id}",
    )


def put_company(company: Company) -> None:
    ensure_bound()
    company_item(company).save()


def companies_by_status(status: str, limit: int = 100) -> list[Company]:
    """The vetting queue (pending) and the lists of admitted, suspended, rejected companies: Query gsi4."""
    ensure_bound()
    return [_company(i) for i in CompanyItem.by_vetting.query(f"VETTING#company#{status}", limit=limit)]


def companies_page(
    status: str, *, after: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[Company], dict[str, str] | None]:
    """A page of the companies in a vetting status, and the key to continue after."""
    ensure_bound()
    items, resume = query_page(CompanyItem.by_vetting, f"VETTING#company#{status}", after=after, limit=limit)
    return [_company(i) for i in items], resume


def _company(item: CompanyItem) -> Company:
    data = {k: getattr(item, k) for k in Company.model_fields}
    data["documents"] = list(item.documents or [])
    return Company(**data)


def get_company(company_id: str) -> Company | None:
    ensure_bound()
    try:
        return _company(CompanyItem.get(f"COMPANY#{company_id}", PROFILE, consistent_read=True))
    except CompanyItem.DoesNotExist:
        return None


def get_companies(company_ids: set[str]) -> dict[str, Company]:
    """The companies by id, in BatchGetItem calls (a city has few companies; a match reads a handful)."""
    ensure_bound()
    keys = [(f"COMPANY#{c}", PROFILE) for c in sorted(company_ids)]
    return {i.company_id: _company(i) for i in CompanyItem.batch_get(keys)}
