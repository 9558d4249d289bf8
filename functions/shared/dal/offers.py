"""Offers of an order to a technician. The offer record is the truth about who got the order:
every decision is a conditional write on it, whatever Step Functions later says."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError, UpdateError

from shared.dal import orders
from shared.dal.base import condition_failed, ensure_bound, transaction
from shared.dal.tables import OfferItem, OrderItem
from shared.errors import NotFound, OfferNotOpen
from shared.lifecycle import OfferStatus, OrderStatus
from shared.records import Offer, Order


def offer_id_for(order_id: str, round_number: int) -> str:
    """Deterministic, so a retried offer task writes the same offer instead of a second one."""
    return f"{order_id}-{round_number}"


def order_id_of(offer_id: str) -> str:
    return offer_id.rsplit("-", 1)[0]


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
    return [_record(i) for i in OfferItem.query(f"ORDER#{order_id}", OfferItem.sk.startswith("OFFER#"))]


def open_for_technician(technician_id: str) -> list[Offer]:
    ensure_bound()
    items = OfferItem.open_for_technician.query(f"TECHOFFER#{technician_id}")
    return [_record(i) for i in items if i.status == OfferStatus.OPEN]


def create(offer: Offer, token: str, *, at: str) -> None:
    """Store the offer with its task token and mark the order offered, in one transaction.

    A retry of the same offer task (same offer id) only refreshes the token of a still-open offer.
    """
    ensure_bound()
    item = OfferItem(
        *_key(offer.offer_id),
        **offer.model_dump(),
        task_token=token,
        gsi2pk=f"TECHOFFER#{offer.technician_id}",
        gsi2sk=offer.created_at,
    )
    order = OrderItem(*orders.order_key(offer.order_id))
    try:
        with transaction() as tx:
            tx.save(item, condition=OfferItem.pk.does_not_exist())
            tx.update(
                order,
                actions=orders.status_actions(OrderStatus.OFFERED, "workflow", at, offer.technician_id)
                + [OrderItem.current_offer_id.set(offer.offer_id)],
                condition=orders.status_condition([OrderStatus.MATCHING]),
            )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        existing = get(offer.offer_id)
        if existing is None or existing.status != OfferStatus.OPEN:
            raise
        OfferItem(*_key(offer.offer_id)).update(
            actions=[OfferItem.task_token.set(token)], condition=OfferItem.status == OfferStatus.OPEN
        )


def _close_actions(status: str, at: str) -> list:
    return [OfferItem.status.set(status), OfferItem.answered_at.set(at), OfferItem.gsi2pk.remove(), OfferItem.gsi2sk.remove()]


def accept(offer: Offer, order: Order, company_id: str, *, at: str) -> None:
    """Offer open → accepted and order offered → assigned, atomically; OfferNotOpen if either moved."""
    ensure_bound()
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
                + orders.assignment_actions(order, offer.technician_id, company_id),
                condition=(OrderItem.status == OrderStatus.OFFERED) & (OrderItem.current_offer_id == offer.offer_id),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise OfferNotOpen() from exc
        raise


def close_unanswered(offer: Offer, status: OfferStatus, *, actor: str, at: str) -> None:
    """Decline or expire an open offer: the order goes back to matching without this technician."""
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
                actions=orders.status_actions(OrderStatus.MATCHING, actor, at, f"offer {status}")
                + [orders.exclude_technician_action(offer.technician_id)],
                condition=(OrderItem.status == OrderStatus.OFFERED) & (OrderItem.current_offer_id == offer.offer_id),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise OfferNotOpen() from exc
        raise


def withdraw_open(order_id: str, *, at: str) -> int:
    """Withdraw every open offer of a cancelled order; returns how many were withdrawn."""
    withdrawn = 0
    for offer in for_order(order_id):
        if offer.status != OfferStatus.OPEN:
            continue
        try:
            OfferItem(*_key(offer.offer_id)).update(
                actions=_close_actions(OfferStatus.WITHDRAWN, at), condition=OfferItem.status == OfferStatus.OPEN
            )
            withdrawn += 1
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
    return withdrawn
