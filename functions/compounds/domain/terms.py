"""The terms of a compound: its contracted company and its free-service period, each a dated span of Beijing
days. Every change is a new version (kept, never overwritten)."""

from __future__ import annotations

from datetime import date

from compounds.domain.records import Contract, FreePeriod
from shared.errors import ValidationFailed

CONTRACT, FREE_SERVICE = "contract", "free_service"
MAX_FUNDER = 100


class InvalidPeriod(ValidationFailed):
    code = "invalid_period"


def _day(text: str | None, field: str) -> str:
    try:
        return date.fromisoformat(text or "").isoformat()
    except ValueError:
        raise InvalidPeriod(f"“{field}”须为日期（YYYY-MM-DD）", f"“{field}” must be a date (YYYY-MM-DD).") from None


def contract(company_id: str, starts: str, ends: str | None) -> Contract:
    start = _day(starts, "from")
    end = _day(ends, "to") if ends is not None else None
    if end is not None and end < start:
        raise InvalidPeriod("合同的结束日期早于开始日期", "The contract ends before it starts.")
    return Contract(company_id=company_id, starts_on=start, ends_on=end)


def free_period(starts: str, ends: str, funded_by: str) -> FreePeriod:
    start, end = _day(starts, "from"), _day(ends, "to")
    if end < start:
        raise InvalidPeriod("免费期的结束日期早于开始日期", "The free-service period ends before it starts.")
    funder = funded_by.strip()
    if not funder or len(funder) > MAX_FUNDER:
        raise InvalidPeriod(f"须写明出资方（1–{MAX_FUNDER} 个字）", f"Say who funds it (1–{MAX_FUNDER} characters).")
    return FreePeriod(starts_on=start, ends_on=end, funded_by=funder)
