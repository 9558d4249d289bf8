"""Offers of an order to technicians. The offer records are the truth about who got the order: every
decision is a conditional write on them and on the order, whatever Step Functions later says.

A round is a batch of offers (one, or the top N in grab mode) that share the round's task token. The
order holds the batch id (`current_offer_id`) and how many of its offers are still open (`offers_open`):
the first accept wins by a transaction conditioned on the order still being `offered` in this batch; the
last refusal (the one that brings `offers_open` to 0) returns the order to matching and resumes the
workflow.
"""

from __future__ import annotations

import contextlib

from pydantic import BaseModel
from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError

from matching.domain.errors import OfferNotOpen, OfferTaken, SlotTaken
from matching.domain.records import MatchReason
from matching.store import slots
from orders.domain.records import Order
from shared.dal import orders
from shared.dal.base import condition_failed, ensure_bound, query_page, transaction
from shared.dal.tables import Gsi2, OrderItem, TableItem
from shared.errors import NotFound
from shared.lifecycle import OfferStatus, OrderStatus


class Offer(BaseModel):
    offer_id: str
    order_id: str
    technician_id: str
    status: str
    created_at: str
    expires_at: str
    distance_m: float | None = None
    answered_at: str | None = None
    batch_id: str = ""  # the round's offers share it (grab mode: up to N at once, one task token)
    match_reason: MatchReason | None = None


class OfferItem(TableItem):
    offer_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    technician_id = UnicodeAttribute()
    status = UnicodeAttribute()
    task_token = UnicodeAttribute()  # never leaves the server
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    answered_at = UnicodeAttribute(null=True)
    distance_m = NumberAttribute(null=True)
    batch_id = UnicodeAttribute(default="")
    match_reason = JSONAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)  # set only while open: a sparse index of open offers
    gsi2sk = UnicodeAttribute(null=True)
    open_for_technician = Gsi2()


def order_id_of(offer_id: str) -> str:
    """Offer ids are `<order id>-<round>-<k>`; order ids never contain '-'."""
    return offer_id.split("-", 1)[0]


def _key(offer_id: str) -> tuple[str, str]:
    return f"ORDER#{order_id_of(offer_id)}", f"OFFER#{offer_id}"


def _record(item: OfferItem) -> Offer:
    return Offer(**{k: getattr(item, k) for k in Offer.model_fields})


def get(offer_id: str) -> Offer | None:
    ensure_bound()
    if "-" not in offer_id:
        return None
    try:
        return _record(OfferItem.get(*_key(offer_id), consistent_read=True))
    except OfferItem.DoesNotExist:
        return None


def get_or_404(offer_id: str) -> Offer:
    offer = get(offer_id)
    if offer is None:
        raise NotFound("派单不存在", "The offer does not exist.")
    return offer


def task_token(offer_id: str) -> str:
    ensure_bound()
    return OfferItem.get(*_key(offer_id), consistent_read=True, attributes_to_get=["task_token"]).task_token


def for_order(order_id: str) -> list[Offer]:
    ensure_bound()
    items = OfferItem.query(f"ORDER#{order_id}", OfferItem.sk.startswith("OFFER#"), consistent_read=True)
    return [_record(i) for i in items]


def in_batch(order_id: str, batch_id: str) -> list[Offer]:
    ensure_bound()
    items = OfferItem.query(f"ORDER#{order_id}", OfferItem.sk.startswith(f"OFFER#{batch_id}-"), consistent_read=True)
    return [_record(i) for i in items]


def open_for_technician(
    technician_id: str, *, after: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[Offer], dict[str, str] | None]:
    """A page of the technician's open offers, oldest first, and the key to continue after."""
    ensure_bound()
    items, resume = query_page(
        OfferItem.open_for_technician,
        f"TECHOFFER#{technician_id}",
        after=after,
        limit=limit,
        filter_condition=OfferItem.status == OfferStatus.OPEN,
    )
    return [_record(i) for i in items], resume


