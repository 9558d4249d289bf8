"""What the supervision routes share: the district's listed companies."""

from __future__ import annotations

from supervision.domain.records import Company
from supervision.store import company_records


def all_companies() -> list[Company]:
    """Every admitted or suspended company."""
    return [c for status in ("admitted", "suspended") for c in company_records.companies_by_status(status, limit=1000)]
