"""The quotas of new orders (orders.domain.quotas): which counters an order counts against, and the windows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orders.domain.quotas import OrderLimits, Quota, quotas_for, window_of

LIMITS = OrderLimits(
    per_account_per_minute=3, per_account_per_day=20, per_address_per_day=10, public_reports_per_address_per_day=3
)


def test_an_order_counts_for_its_placer_and_its_address():
    found = quotas_for(placed_by="res_lili", resident_id="res_wang", address_id="addr_1", order_type="emergency", limits=LIMITS)
    assert found == [
        Quota("orders_placed", "res_lili", 3, "minute"),
        Quota("orders_placed", "res_lili", 20, "day"),
        Quota("orders_at:addr_1", "res_wang", 10, "day"),
    ]


def test_a_public_area_report_also_counts_for_the_addresss_reports():
    found = quotas_for(placed_by="res_wang", resident_id="res_wang", address_id="addr_1", order_type="public_area", limits=LIMITS)
    assert found[-1] == Quota("reports_at:addr_1", "res_wang", 3, "day")


def test_the_minute_window_and_when_it_ends():
    at = datetime(2026, 12, 4, 9, 15, 40, 500_000, tzinfo=UTC)
    window = window_of("minute", at)
    assert window.label == "2026-12-04T09:15" and window.retry_after == 19


def test_the_day_is_a_beijing_day_and_ends_at_beijing_midnight():
    at = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    window = window_of("day", at)
    assert window.label == "2026-12-04" and window.retry_after == 30 * 60
    assert window_of("day", datetime(2026, 12, 4, 16, 0, tzinfo=UTC)).label == "2026-12-05"


def test_an_unknown_window_is_a_programming_error():
    with pytest.raises(ValueError):
        window_of("week", datetime(2026, 12, 4, tzinfo=UTC))
