"""A round of offers, from the technicians' side. The offer records are the truth about who got the order: every
decision is a conditional write on them and on the order, committed together, whatever Step Functions later says.

A round is a batch of offers (one, or the top N in grab mode) that share the round's task token. The order holds
the round's id (`current_offer_id`) and how many of its offers are still open (`offers_open`): the first accept wins
by a transaction conditioned on the order still being `offered` in this round; the last refusal (the one that brings
`offers_open` to 0) returns the order to matching and resumes the workflow."""

from __future__ import annotations

import contextlib

from pynamodb.exceptions import TransactWriteError

from matching.domain.errors import OfferNotOpen, OfferTaken, SlotTaken
from matching.store import offers, slots
from matching.store.offers import Offer
from orders.domain.records import Order
from orders.service import changes
from orders.service import queries as orders
from shared.dal.base import commit, condition_failed, ensure_bound
from shared.lifecycle import OfferStatus, OrderStatus

# An order in one of these statuses when its round times out was assigned meanwhile (an accept, or the desk's
# takeover): the workflow goes on to the completion wait.
TAKEN_OVER = frozenset({OrderStatus.ASSIGNED, OrderStatus.EN_ROUTE, OrderStatus.ON_SITE})


def create_round(batch: list[Offer], token: str, *, at: str) -> None:
    """Store the round's offers, each with the round's task token, and mark the order offered, atomically.

    A retry of the same offer task (same round) only refreshes the token of the still-open offers."""
    ensure_bound()
    top = batch[0]
    offered = changes.offered_change(top.order_id, top.batch_id, [o.technician_id for o in batch], top.match_reason, at=at)
    try:
        commit([*offers.new_offer_changes(batch, token), offered])
    except TransactWriteError as exc:
        if not condition_failed(exc) or not offers.refresh_open_tokens(top.order_id, top.batch_id, token):
            raise


def accept(offer: Offer, order: Order, company_id: str, *, at: str, reserve_hours: list[str] | None = None) -> None:
    """Offer open → accepted, order offered → assigned (this round only) and, for a booking, the technician's hours
    held — all in one transaction. Whoever loses gets OfferNotOpen / OfferTaken / SlotTaken and nothing changes; the
    winner then withdraws the round's other offers."""
    ensure_bound()
    hours = reserve_hours or []
    try:
        commit(
            [
                offers.close_change(offer, OfferStatus.ACCEPTED, at=at, unexpired=True),
                changes.accepted_change(order, offer.batch_id, offer.technician_id, company_id, offer.match_reason, at=at),
                *(slots.hold_change(offer.technician_id, offer.order_id, hour, at=at) for hour in hours),
            ]
        )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        raise _why_accept_failed(offer, at) from exc
    offers.withdraw_batch(offer.order_id, offer.batch_id, at=at)


def _why_accept_failed(offer: Offer, at: str) -> Exception:
    """Read back which condition failed: the offer itself, the order (someone else won) or the slot."""
    now_offer, order = offers.get(offer.offer_id), orders.get(offer.order_id)
    if now_offer is None or now_offer.status != OfferStatus.OPEN or now_offer.expires_at <= at:
        return OfferNotOpen()
    if order is None or order.status != OrderStatus.OFFERED or order.current_offer_id != offer.batch_id:
        return OfferTaken() if order is not None and order.status == OrderStatus.ASSIGNED else OfferNotOpen()
    return SlotTaken()


def refuse(offer: Offer, status: OfferStatus, *, actor: str, at: str) -> bool:
    """Decline or expire one open offer; the technician is never asked for this order again.

    Returns True when this was the round's last open offer and this call returned the order to matching: then, and
    only then, the caller resumes the workflow (exactly one caller does)."""
    ensure_bound()
    try:
        commit(
            [
                offers.close_change(offer, status, at=at),
                changes.refused_change(offer.order_id, offer.batch_id, offer.technician_id),
            ]
        )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise OfferNotOpen() from exc
        raise
    return changes.round_ended(offer.order_id, offer.batch_id, actor=actor, at=at, note=f"offer {status}")


def expire_round(order_id: str, batch_id: str, *, at: str) -> str:
    """The round's wait timed out: expire its open offers. The records decide the verdict: `accepted` if someone
    accepted at the last moment, `declined` if the last one declined, `expired` otherwise."""
    for offer in offers.in_batch(order_id, batch_id):
        if offer.status == OfferStatus.OPEN:
            with contextlib.suppress(OfferNotOpen):
                refuse(offer, OfferStatus.EXPIRED, actor="workflow", at=at)
    statuses = {o.status for o in offers.in_batch(order_id, batch_id)}
    order = orders.get(order_id)
    if OfferStatus.ACCEPTED in statuses or (order is not None and order.status in TAKEN_OVER):
        # accepted at the last moment, or taken over by the service desk (the order is assigned): go on as assigned
        return OfferStatus.ACCEPTED.value
    return OfferStatus.EXPIRED.value if OfferStatus.EXPIRED in statuses else OfferStatus.DECLINED.value
