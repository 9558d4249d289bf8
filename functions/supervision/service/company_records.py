"""What the other domains read (and write) of company records: they never use the supervision store itself."""

from __future__ import annotations

from supervision.store.company_records import get_companies, get_company

__all__ = [
    "get_companies",
    "get_company",
]
