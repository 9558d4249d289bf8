"""The order's changes that other domains' use cases commit in one transaction with their own items (an offer
accepted and its order assigned; a rating stored and its order rated), and the end of an offer round. Each is built
by the orders store, which alone knows the order item."""

from __future__ import annotations

from orders.store.order_changes import accepted_change, offered_change, rated_change, refused_change, round_ended

__all__ = ["accepted_change", "offered_change", "rated_change", "refused_change", "round_ended"]