def _item(offer: Offer, token: str) -> OfferItem:
    data = offer.model_dump()
    data["match_reason"] = offer.match_reason.model_dump() if offer.match_reason else None
    return OfferItem(
        *_key(offer.offer_id), **data, task_token=token, gsi2pk=f"TECHOFFER#{offer.technician_id}", gsi2sk=offer.created_at
    )


def create_batch(batch: list[Offer], token: str, *, at: str) -> None:
    """Store the round's offers, each with the round's task token, and mark the order offered, atomically.

    A retry of the same offer task (same batch id) only refreshes the token of the still-open offers.
    """
    ensure_bound()
    top = batch[0]
    reason = top.match_reason
    order_actions = orders.status_actions(OrderStatus.OFFERED, "workflow", at, ",".join(o.technician_id for o in batch)) + [
        OrderItem.current_offer_id.set(top.batch_id),
        OrderItem.offers_open.set(len(batch)),
    ]
    if reason is not None:
        order_actions += [
            OrderItem.match_round.set(reason.round),
            OrderItem.search_radius_m.set(reason.radius_m),
            OrderItem.match_reason.set(reason.model_dump()),
        ]
    try:
        with transaction() as tx:
            for offer in batch:
                tx.save(_item(offer, token), condition=OfferItem.pk.does_not_exist())
            tx.update(
                OrderItem(*orders.order_key(top.order_id)),
                actions=order_actions,
                condition=orders.status_condition([OrderStatus.MATCHING]),
            )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        existing = [o for o in in_batch(top.order_id, top.batch_id) if o.status == OfferStatus.OPEN]
        if not existing:
            raise
        for offer in existing:
            OfferItem(*_key(offer.offer_id)).update(
                actions=[OfferItem.task_token.set(token)], condition=OfferItem.status == OfferStatus.OPEN
            )


def _close_actions(status: str, at: str) -> list:
    return [OfferItem.status.set(status), OfferItem.answered_at.set(at), OfferItem.gsi2pk.remove(), OfferItem.gsi2sk.remove()]


def _in_this_batch(offer: Offer):
    return (OrderItem.status == OrderStatus.OFFERED) & (OrderItem.current_offer_id == offer.batch_id)


def accept(offer: Offer, order: Order, company_id: str, *, at: str, reserve_hours: list[str] | None = None) -> None:
    """Offer open → accepted, order offered → assigned (this batch only) and, for a booking, the
    technician's hours held — all in one transaction. Whoever loses gets OfferNotOpen / OfferTaken /
    SlotTaken and nothing changes; the winner then withdraws the batch's other offers."""
    ensure_bound()
    hours = reserve_hours or []
    reason = offer.match_reason.model_dump() if offer.match_reason else None
    try:
        with transaction() as tx:
            tx.update(
                OfferItem(*_key(offer.offer_id)),
                actions=_close_actions(OfferStatus.ACCEPTED, at),
                condition=(OfferItem.status == OfferStatus.OPEN) & (OfferItem.expires_at > at),
            )
            tx.update(
                OrderItem(*orders.order_key(offer.order_id)),
                actions=orders.status_actions(OrderStatus.ASSIGNED, offer.technician_id, at)
                + orders.assignment_actions(order, offer.technician_id, company_id)
                + [OrderItem.offers_open.set(0)]
                + ([OrderItem.match_reason.set(reason)] if reason else []),
                condition=_in_this_batch(offer),
            )
            for hour in hours:
                tx.save(slots.reservation(offer.technician_id, offer.order_id, hour, at=at), condition=slots.not_held())
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        raise _why_accept_failed(offer, at) from exc
    withdraw_batch(offer.order_id, offer.batch_id, at=at)


