"""The round of offers' use cases (matching.service.offers) on the in-memory round store: who wins, when the workflow
hears of a refusal, and what a timed-out round's verdict is."""

from __future__ import annotations

import threading

import pytest

from matching.domain.errors import OfferNotOpen
from matching.service import offers as rounds
from matching.store.memory import MemoryRoundStore
from matching.store.offers import Offer
from orders.domain.lifecycle import OfferStatus
from tests.unit.matching_fixtures import order as an_order

AT, EXPIRES, LATER = "2026-11-25T02:00:00.000Z", "2026-11-25T02:05:00.000Z", "2026-11-25T02:06:00.000Z"


def _offered(technicians: list[str]) -> tuple[MemoryRoundStore, list[Offer]]:
    store = MemoryRoundStore([an_order(status="matching")])
    batch = [
        Offer(offer_id=f"ord_1-1-{i}", order_id="ord_1", technician_id=tech, status=OfferStatus.OPEN, created_at=AT,
              expires_at=EXPIRES, batch_id="ord_1-1")
        for i, tech in enumerate(technicians)
    ]  # fmt: skip
    rounds.create_round(batch, "token", at=AT, store=store)
    return store, batch


def test_the_winner_of_a_grab_round_withdraws_the_others_and_a_late_accept_finds_its_offer_gone():
    store, (first, second, third) = _offered(["tec_a", "tec_b", "tec_c"])
    rounds.accept(first, store.order("ord_1"), "co", at=AT, store=store)
    assert [o.status for o in store.in_round("ord_1", "ord_1-1")] == ["accepted", "withdrawn", "withdrawn"]
    with pytest.raises(OfferNotOpen):
        rounds.accept(second, store.order("ord_1"), "co", at=AT, store=store)
    assert store.order("ord_1").technician_id == "tec_a"


def test_a_booking_holds_the_winners_hours():
    store, [offer] = _offered(["tec_a"])
    rounds.accept(offer, store.order("ord_1"), "co", at=AT, reserve_hours=["2026-11-26T02Z", "2026-11-26T03Z"], store=store)
    assert store.held == {("tec_a", "2026-11-26T02Z"): "ord_1", ("tec_a", "2026-11-26T03Z"): "ord_1"}


def test_only_the_last_refusal_resumes_the_workflow_even_when_they_come_at_once():
    store, batch = _offered([f"tec_{i}" for i in range(5)])
    resumed: list[bool] = []
    barrier = threading.Barrier(len(batch))

    def decline(offer: Offer) -> None:
        barrier.wait()
        resumed.append(rounds.refuse(offer, OfferStatus.DECLINED, actor=offer.technician_id, at=AT, store=store))

    threads = [threading.Thread(target=decline, args=(offer,)) for offer in batch]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert resumed.count(True) == 1 and len(resumed) == 5
    back = store.order("ord_1")
    assert back.status == "matching" and sorted(back.excluded_technicians) == sorted(o.technician_id for o in batch)


@pytest.mark.parametrize(
    ("before_the_timeout", "verdict"),
    [
        ("nothing", "expired"),
        ("one declined", "expired"),  # the other one expires
        ("accepted at the last moment", "accepted"),
        ("taken over by the desk", "accepted"),
    ],
)
def test_a_timed_out_round_is_judged_by_its_records(before_the_timeout, verdict):
    store, (first, second) = _offered(["tec_a", "tec_b"])
    if before_the_timeout == "one declined":
        rounds.refuse(first, OfferStatus.DECLINED, actor="tec_a", at=AT, store=store)
    elif before_the_timeout == "accepted at the last moment":
        rounds.accept(first, store.order("ord_1"), "co", at=AT, store=store)
    elif before_the_timeout == "taken over by the desk":
        store.withdraw([first, second], at=AT)
        store.orders["ord_1"] = store.order("ord_1").model_copy(update={"status": "assigned", "technician_id": "tec_desk"})
    assert rounds.expire_round("ord_1", "ord_1-1", at=LATER, store=store) == verdict
    if verdict == "expired":
        assert store.order("ord_1").status == "matching", "the order goes back to matching for the next round"


def test_a_round_whose_offers_were_all_declined_is_declined():
    store, (first, second) = _offered(["tec_a", "tec_b"])
    for offer in (first, second):
        rounds.refuse(offer, OfferStatus.DECLINED, actor=offer.technician_id, at=AT, store=store)
    assert rounds.expire_round("ord_1", "ord_1-1", at=LATER, store=store) == "declined"
