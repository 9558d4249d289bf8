"""Booking slots actually available near an address: reads the technicians and their held hours, decides in
`domain`."""

from __future__ import annotations

from pydantic import Field

from identity.service import accounts
from matching.domain.booking_hours import hour_blocks
from matching.domain.eligibility import qualification
from matching.domain.geo import distance_m
from matching.domain.settings import MatchingSettings
from matching.domain.slots import free_counts, slot_grid
from matching.store import slots
from orders.domain.records import Slot
from shared import clock
from supervision.service import company_records


class SlotView(Slot):
    technicians: int = Field(description="How many eligible technicians nearby are free in this slot")


# Slot availability needs one free technician; checking the nearest few bounds the reads per request.
NEAREST_CHECKED = 30


def available_slots(category: str, lat: float, lng: float, settings: MatchingSettings) -> list[SlotView]:
    now = clock.now()
    grid = slot_grid(
        now,
        days=settings.slot_days,
        slot_hours=settings.slot_hours,
        day_start=settings.working_day_start_hour,
        day_end=settings.working_day_end_hour,
    )
    if not grid:
        return []
    radius = max(settings.match_radii_m)
    nearby = accounts.technicians_near(lat, lng, radius, on_duty_only=False).technicians
    companies = company_records.get_companies({t.company_id for t in nearby if t.company_id})
    in_reach = sorted(
        (t for t in nearby if t.lat is not None and distance_m(lat, lng, t.lat, t.lng) <= radius),
        key=lambda t: distance_m(lat, lng, t.lat, t.lng),
    )
    # Qualified on some day of the grid (certificates are checked again per slot day below).
    today = now.date()
    techs = [t for t in in_reach if qualification(t, category, companies, today) is None][:NEAREST_CHECKED]
    first_hour, last_hour = hour_blocks(grid[0].start, grid[0].end)[0], hour_blocks(grid[-1].start, grid[-1].end)[-1]
    held = {t.user_id: set(slots.held_hours(t.user_id, first_hour, last_hour)) for t in techs}
    by_id = {t.user_id: t for t in techs}
    counts = free_counts(grid, held, lambda tech_id, day: qualification(by_id[tech_id], category, companies, day) is None)
    return [SlotView(start=s.start, end=s.end, technicians=n) for s, n in zip(grid, counts, strict=True) if n > 0]
