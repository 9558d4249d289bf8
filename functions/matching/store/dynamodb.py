"""The round of offers on the single table: the offers' and slots' changes of this domain, committed with the order's
changes, which the orders domain builds (the store is given how: matching.service.wiring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError

from matching.domain.errors import OfferNotOpen, OfferTaken, RoundNotCreated, SlotTaken
from matching.store import offers, slots
from matching.store.offers import Offer
from orders.domain.lifecycle import OfferStatus, OrderStatus
from orders.domain.records import Order
from shared.dal.base import Change, commit, condition_failed, ensure_bound


@dataclass(frozen=True)
class OrderChanges:
    """What the round needs of the orders domain (orders.service.changes and queries)."""

    read: Callable[[str], Order | None]
    offered: Callable[..., Change]
    accepted: Callable[..., Change]
    refused: Callable[..., Change]
    round_ended: Callable[..., bool]


class DynamoRoundStore:
    def __init__(self, orders: OrderChanges) -> None:
        self._orders = orders

    def offer(self, offer_id: str) -> Offer | None:
        return offers.get(offer_id)

    def in_round(self, order_id: str, round_id: str) -> list[Offer]:
        return offers.in_batch(order_id, round_id)

    def order(self, order_id: str) -> Order | None:
        return self._orders.read(order_id)

    def create_round(self, batch: list[Offer], token: str, *, at: str) -> None:
        ensure_bound()
        top = batch[0]
        offered = self._orders.offered(top.order_id, top.batch_id, [o.technician_id for o in batch], top.match_reason, at=at)
        try:
            commit([*offers.new_offer_changes(batch, token), offered])
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            if not offers.refresh_open_tokens(top.order_id, top.batch_id, token):
                raise RoundNotCreated() from exc

    def accept(self, offer: Offer, order: Order, company_id: str, *, at: str, hours: list[str]) -> None:
        ensure_bound()
        try:
            commit(
                [
                    offers.close_change(offer, OfferStatus.ACCEPTED, at=at, unexpired=True),
                    self._orders.accepted(order, offer.batch_id, offer.technician_id, company_id, offer.match_reason, at=at),
                    *(slots.hold_change(offer.technician_id, offer.order_id, hour, at=at) for hour in hours),
                ]
            )
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            raise self._why_accept_failed(offer, at) from exc

    def _why_accept_failed(self, offer: Offer, at: str) -> Exception:
        """Read back which condition failed: the offer itself, the order (someone else won) or the slot."""
        now_offer, order = offers.get(offer.offer_id), self._orders.read(offer.order_id)
        if now_offer is None or now_offer.status != OfferStatus.OPEN or now_offer.expires_at <= at:
            return OfferNotOpen()
        if order is None or order.status != OrderStatus.OFFERED or order.current_offer_id != offer.batch_id:
            return OfferTaken() if order is not None and order.status == OrderStatus.ASSIGNED else OfferNotOpen()
        return SlotTaken()

    def refuse(self, offer: Offer, status: OfferStatus, *, at: str) -> None:
        ensure_bound()
        try:
            commit(
                [
                    offers.close_change(offer, status, at=at),
                    self._orders.refused(offer.order_id, offer.batch_id, offer.technician_id),
                ]
            )
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise OfferNotOpen() from exc
            raise

    def end_round(self, order_id: str, round_id: str, *, actor: str, at: str, note: str) -> bool:
        return self._orders.round_ended(order_id, round_id, actor=actor, at=at, note=note)

    def withdraw(self, open_offers: list[Offer], *, at: str) -> int:
        return offers.withdraw(open_offers, at=at)
