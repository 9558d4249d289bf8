"""Booking slots: the grid, the hours a booking holds, and which slots are free."""

from __future__ import annotations

from datetime import UTC, date, datetime

from matching.domain.booking_hours import hour_blocks
from matching.domain.slots import free_counts, service_date, slot_grid
from orders.domain.records import Slot
from tests.unit.matching_fixtures import order


def test_a_booking_holds_every_hour_it_touches():
    assert hour_blocks("2026-11-26T09:30:00+08:00", "2026-11-26T11:00:00+08:00") == ["2026-11-26T01Z", "2026-11-26T02Z"]
    assert hour_blocks("2026-11-26T09:00:00+08:00", "2026-11-26T11:00:00+08:00") == ["2026-11-26T01Z", "2026-11-26T02Z"]


def test_the_grid_is_two_hour_slots_in_working_hours_for_the_next_days():
    now = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # 11:30 in Beijing
    grid = slot_grid(now, days=7, slot_hours=2, day_start=8, day_end=20)
    starts = [s.start for s in grid]
    # today: 12:00, 14:00, 16:00, 18:00 (Beijing) are still ahead; the last slot ends at 20:00
    assert starts[:4] == [
        "2026-11-25T04:00:00.000Z",
        "2026-11-25T06:00:00.000Z",
        "2026-11-25T08:00:00.000Z",
        "2026-11-25T10:00:00.000Z",
    ]
    assert starts[4] == "2026-11-26T00:00:00.000Z"  # 08:00 the next morning
    assert len(grid) == 4 + 6 * 6 + 2  # today, six full days, and the seventh day up to 11:30
    assert all(s.start > "2026-11-25T03:30" for s in grid)


def test_the_service_date_is_the_slots_day_in_beijing():
    late = order(order_type="booking", slot=Slot(start="2026-11-30T17:00:00Z", end="2026-11-30T19:00:00Z"))
    assert service_date(late, datetime(2026, 11, 25, tzinfo=UTC)) == date(2026, 12, 1)
    assert service_date(order(), datetime(2026, 11, 25, 20, tzinfo=UTC)) == date(2026, 11, 26)


def test_a_slot_is_free_if_one_qualified_technician_holds_none_of_its_hours():
    grid = [
        Slot(start="2026-11-26T01:00:00Z", end="2026-11-26T03:00:00Z"),
        Slot(start="2026-11-26T03:00:00Z", end="2026-11-26T05:00:00Z"),
    ]
    held = {"a": {"2026-11-26T02Z"}, "b": {"2026-11-26T03Z"}}
    assert free_counts(grid, held, lambda tech, day: True) == [1, 1]
    assert free_counts(grid, held, lambda tech, day: tech == "a") == [0, 1]
    assert free_counts(grid, {}, lambda tech, day: True) == [0, 0]
