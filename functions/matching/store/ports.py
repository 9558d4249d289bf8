"""What a round of offers needs from storage (the DynamoDB store and the in-memory fake both pass
tests/contract/test_round_store.py). Every decision is one conditional write of the offer and its order together
(and a booking's hours): whoever loses a race gets the reason, and nothing of theirs is written."""

from __future__ import annotations

from typing import Protocol

from matching.store.offers import Offer
from orders.domain.lifecycle import OfferStatus
from orders.domain.records import Order


class RoundStore(Protocol):
    def offer(self, offer_id: str) -> Offer | None: ...

    def in_round(self, order_id: str, round_id: str) -> list[Offer]: ...

    def order(self, order_id: str) -> Order | None: ...

    def create_round(self, batch: list[Offer], token: str, *, at: str) -> None:
        """The round's offers, each with the round's task token, and the order matching → offered, atomically. The
        same round again (a retry of the offer task) only gives its still-open offers the new token; raises
        RoundNotCreated when neither is possible (the order is not matching, and no offer of the round is open)."""
        ...

    def accept(self, offer: Offer, order: Order, company_id: str, *, at: str, hours: list[str]) -> None:
        """Offer open and unexpired → accepted, the order offered in this round → assigned to its technician and his
        company, and the booking's `hours` of his held, all or nothing; raises OfferNotOpen, OfferTaken (another
        accepted first) or SlotTaken (he is booked then)."""
        ...

    def refuse(self, offer: Offer, status: OfferStatus, *, at: str) -> None:
        """Offer open → declined or expired, one fewer open in its round and its technician never asked again for the
        order; OfferNotOpen if it was answered already or the round is over."""
        ...

    def end_round(self, order_id: str, round_id: str, *, actor: str, at: str, note: str) -> bool:
        """The order offered in this round → matching once none of its offers is open; True for the one caller that
        did it."""
        ...

    def withdraw(self, offers: list[Offer], *, at: str) -> int:
        """Those of `offers` still open → withdrawn; how many."""
        ...
