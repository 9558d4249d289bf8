"""A round of offers, from the technicians' side. The offer records are the truth about who got the order: every
decision is a conditional write on them and on the order, committed together, whatever Step Functions later says.

A round is a batch of offers (one, or the top N in grab mode) that share the round's task token. The order holds
the round's id (`current_offer_id`) and how many of its offers are still open: the first accept wins (the order must
still be `offered` in this round); the last refusal (the one that leaves none open) returns the order to matching
and resumes the workflow. Each use case takes the store (matching.store.ports.RoundStore); by default the real one."""

from __future__ import annotations

import contextlib

from matching.domain.errors import OfferNotOpen
from matching.service import wiring
from matching.store.offers import Offer
from matching.store.ports import RoundStore
from orders.domain.lifecycle import OfferStatus, OrderStatus
from orders.domain.records import Order

# An order in one of these statuses when its round times out was assigned meanwhile (an accept, or the desk's
# takeover): the workflow goes on to the completion wait.
TAKEN_OVER = frozenset({OrderStatus.ASSIGNED, OrderStatus.EN_ROUTE, OrderStatus.ON_SITE})


def create_round(batch: list[Offer], token: str, *, at: str, store: RoundStore | None = None) -> None:
    """Store the round's offers with its task token and mark the order offered; a retry of the same round only
    refreshes the token of its still-open offers."""
    (store or wiring.round_store()).create_round(batch, token, at=at)


def accept(
    offer: Offer,
    order: Order,
    company_id: str,
    *,
    at: str,
    reserve_hours: list[str] | None = None,
    store: RoundStore | None = None,
) -> None:
    """The technician takes the order: offer accepted, order assigned and a booking's hours held, all or nothing
    (OfferNotOpen / OfferTaken / SlotTaken for whoever loses); the winner withdraws the round's other offers."""
    store = store or wiring.round_store()
    store.accept(offer, order, company_id, at=at, hours=reserve_hours or [])
    store.withdraw(store.in_round(offer.order_id, offer.batch_id), at=at)


def refuse(offer: Offer, status: OfferStatus, *, actor: str, at: str, store: RoundStore | None = None) -> bool:
    """Decline or expire one open offer; the technician is never asked for this order again.

    Returns True when this was the round's last open offer and this call returned the order to matching: then, and
    only then, the caller resumes the workflow (exactly one caller does)."""
    store = store or wiring.round_store()
    store.refuse(offer, status, at=at)
    return store.end_round(offer.order_id, offer.batch_id, actor=actor, at=at, note=f"offer {status}")


def expire_round(order_id: str, batch_id: str, *, at: str, store: RoundStore | None = None) -> str:
    """The round's wait timed out: expire its open offers. The records decide the verdict: `accepted` if someone
    accepted at the last moment (or the desk took the order over), `declined` if the last one declined, `expired`
    otherwise."""
    store = store or wiring.round_store()
    for offer in store.in_round(order_id, batch_id):
        if offer.status == OfferStatus.OPEN:
            with contextlib.suppress(OfferNotOpen):
                refuse(offer, OfferStatus.EXPIRED, actor="workflow", at=at, store=store)
    statuses = {o.status for o in store.in_round(order_id, batch_id)}
    order = store.order(order_id)
    if OfferStatus.ACCEPTED in statuses or (order is not None and order.status in TAKEN_OVER):
        return OfferStatus.ACCEPTED.value
    return OfferStatus.EXPIRED.value if OfferStatus.EXPIRED in statuses else OfferStatus.DECLINED.value
