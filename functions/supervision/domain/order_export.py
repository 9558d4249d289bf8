"""The supervisors' export of orders: one CSV row per order, in a fixed column order, every cell safe to open in a
spreadsheet. Pure: no I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from orders.domain.records import Order
from shared.inputs import csv_safe

# What supervision reads of an order; no resident's name, phone or door (the order id leads to them for those who
# may see them).
COLUMNS = (
    "order_id",
    "order_code",
    "created_at",
    "updated_at",
    "completed_at",
    "status",
    "order_type",
    "category",
    "compound_id",
    "company_id",
    "technician_id",
    "placed_via",
    "rework_of",
    "escalation_reason",
    "cancel_reason",
    "bill_total",
    "extra_total",
    "rating_stars",
    "description",
    "work_note",
)


def row(order: Order) -> list:
    values = order.model_dump(include=set(COLUMNS))
    return [csv_safe("" if values.get(column) is None else values[column]) for column in COLUMNS]


def to_csv(orders: Iterable[Order]) -> str:
    """A header row, then the orders, oldest first; UTF-8 text with a BOM in front, so that Excel reads Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for order in sorted(orders, key=lambda o: (o.created_at, o.order_id)):
        writer.writerow(row(order))
    return "\ufeff" + buffer.getvalue()
