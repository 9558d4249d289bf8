"""Offers of an order to technicians on the single table (`ORDER#<order>` / `OFFER#<offer id>`, indexed by technician
while open): their reads, and their changes, which the round's use cases (matching.service.offers) commit together
with the order's."""

from __future__ import annotations

from pydantic import BaseModel
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import UpdateError

from matching.domain.records import MatchReason
from orders.domain.lifecycle import OfferStatus
from shared.dal.base import Change, condition_failed, ensure_bound, query_page
from shared.dal.tables import Gsi2, item_of
from shared.errors import NotFound


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


OfferItem = item_of(
    Offer,
    "OfferItem",
    task_token=UnicodeAttribute(),  # never leaves the server
    gsi2pk=UnicodeAttribute(null=True),  # set only while open: a sparse index of open offers
    gsi2sk=UnicodeAttribute(null=True),
    open_for_technician=Gsi2(),
)


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


def new_offer_changes(batch: list[Offer], token: str) -> list[Change]:
    """The round's offers, each stored with the round's task token, none stored before."""
    return [Change(_item(offer, token), condition=OfferItem.pk.does_not_exist()) for offer in batch]


def refresh_open_tokens(order_id: str, batch_id: str, token: str) -> int:
    """A retry of the same offer task (same round): the still-open offers take the new task token; how many."""
    existing = [o for o in in_batch(order_id, batch_id) if o.status == OfferStatus.OPEN]
    for offer in existing:
        OfferItem(*_key(offer.offer_id)).update(
            actions=[OfferItem.task_token.set(token)], condition=OfferItem.status == OfferStatus.OPEN
        )
    return len(existing)


def _close_actions(status: str, at: str) -> list:
    return [OfferItem.status.set(status), OfferItem.answered_at.set(at), OfferItem.gsi2pk.remove(), OfferItem.gsi2sk.remove()]


def close_change(offer: Offer, status: OfferStatus, *, at: str, unexpired: bool = False) -> Change:
    """An open offer answered (accepted, declined, expired); `unexpired`: only before it expires."""
    condition = OfferItem.status == OfferStatus.OPEN
    if unexpired:
        condition = condition & (OfferItem.expires_at > at)
    return Change(OfferItem(*_key(offer.offer_id)), _close_actions(status, at), condition)


def withdraw_batch(order_id: str, batch_id: str, *, at: str) -> int:
    return withdraw(in_batch(order_id, batch_id), at=at)


def withdraw_open(order_id: str, *, at: str) -> int:
    """Withdraw every open offer of a cancelled order; returns how many were withdrawn."""
    return withdraw(for_order(order_id), at=at)


def withdraw(offers: list[Offer], *, at: str) -> int:
    """Those of `offers` still open → withdrawn (each only if still open when written); how many."""
    open_offers = [o for o in offers if o.status == OfferStatus.OPEN]
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
