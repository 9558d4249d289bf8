"""Orders read by key over a period (supervision's statistics and exports, the stuck-order scans) and a compound's
open public-area reports with their neighbours' "me too": Queries, never a Scan."""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.exceptions import TransactWriteError

from orders.domain.records import Order
from orders.store.orders import MeTooItem, OrderItem, order_key, position, to_record
from shared.dal.base import condition_failed, ensure_bound, query_page, transaction


def _between(index, sort_key, key: str, start: str, end: str) -> list[Order]:
    """Every order under `key` created in [start, end) (ISO instants): the sort key starts with created_at."""
    ensure_bound()
    return [to_record(i) for i in index.query(key, sort_key.between(start, end))]


def for_company_between(company_id: str, start: str, end: str) -> list[Order]:
    return _between(OrderItem.by_company, OrderItem.gsi3sk, f"COMPANY#{company_id}", start, end)


def for_compound_between(compound_id: str, start: str, end: str) -> list[Order]:
    return _between(OrderItem.by_compound, OrderItem.gsi5sk, f"COMPOUND#{compound_id}", start, end)


def with_status_between(status: str, start: str, end: str) -> list[Order]:
    return _between(OrderItem.by_status, OrderItem.gsi4sk, f"STATUS#{status}", start, end)


def created_before(status: str, before: str, limit: int = 100, after: str | None = None) -> list[Order]:
    """Orders in `status` created before `before`, oldest first (the supervisors' stuck-order list); `after`: only
    those whose position (`<created_at>#<order_id>`) comes after it (paging)."""
    if after is not None and after >= before:  # the cursor is past this status's cut-off: nothing is left
        return []
    ensure_bound()
    condition = OrderItem.gsi4sk < before if after is None else OrderItem.gsi4sk.between(after, before)
    found = [to_record(i) for i in OrderItem.by_status.query(f"STATUS#{status}", condition, limit=limit + 1)]
    # `between` holds both ends: the cursor's own order and one created at the cut-off itself are not listed.
    return [o for o in found if after is None or position(o) != after][:limit]


def open_public_reports(compound_id: str, open_statuses: Iterable[str], limit: int = 50) -> list[Order]:
    """A compound's open public-area reports, newest first: Query gsi5 with a filter on type and status."""
    return public_reports_page(compound_id, open_statuses, after=None, limit=limit)[0]


def public_reports_page(
    compound_id: str, open_statuses: Iterable[str], *, after: dict[str, str] | None, limit: int
) -> tuple[list[Order], dict[str, str] | None]:
    """A page of a compound's open public-area reports, newest first, and the key to continue after."""
    ensure_bound()
    items, resume = query_page(
        OrderItem.by_compound,
        f"COMPOUND#{compound_id}",
        after=after,
        limit=limit,
        scan_index_forward=False,
        filter_condition=(OrderItem.order_type == "public_area") & OrderItem.status.is_in(*open_statuses),
    )
    return [to_record(i) for i in items], resume


def add_me_too(order_id: str, resident_id: str, at: str, open_statuses: Iterable[str]) -> bool:
    """Record a neighbour's "me too" on an open report, once per resident; False if already recorded."""
    ensure_bound()
    pk, sk = order_key(order_id)
    try:
        with transaction() as tx:
            tx.save(
                MeTooItem(pk, f"METOO#{resident_id}", resident_id=resident_id, created_at=at),
                condition=MeTooItem.pk.does_not_exist(),
            )
            tx.update(
                OrderItem(pk, sk),
                actions=[OrderItem.me_too_count.add(1)],
                condition=OrderItem.status.is_in(*open_statuses),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
