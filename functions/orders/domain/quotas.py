"""How many orders may be placed (pure): per account that places them and per address they are for, each in a
fixed window (a minute, a Beijing day). The counting itself is a conditional counter per window
(`shared.dal.daily_counts`), so parallel requests cannot get past a limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from orders.domain.lifecycle import OrderType
from shared.clock import BEIJING


@dataclass(frozen=True)
class Quota:
    """At most `limit` of `what` per `owner` in each window of `window` ("minute" or "day")."""

    what: str
    owner: str  # the account counted: who placed the order, or the resident whose address it is
    limit: int
    window: str


@dataclass(frozen=True)
class Window:
    label: str  # names the window in the counter's key
    retry_after: int  # seconds until the next window starts (the answer's Retry-After)


def window_of(window: str, now: datetime) -> Window:
    """The fixed window `now` falls in: minutes of UTC, days of Beijing."""
    if window == "minute":
        start = now.replace(second=0, microsecond=0)
        return Window(start.strftime("%Y-%m-%dT%H:%M"), max(1, int((start + timedelta(minutes=1) - now).total_seconds())))
    if window == "day":
        local = now.astimezone(BEIJING)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return Window(local.date().isoformat(), max(1, int((midnight - local).total_seconds())))
    raise ValueError(f"unknown window {window!r}")


@dataclass(frozen=True)
class OrderLimits:
    per_account_per_minute: int
    per_account_per_day: int
    per_address_per_day: int
    public_reports_per_address_per_day: int


def quotas_for(*, placed_by: str, resident_id: str, address_id: str, order_type: str, limits: OrderLimits) -> list[Quota]:
    """The quotas one new order counts against: its placer's (a burst and a day) and its address's (all orders,
    and public-area reports, which cost the compound's company credit when they go unanswered)."""
    found = [
        Quota("orders_placed", placed_by, limits.per_account_per_minute, "minute"),
        Quota("orders_placed", placed_by, limits.per_account_per_day, "day"),
        Quota(f"orders_at:{address_id}", resident_id, limits.per_address_per_day, "day"),
    ]
    if order_type == OrderType.PUBLIC_AREA:
        found.append(Quota(f"reports_at:{address_id}", resident_id, limits.public_reports_per_address_per_day, "day"))
    return found