def _why_accept_failed(offer: Offer, at: str) -> Exception:
    """Read back which condition failed: the offer itself, the order (someone else won) or the slot."""
    now_offer, order = get(offer.offer_id), orders.get(offer.order_id)
    if now_offer is None or now_offer.status != OfferStatus.OPEN or now_offer.expires_at <= at:
        return OfferNotOpen()
    if order is None or order.status != OrderStatus.OFFERED or order.current_offer_id != offer.batch_id:
        return OfferTaken() if order is not None and order.status == OrderStatus.ASSIGNED else OfferNotOpen()
    return SlotTaken()


def refuse(offer: Offer, status: OfferStatus, *, actor: str, at: str) -> bool:
    """Decline or expire one open offer; the technician is never asked for this order again.

    Returns True when this was the batch's last open offer and this call returned the order to
    matching: then, and only then, the caller resumes the workflow (exactly one caller does)."""
    ensure_bound()
    try:
        with transaction() as tx:
            tx.update(
                OfferItem(*_key(offer.offer_id)),
                actions=_close_actions(status, at),
                condition=OfferItem.status == OfferStatus.OPEN,
            )
            tx.update(
                OrderItem(*orders.order_key(offer.order_id)),
                actions=[OrderItem.offers_open.add(-1), orders.exclude_technician_action(offer.technician_id)],
                condition=_in_this_batch(offer),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise OfferNotOpen() from exc
        raise
    return end_batch(offer, actor=actor, at=at, note=f"offer {status}")


def end_batch(offer: Offer, *, actor: str, at: str, note: str) -> bool:
    """Order offered → matching once no offer of the batch is open; True for the one caller that did it."""
    try:
        OrderItem(*orders.order_key(offer.order_id)).update(
            actions=orders.status_actions(OrderStatus.MATCHING, actor, at, note),
            condition=_in_this_batch(offer) & (OrderItem.offers_open <= 0),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        order = orders.get(offer.order_id)  # our own write whose answer was lost, or another caller's
        return order is not None and orders.applied_last(order, OrderStatus.MATCHING, actor=actor, at=at, note=note)
    return True


# An order in one of these statuses when its round times out was assigned meanwhile (an accept, or the desk's
# takeover): the workflow goes on to the completion wait.
TAKEN_OVER = frozenset({OrderStatus.ASSIGNED, OrderStatus.EN_ROUTE, OrderStatus.ON_SITE})


def expire_batch(order_id: str, batch_id: str, *, at: str) -> str:
    """The round's wait timed out: expire its open offers. The records decide the verdict: `accepted` if
    someone accepted at the last moment, `declined` if the last one declined, `expired` otherwise."""
    batch = in_batch(order_id, batch_id)
    for offer in batch:
        if offer.status == OfferStatus.OPEN:
            with contextlib.suppress(OfferNotOpen):
                refuse(offer, OfferStatus.EXPIRED, actor="workflow", at=at)
    statuses = {o.status for o in in_batch(order_id, batch_id)}
    order = orders.get(order_id)
    if OfferStatus.ACCEPTED in statuses or (order is not None and order.status in TAKEN_OVER):
        # accepted at the last moment, or taken over by the service desk (the order is assigned): go on as assigned
        return OfferStatus.ACCEPTED.value
    return OfferStatus.EXPIRED.value if OfferStatus.EXPIRED in statuses else OfferStatus.DECLINED.value


def withdraw_batch(order_id: str, batch_id: str, *, at: str) -> int:
    return _withdraw([o for o in in_batch(order_id, batch_id) if o.status == OfferStatus.OPEN], at)


def withdraw_open(order_id: str, *, at: str) -> int:
    """Withdraw every open offer of a cancelled order; returns how many were withdrawn."""
    return _withdraw([o for o in for_order(order_id) if o.status == OfferStatus.OPEN], at)


def _withdraw(open_offers: list[Offer], at: str) -> int:
    withdrawn = 0
    for offer in open_offers:
        try:
            OfferItem(*_key(offer.offer_id)).update(
                actions=_close_actions(OfferStatus.WITHDRAWN, at), condition=OfferItem.status == OfferStatus.OPEN
            )
            withdrawn += 1
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
    return withdrawn
