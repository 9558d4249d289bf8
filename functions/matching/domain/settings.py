"""Matching: the rounds of offers, the ranking's weights and the booking slots (docs/matching.md)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import Settings, settings_of


class MatchingSettings(Settings):
    # Matching rounds (docs/matching.md). Lists are JSON in the environment: LINLI_MATCH_RADII_M='[1000,3000,5000]'.
    match_radii_m: list[int] = Field(default_factory=lambda: [1000, 3000, 5000], min_length=1)
    refusals_before_widening: int = Field(default=3, ge=1)  # declined/expired offers at one radius
    max_offer_rounds: int = Field(default=8, ge=1)  # batches of offers per order before escalating
    workload_cap: int = Field(default=3, ge=1)  # active (assigned, en route, on site) orders per technician
    workload_window: int = Field(default=20, ge=1)  # a technician's latest orders read to count them
    # Grab mode: for these order types the round's offer goes to the top `grab_size` at once.
    grab_order_types: list[str] = Field(default_factory=lambda: ["booking"])
    grab_size: int = Field(default=3, ge=1, le=10)
    # Ranking (docs/matching.md): terms in 0..1, score = sum(weight * term).
    weight_travel: float = Field(default=0.50, ge=0)
    weight_credit: float = Field(default=0.15, ge=0)
    weight_rating: float = Field(default=0.15, ge=0)
    weight_workload: float = Field(default=0.10, ge=0)
    weight_fairness: float = Field(default=0.10, ge=0)
    travel_speed_m_per_min: float = Field(default=250, gt=0)  # e-bike through old compounds, ~15 km/h
    travel_detour_factor: float = Field(default=1.3, ge=1)  # street distance / straight line
    travel_cap_minutes: float = Field(default=10, gt=0)  # this far or further scores 0 (~1.9 km)
    fairness_cap_hours: float = Field(default=72, gt=0)  # idle this long or longer scores 1
    # Booking slots offered by GET /slots (Beijing time).
    slot_days: int = Field(default=7, ge=1, le=30)
    slot_hours: int = Field(default=2, ge=1, le=4)
    working_day_start_hour: int = Field(default=8, ge=0, le=23)
    working_day_end_hour: int = Field(default=20, ge=1, le=24)


def matching_settings() -> MatchingSettings:
    return settings_of(MatchingSettings)
