"""The round store's contract (matching.store.ports.RoundStore), run against the in-memory fake and the DynamoDB
store (moto's table, through the session sandbox): each answer to an offer is one conditional write of the offer
and its order together, so a race has one winner and the loser's reason, and nothing of the loser's is written."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from matching.domain.errors import OfferNotOpen, OfferTaken, RoundNotCreated, SlotTaken
from matching.store.offers import Offer
from orders.domain.lifecycle import OfferStatus
from shared.clock import iso
from tests.contract.order_stores import store_with_orders
from tests.unit.matching_fixtures import order as an_order

_numbers = itertools.count(int(time.time()) % 10_000_000)
NOW = datetime.now(UTC)
AT, LATER = iso(NOW), iso(NOW + timedelta(minutes=10))


def _matching_order():
    n = next(_numbers)
    return an_order(order_id=f"ordround{n}", status="matching", created_at=AT, updated_at=AT)


def _round(order, technicians: list[str], k: int = 1) -> list[Offer]:
    round_id = f"{order.order_id}-{k}"
    return [
        Offer(offer_id=f"{round_id}-{i}", order_id=order.order_id, technician_id=tech, status=OfferStatus.OPEN,
              created_at=AT, expires_at=iso(NOW + timedelta(minutes=5)), batch_id=round_id)
        for i, tech in enumerate(technicians)
    ]  # fmt: skip


@pytest.fixture(params=["memory", "dynamodb"])
def store_with(request):
    """A function that stores the given orders and answers the store to use with them."""

    def memory():
        from matching.store.memory import MemoryRoundStore

        return MemoryRoundStore()

    def real():
        from matching.service.wiring import round_store

        return round_store()

    return store_with_orders(request, memory, real)


def test_a_round_offers_the_order_and_a_retry_of_it_changes_nothing_else(store_with):
    order = _matching_order()
    store = store_with(order)
    batch = _round(order, ["tec_a", "tec_b"])
    store.create_round(batch, "token-1", at=AT)
    offered = store.order(order.order_id)
    assert (offered.status, offered.current_offer_id) == ("offered", batch[0].batch_id)
    assert [o.offer_id for o in store.in_round(order.order_id, batch[0].batch_id)] == [o.offer_id for o in batch]
    store.create_round(batch, "token-2", at=AT)  # the offer task retried
    assert store.order(order.order_id).version == offered.version


def test_a_round_for_an_order_no_longer_matching_is_refused(store_with):
    order = an_order(order_id=f"ordround{next(_numbers)}", status="cancelled", created_at=AT, updated_at=AT)
    store = store_with(order)
    with pytest.raises(RoundNotCreated):
        store.create_round(_round(order, ["tec_a"]), "token", at=AT)
    assert store.in_round(order.order_id, f"{order.order_id}-1") == []


def test_the_first_accept_wins_and_the_second_is_told_the_order_is_taken(store_with):
    order = _matching_order()
    store = store_with(order)
    first, second = batch = _round(order, ["tec_a", "tec_b"])
    store.create_round(batch, "token", at=AT)
    store.accept(first, store.order(order.order_id), "co", at=AT, hours=[])
    with pytest.raises(OfferTaken):
        store.accept(second, store.order(order.order_id), "co", at=AT, hours=[])
    assigned = store.order(order.order_id)
    assert (assigned.status, assigned.technician_id, assigned.company_id) == ("assigned", "tec_a", "co")
    assert store.offer(second.offer_id).status == "open", "the loser's offer is untouched (the winner withdraws it)"
    assert store.withdraw(store.in_round(order.order_id, first.batch_id), at=AT) == 1
    assert store.offer(second.offer_id).status == "withdrawn"


def test_an_expired_offer_cannot_be_accepted(store_with):
    order = _matching_order()
    store = store_with(order)
    [offer] = batch = _round(order, ["tec_a"])
    store.create_round(batch, "token", at=AT)
    with pytest.raises(OfferNotOpen):
        store.accept(offer, store.order(order.order_id), "co", at=LATER, hours=[])
    assert store.order(order.order_id).status == "offered"


def test_an_hour_already_held_refuses_the_accept_and_nothing_is_written(store_with):
    hour = iso((NOW + timedelta(days=400 + next(_numbers) % 1000)).replace(minute=0, second=0, microsecond=0))
    booked, other = _matching_order(), _matching_order()
    store = store_with(booked, other)
    [first] = _round(booked, ["tec_busy"])
    [second] = _round(other, ["tec_busy"])
    store.create_round([first], "token", at=AT)
    store.create_round([second], "token", at=AT)
    store.accept(first, store.order(booked.order_id), "co", at=AT, hours=[hour])
    with pytest.raises(SlotTaken):
        store.accept(second, store.order(other.order_id), "co", at=AT, hours=[hour])
    assert store.order(other.order_id).status == "offered" and store.offer(second.offer_id).status == "open"


def test_the_last_refusal_ends_the_round_once(store_with):
    order = _matching_order()
    store = store_with(order)
    first, second = batch = _round(order, ["tec_a", "tec_b"])
    store.create_round(batch, "token", at=AT)
    store.refuse(first, OfferStatus.DECLINED, at=AT)
    assert not store.end_round(order.order_id, first.batch_id, actor="tec_a", at=AT, note="offer declined"), "one still open"
    with pytest.raises(OfferNotOpen):
        store.refuse(first, OfferStatus.DECLINED, at=AT)
    store.refuse(second, OfferStatus.EXPIRED, at=AT)
    assert store.end_round(order.order_id, first.batch_id, actor="workflow", at=LATER, note="offer expired")
    back = store.order(order.order_id)
    assert back.status == "matching" and set(back.excluded_technicians) == {"tec_a", "tec_b"}
    assert not store.end_round(order.order_id, first.batch_id, actor="tec_b", at=LATER, note="offer declined")


def test_accepts_at_once_of_a_grab_round_assign_it_once(store_with):
    order = _matching_order()
    store = store_with(order)
    batch = _round(order, [f"tec_g{i}" for i in range(4)])
    store.create_round(batch, "token", at=AT)
    outcomes: list[str] = []

    def take(offer: Offer) -> None:
        try:
            store.accept(offer, store.order(order.order_id), "co", at=AT, hours=[])
            outcomes.append("won")
        except (OfferTaken, OfferNotOpen):
            outcomes.append("lost")

    threads = [threading.Thread(target=take, args=(offer,)) for offer in batch]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "lost", "lost", "won"]
    assert [o.status for o in store.in_round(order.order_id, batch[0].batch_id)].count("accepted") == 1
