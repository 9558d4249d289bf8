"""What the other domains' use cases ask of matching when an order changes outside the matching rounds: a dispatcher
assigns it by hand (the technician's hours held, the round's offers withdrawn), a resident cancels it or it ends
cancelled (its offers withdrawn, its hours freed)."""

from __future__ import annotations

from matching.store import offers, slots
from orders.domain.records import Order


def reserve_hours(technician_id: str, order_id: str, hours: list[str], *, at: str) -> None:
    """Holds `hours` of the technician for the order, all or none: raises SlotTaken (409) if one is held already."""
    slots.reserve(technician_id, order_id, hours, at=at)


def release_hours(technician_id: str, order_id: str, hours: list[str]) -> int:
    """Frees those of `hours` the order holds of the technician; answers how many."""
    return slots.release(technician_id, order_id, hours)


def release_hours_of(order: Order) -> int:
    """Frees every hour the order's technician holds for it (none for an order without a booking or a technician).
    Idempotent: only hours this order still holds are deleted."""
    return slots.release_for_order(order)


def withdraw_open_offers(order_id: str, *, at: str) -> int:
    """Withdraws every offer of the order still open; answers how many."""
    return offers.withdraw_open(order_id, at=at)


def take_over_round(order_id: str, round_id: str, *, at: str) -> str | None:
    """The service desk takes over an order being offered: the round's open offers are withdrawn, and the answer is
    the task token the round's wait is resumed with (None if the round has no offer left)."""
    token = next((offers.task_token(offer.offer_id) for offer in offers.in_batch(order_id, round_id)), None)
    offers.withdraw_batch(order_id, round_id, at=at)
    return token
