"""The fixture body of the contract tests whose stores hold orders: the in-memory fake (given the orders directly) or
the real store (the orders written to the session sandbox's table first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def store_with_orders(request: Any, memory_store: Callable[[], Any], real_store: Callable[[], Any]) -> Callable[..., Any]:
    """A function that stores the given orders and answers the store to use with them."""
    if request.param == "memory":
        store = memory_store()

        def with_orders(*orders):
            store.orders.update({order.order_id: order for order in orders})
            return store

        return with_orders
    request.getfixturevalue("sandbox")
    from orders.store import orders as order_table

    def with_orders(*orders):
        for order in orders:
            order_table.create(order, "arn:test")
        return real_store()

    return with_orders
