"""What the supervision routes share: the district's listed companies."""

from __future__ import annotations

from shared.dal import people
from supervision.domain.records import Company


def all_companies() -> list[Company]:
    """Every admitted or suspended company."""
    return [c for status in ("admitted", "suspended") for c in people.companies_by_status(status, limit=1000)]
