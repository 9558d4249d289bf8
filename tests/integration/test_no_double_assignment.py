"""Property tests (Hypothesis) on the conditional writes in moto, with real threads: whatever the
interleaving, a technician's hour is held by at most one booking, and a round's order is assigned at most
once. moto's DynamoDB is serialised per call by the sandbox, as DynamoDB is atomic per item/transaction."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.domain.booking_hours import hour_blocks
from shared.clock import iso
from tests.unit.matching_fixtures import order as booking_order

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BASE = datetime(2030, 1, 7, 1, 0, tzinfo=UTC)
_run = itertools.count(1)


@pytest.fixture
def dal(sandbox):
    from matching.store import offers, slots
    from orders.store import orders

    return offers, orders, slots


def _booking_hours(start_hour: int, length: int) -> list[str]:
    start = BASE + timedelta(hours=start_hour)
    return hour_blocks(iso(start), iso(start + timedelta(hours=length)))


operation = st.one_of(
    st.tuples(st.just("reserve"), st.integers(0, 2), st.integers(0, 6), st.integers(1, 3)),  # tech, start, hours
    st.tuples(st.just("cancel"), st.integers(0, 9)),  # an earlier booking, by position
)


@PROPERTY
@given(ops=st.lists(operation, min_size=2, max_size=12))
def test_no_interleaving_lets_two_bookings_hold_a_technicians_hour(dal, ops):
    _, _, slots = dal
    run = next(_run)
    bookings: dict[int, tuple[str, list[str]]] = {}
    succeeded: dict[int, bool] = {}
    released: set[int] = set()
    lock = threading.Lock()

    def do(index: int, op: tuple) -> None:
        if op[0] == "reserve":
            tech, hours = f"tech_p{run}_{op[1]}", _booking_hours(op[2], op[3])
            with lock:
                bookings[index] = (tech, hours)
            try:
                slots.reserve(tech, f"ord{run}x{index}", hours, at=iso(BASE))
                ok = True
            except slots.SlotTaken:
                ok = False
            with lock:
                succeeded[index] = ok
        else:
            target = op[1] % max(1, index) if index else None
            with lock:
                booked = bookings.get(target) if target is not None else None
            if booked:
                slots.release(booked[0], f"ord{run}x{target}", booked[1])
                with lock:
                    released.add(target)

    # When every operation runs at once on its own thread
    with ThreadPoolExecutor(max_workers=len(ops)) as pool:
        list(pool.map(lambda pair: do(*pair), enumerate(ops)))

    # Then every hour held belongs to one booking that succeeded, held in full unless it was released
    for tech in {t for t, _ in bookings.values()}:
        held = slots.held_hours(tech, "2030", "2031")
        for hour, order_id in held.items():
            index = int(order_id.split("x")[1])
            assert succeeded[index] and hour in bookings[index][1]
        live = [i for i, (t, _) in bookings.items() if t == tech and succeeded.get(i) and i not in released]
        for i in live:
            assert all(held.get(h) == f"ord{run}x{i}" for h in bookings[i][1])
        # and no two live bookings of one technician share an hour
        for i, j in itertools.combinations(live, 2):
            assert not set(bookings[i][1]) & set(bookings[j][1])


@settings(PROPERTY, max_examples=12)
@given(answers=st.lists(st.sampled_from(["accept", "decline"]), min_size=1, max_size=5))
def test_no_interleaving_of_answers_assigns_a_grab_round_twice(dal, answers):
    offers, orders, slots = dal
    from matching.service import offers as round_of_offers
    from matching.store.offers import Offer
    from orders.domain.lifecycle import OfferStatus
    from shared.errors import Conflict

    run = next(_run)
    order_id = f"ordgrab{run}"
    now = datetime.now(UTC)
    order = booking_order(order_id=order_id, order_type="booking", status="submitted", created_at=iso(now), updated_at=iso(now))
    orders.create(order, "arn:test")
    orders.transition(order_id, "matching", ["submitted"], actor="test", at=iso(now))
    batch_id = f"{order_id}-1"
    batch = [
        Offer(
            offer_id=f"{batch_id}-{k}",
            order_id=order_id,
            technician_id=f"tech_g{run}_{k}",
            status=OfferStatus.OPEN,
            created_at=iso(now),
            expires_at=iso(now + timedelta(minutes=5)),
            batch_id=batch_id,
        )
        for k in range(len(answers))
    ]
    round_of_offers.create_round(batch, "token", at=iso(now))
    hours = _booking_hours(100 + run, 2)
    outcome: dict[int, str] = {}
    barrier = threading.Barrier(len(answers))

    def answer(k: int) -> None:
        offer = batch[k]
        barrier.wait()
        try:
            if answers[k] == "accept":
                round_of_offers.accept(offer, order, "co", at=iso(datetime.now(UTC)), reserve_hours=hours)
                outcome[k] = "won"
            else:
                # each as its own technician, as the API does: one refusal is told from another by its actor
                declined_by_k = round_of_offers.refuse(offer, OfferStatus.DECLINED, actor=offer.technician_id, at=iso(now))
                outcome[k] = "resumed" if declined_by_k else "declined"
        except Conflict:
            outcome[k] = "409"

    threads = [threading.Thread(target=answer, args=(k,)) for k in range(len(answers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    stored = orders.get(order_id)
    accepted = [o for o in offers.for_order(order_id) if o.status == OfferStatus.ACCEPTED]
    winners = [k for k, v in outcome.items() if v == "won"]
    # At most one acceptance, and the order says who
    assert len(accepted) == len(winners) <= 1
    if winners:
        assert stored.status == "assigned" and stored.technician_id == batch[winners[0]].technician_id
        assert "resumed" not in outcome.values()  # the workflow is resumed by the winner only
        assert set(slots.held_hours(stored.technician_id, hours[0], hours[-1]).values()) == {order_id}
    elif "accept" in answers:
        raise AssertionError(f"an accept was refused though nobody won: {outcome}")
    else:
        # everyone declined: exactly one of them ended the round and resumes the workflow
        assert stored.status == "matching" and list(outcome.values()).count("resumed") == 1
