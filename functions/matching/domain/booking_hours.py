"""Technician-hours: the unit in which bookings hold a technician's time (shared by matching and orders).

A booking holds every clock hour its slot touches, one reservation item per hour, each put with a
condition that it does not exist: two bookings that overlap by any part of an hour cannot both hold
the same technician, whatever their start and end times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def hour_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%HZ")


def hour_blocks(start: str, end: str) -> list[str]:
    """The UTC clock hours that [start, end) touches, e.g. 09:30–11:00 → 09, 10."""
    first = parse(start).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    stop = parse(end).astimezone(UTC)
    hours, moment = [], first
    while moment < stop:
        hours.append(hour_key(moment))
        moment += timedelta(hours=1)
    return hours
