"""The round of offers in memory, for the use cases' tests: the same contract as the DynamoDB store
(tests/contract/test_round_store.py), one lock standing in for the transactions."""

from __future__ import annotations

import threading

from matching.domain.errors import OfferNotOpen, OfferTaken, RoundNotCreated, SlotTaken
from matching.store.offers import Offer
from orders.domain.lifecycle import OfferStatus, OrderStatus
from orders.domain.records import Order, TimelineEntry


class MemoryRoundStore:
    def __init__(self, orders: list[Order] | None = None) -> None:
        self.orders = {order.order_id: order for order in orders or []}
        self.offers: dict[str, Offer] = {}
        self.tokens: dict[str, str] = {}
        self.held: dict[tuple[str, str], str] = {}  # (technician, hour) → order
        self.open_in_round: dict[str, int] = {}  # order → offers of its current round still open (the item's offers_open)
        self._lock = threading.RLock()

    def offer(self, offer_id: str) -> Offer | None:
        return self.offers.get(offer_id)

    def in_round(self, order_id: str, round_id: str) -> list[Offer]:
        return sorted(
            (o for o in self.offers.values() if o.order_id == order_id and o.batch_id == round_id), key=lambda o: o.offer_id
        )

    def order(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def _change_order(
        self, order: Order, *, status: str | None = None, actor: str = "", at: str = "", note: str | None = None, **fields
    ) -> None:
        if status is not None:
            entry = TimelineEntry(status=status, at=at, actor=actor, note=note)
            fields |= {"status": status, "updated_at": at, "timeline": [*order.timeline, entry], "version": order.version + 1}
        self.orders[order.order_id] = order.model_copy(update=fields)

    def _in_round(self, order_id: str, round_id: str) -> Order | None:
        order = self.orders.get(order_id)
        return order if order and order.status == OrderStatus.OFFERED and order.current_offer_id == round_id else None

    def create_round(self, batch: list[Offer], token: str, *, at: str) -> None:
        with self._lock:
            top = batch[0]
            order = self.orders.get(top.order_id)
            if order is None or order.status != OrderStatus.MATCHING or any(o.offer_id in self.offers for o in batch):
                still_open = [o for o in self.in_round(top.order_id, top.batch_id) if o.status == OfferStatus.OPEN]
                if not still_open:
                    raise RoundNotCreated()
                self.tokens |= {o.offer_id: token for o in still_open}
                return
            for offer in batch:
                self.offers[offer.offer_id], self.tokens[offer.offer_id] = offer, token
            reason = top.match_reason
            self.open_in_round[order.order_id] = len(batch)
            self._change_order(
                order,
                status=OrderStatus.OFFERED,
                actor="workflow",
                at=at,
                note=",".join(o.technician_id for o in batch),
                current_offer_id=top.batch_id,
                **({"match_round": reason.round, "search_radius_m": reason.radius_m, "match_reason": reason} if reason else {}),
            )

    def accept(self, offer: Offer, order: Order, company_id: str, *, at: str, hours: list[str]) -> None:
        with self._lock:
            stored = self.offers.get(offer.offer_id)
            if stored is None or stored.status != OfferStatus.OPEN or stored.expires_at <= at:
                raise OfferNotOpen()
            now = self._in_round(offer.order_id, offer.batch_id)
            if now is None:
                current = self.orders.get(offer.order_id)
                raise OfferTaken() if current is not None and current.status == OrderStatus.ASSIGNED else OfferNotOpen()
            if any((offer.technician_id, hour) in self.held for hour in hours):
                raise SlotTaken()
            self.offers[offer.offer_id] = stored.model_copy(update={"status": OfferStatus.ACCEPTED, "answered_at": at})
            extra = {"match_reason": offer.match_reason} if offer.match_reason else {}
            self._change_order(
                now, status=OrderStatus.ASSIGNED, actor=offer.technician_id, at=at,
                technician_id=offer.technician_id, company_id=company_id, **extra,
            )  # fmt: skip
            self.open_in_round[offer.order_id] = 0
            self.held |= {(offer.technician_id, hour): offer.order_id for hour in hours}

    def refuse(self, offer: Offer, status: OfferStatus, *, at: str) -> None:
        with self._lock:
            stored = self.offers.get(offer.offer_id)
            order = self._in_round(offer.order_id, offer.batch_id)
            if stored is None or stored.status != OfferStatus.OPEN or order is None:
                raise OfferNotOpen()
            self.offers[offer.offer_id] = stored.model_copy(update={"status": status, "answered_at": at})
            self.open_in_round[order.order_id] -= 1
            self._change_order(order, excluded_technicians=[*order.excluded_technicians, offer.technician_id])

    def end_round(self, order_id: str, round_id: str, *, actor: str, at: str, note: str) -> bool:
        with self._lock:
            order = self._in_round(order_id, round_id)
            if order is None or self.open_in_round.get(order_id, 0) > 0:
                return False
            self._change_order(order, status=OrderStatus.MATCHING, actor=actor, at=at, note=note)
            return True

    def withdraw(self, offers: list[Offer], *, at: str) -> int:
        with self._lock:
            withdrawn = 0
            for offer in offers:
                stored = self.offers.get(offer.offer_id)
                if stored is not None and stored.status == OfferStatus.OPEN:
                    self.offers[offer.offer_id] = stored.model_copy(update={"status": OfferStatus.WITHDRAWN, "answered_at": at})
                    withdrawn += 1
            return withdrawn
