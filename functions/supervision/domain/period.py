"""A period of Beijing days, as the bounds of orders' `created_at` (UTC instants): the supervisors' statistics and
exports read orders by it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared import clock, inputs
from shared.errors import ValidationFailed

BEIJING = timedelta(hours=8)


def instant(day: date) -> str:
    """Midnight of a Beijing day, as the UTC instant orders' created_at is written in."""
    return clock.iso(datetime(day.year, day.month, day.day) - BEIJING).replace("+00:00", "Z")


def bounds(start: date | None, end: date | None) -> tuple[str, str]:
    """[low, high) of created_at for the days from `start` to `end`, both included (open when absent)."""
    for day in (start, end):
        if day is not None and not inputs.EARLIEST_DATE <= day <= inputs.LATEST_DATE:
            first, last = inputs.EARLIEST_DATE.isoformat(), inputs.LATEST_DATE.isoformat()
            raise ValidationFailed(f"日期须在 {first} 至 {last} 之间", f"Dates must be between {first} and {last}.")
    if start and end and end < start:
        raise ValidationFailed("结束日期早于开始日期", "The end date is before the start date.")
    low = instant(start) if start else "0000"
    high = instant(end + timedelta(days=1)) if end else "9999"
    return low, high
