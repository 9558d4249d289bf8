"""What the other domains read of orders, and the one thing they add to an order from outside its lifecycle (a
neighbour's "me too" on a public-area report). They never read the orders store itself."""

from __future__ import annotations

from orders.store.order_periods import (
    add_me_too,
    created_before,
    for_company_between,
    for_compound_between,
    public_reports_page,
    with_status_between,
)
from orders.store.orders import get, get_or_404, position, technician_load

__all__ = [
    "add_me_too",
    "created_before",
    "for_company_between",
    "for_compound_between",
    "get",
    "get_or_404",
    "position",
    "public_reports_page",
    "technician_load",
    "with_status_between",
]
