"""Races through the real handlers (the gateway, in-process), each run REPEAT times with threads released
together by a barrier; after each run, invariants over everything stored. The orders are written straight
to the table in the state the race needs (their task tokens are fakes: resuming one is a stale answer the
handlers already accept), so a run takes a fraction of a second; the approval race needs the real workflow
(its timeout is the state machine's) and runs its repetitions side by side."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from orders.domain.steps import Step
from shared.clock import iso
from tests.conftest import wait_for
from tests.prices_flow import LAMP, LAMP_TOTAL, WIRE, WIRE_TOTAL, make_paid
from tests.unit.matching_fixtures import order as an_order
from tests.workflow.conftest import Observer

pytestmark = pytest.mark.reliability  # make reliability (CI runs it after make test)

REPEAT = 12  # runs of each race: about 1–3 s a run on this 2-core machine (docs/reliability.md)
_runs = itertools.count(1)


@pytest.fixture
def observe(sandbox) -> Observer:
    return Observer(sandbox)


@pytest.fixture(autouse=True)
def _consumers_wait(sandbox):
    """The checks are on what the handlers stored: the stream and queue consumers (messages, audit log) wait
    until each test is over rather than compete for the cores, then deliver what it wrote."""
    with sandbox.pumps_paused():
        yield


# The same threads for every run: each new thread would build its own botocore sessions and clients first
# (PynamoDB keeps them per thread), which is slow and spreads the calls apart.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="race")


def together(*calls):
    """Run the calls on threads of their own, released at the same moment; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    return [f.result(timeout=60) for f in [_POOL.submit(run, c) for c in calls]]


def later(seconds: float, call):
    """The call, started `seconds` after the others: spreads the runs over the race's window."""
    return partial(lambda: time.sleep(seconds) or call())


def _order(world, status: str, *, booking: bool = False, **fields):
    """An order of the world's resident, written as the workflow would have left it in `status`."""
    from orders.store import orders

    now, run = datetime.now(UTC), next(_runs)
    order_id = f"ordrace{run}x{int(time.time() * 1000) % 10**8}"
    slot = None
    if booking:  # each order its own hours: a technician may hold one booking per hour
        start = (now + timedelta(days=3, hours=3 * run)).replace(minute=0, second=0, microsecond=0)
        slot = {"start": iso(start), "end": iso(start + timedelta(hours=2))}
    order = an_order(
        order_id=order_id,
        order_type="booking" if booking else "emergency",
        status=status,
        resident_id=world.resident_id,
        compound_id=world.compound_id,
        address_id=world.address_id,
        lat=world.lat,
        lng=world.lng,
        slot=slot,
        created_at=iso(now),
        updated_at=iso(now),
        timeline=[{"status": status, "at": iso(now), "actor": "test"}],
        **fields,
    )
    orders.create(order, "arn:test")
    return order


def _offered(world, tech: str, *, booking: bool = False):
    """An order offered to `tech` (one open offer of round 1, holding a fake task token)."""
    from matching.service import offers as round_of_offers
    from matching.store.offers import Offer
    from orders.domain.lifecycle import OfferStatus

    order = _order(world, "matching", booking=booking)
    now = datetime.now(UTC)
    offer = Offer(
        offer_id=f"{order.order_id}-1-1",
        order_id=order.order_id,
        technician_id=tech,
        status=OfferStatus.OPEN,
        created_at=iso(now),
        expires_at=iso(now + timedelta(minutes=5)),
        batch_id=f"{order.order_id}-1",
    )
    round_of_offers.create_round([offer], "fake-task-token", at=iso(now))
    return order, offer


def _statuses(order_id: str) -> list[str]:
    from orders.store import orders

    return [t.status for t in orders.get(order_id).timeline]


def test_the_same_offer_accepted_at_once_is_accepted_once(world):
    from matching.store import offers, slots
    from orders.store import orders

    tech = world.add_technician()
    for _ in range(REPEAT):
        # Given an open offer, When its technician's app and the company's system accept it at the same moment
        order, offer = _offered(world, tech, booking=True)
        answers = together(*[partial(world.as_technician, tech, "POST", f"/offers/{offer.offer_id}/accept")] * 2)
        # Then one accept wins, the other is told the offer is no longer open (docs/api.md: a retry that wants
        # the first answer sends an Idempotency-Key), and the order was assigned once, its hours held once
        assert sorted(a.status for a in answers) == [200, 409], [a.body for a in answers]
        assert next(a for a in answers if a.status == 409).body["error"]["code"] == "offer_not_open"
        stored = orders.get(order.order_id)
        assert stored.status == "assigned" and stored.technician_id == tech
        assert _statuses(order.order_id).count("assigned") == 1 and stored.version == 3  # created, offered, assigned
        assert [o.status for o in offers.for_order(order.order_id)] == ["accepted"]
        held = slots.held_hours(tech, "2000", "2100")
        assert sorted(h for h, o in held.items() if o == order.order_id) == _hours(stored)


def _hours(order) -> list[str]:
    from matching.domain.booking_hours import hour_blocks

    return hour_blocks(order.slot.start, order.slot.end)


def test_accept_and_cancel_at_once_leave_a_cancelled_order_holding_nothing(world, faults):
    from matching.store import offers, slots

    tech = world.add_technician()
    outcomes = Counter()
    for run in range(REPEAT):
        order, offer = _offered(world, tech, booking=True)
        if run % 2:  # a throttled DynamoDB holds the cancel's status change back (within the SDK's retries)
            faults.dynamodb("UpdateItem", 3, error="ThrottlingException", when=lambda c, o=order.order_id: _order_write(c, o))
        # Run by run, one starts up to 0.3 s after the other: the accept first in half the runs, the cancel first in
        # the others (how long each takes depends on the machine, so neither is given the lead in every run)
        offset = (run / (REPEAT - 1) - 0.5) * 0.6
        accept, cancel = together(
            later(max(0.0, -offset), partial(world.as_technician, tech, "POST", f"/offers/{offer.offer_id}/accept")),
            later(max(0.0, offset), partial(world.as_resident, "POST", f"/orders/{order.order_id}/cancel", {"reason": "不修了"})),
        )
        # The resident's cancel always wins in the end: an assigned order can still be cancelled
        assert cancel.status == 200, cancel.body
        statuses = _statuses(order.order_id)
        assert statuses[-1] == "cancelled" and statuses.count("cancelled") == 1
        offer_now = offers.get(offer.offer_id).status
        if accept.status == 200:  # accepted first: assigned, then cancelled
            assert offer_now == "accepted" and statuses.count("assigned") == 1
        else:  # cancelled first: the offer was withdrawn and could not be accepted
            assert accept.status == 409 and offer_now == "withdrawn" and "assigned" not in statuses
        # Either way no hour of the technician stays held for the cancelled order
        assert order.order_id not in slots.held_hours(tech, "2000", "2100").values()
        outcomes[accept.status] += 1
    assert set(outcomes) == {200, 409}, f"both orders of arrival happened: {outcomes}"


def _order_write(call, order_id: str) -> bool:
    """A status change of the order itself (not of its offers)."""
    key = call.params.get("Key", {})
    return key.get("pk", {}).get("S") == f"ORDER#{order_id}" and key.get("sk", {}).get("S") == "ORDER"


def test_two_ratings_at_once_record_one(world):
    from orders.store import callbacks, orders
    from ratings.service import wiring

    tech = world.add_technician()
    for _ in range(REPEAT):
        order = _order(world, "completed", technician_id=tech, company_id=world.company_id)
        callbacks.register(order.order_id, Step.RATING, "fake-task-token", at=iso(datetime.now(UTC)))
        # When the resident's rating is sent twice at once, with different stars (two taps, two devices)
        first, second = together(
            partial(world.as_resident, "POST", f"/orders/{order.order_id}/rating", {"stars": 5}),
            partial(world.as_resident, "POST", f"/orders/{order.order_id}/rating", {"stars": 3}),
        )
        # Then one is recorded, the other refused, and the stored rating is the one that was answered 201
        assert sorted([first.status, second.status]) == [201, 409], (first.body, second.body)
        winner = first if first.status == 201 else second
        stored = orders.get(order.order_id)
        assert stored.rating_stars == winner.body["stars"] and _statuses(order.order_id).count("rated") == 1
        assert wiring.store().rating(order.order_id).stars == winner.body["stars"]
        assert callbacks.token(order.order_id, Step.RATING) is None, "the wait was taken once"


def test_a_rating_retried_at_once_with_the_same_idempotency_key_is_recorded_once(world):
    from orders.store import orders

    tech = world.add_technician()
    for run in range(REPEAT):
        order = _order(world, "completed", technician_id=tech, company_id=world.company_id)

        def rate(order_id=order.order_id, key=f"rate-{run}"):
            return world.api.call(
                world.resident_id,
                "resident",
                "POST",
                f"/orders/{order_id}/rating",
                {"stars": 4},
                headers={"Idempotency-Key": key},
            )

        answers = together(rate, rate, rate)
        # Each did the work, replayed its answer, or was told the same request is still running: never twice
        assert {a.status for a in answers} <= {201, 409} and any(a.status == 201 for a in answers)
        assert all(a.body["error"]["code"] == "request_in_progress" for a in answers if a.status == 409)
        assert len({json.dumps(a.body, sort_keys=True) for a in answers if a.status == 201}) == 1
        assert _statuses(order.order_id).count("rated") == 1 and orders.get(order.order_id).rating_stars == 4
        assert rate().status == 201 and _statuses(order.order_id).count("rated") == 1, "a later retry is a replay"


def test_the_same_webhook_event_delivered_twice_at_once_has_one_log_entry_and_one_effect(world, receiver):
    from notify.domain.examples import example
    from shared.events import EventType

    registered = world.as_dispatcher("PUT", "/companies/me/webhook", {"url": receiver.url, "events": ["order.assigned"]})
    assert registered.status == 200, registered.body
    sandbox = world.api.sandbox
    sent: list[str] = []
    for run in range(REPEAT):
        event = example(EventType.ORDER_ASSIGNED).model_copy(
            update={"event_id": f"evt_race{run}_{next(_runs)}", "company_id": world.company_id}
        )
        sent.append(event.event_id)
        message = {"detail": event.model_dump(mode="json", exclude_none=True)}
        record = {
            "messageId": f"m{run}",
            "receiptHandle": "r",
            "body": json.dumps(message),
            "attributes": {},
            "eventSource": "aws:sqs",
        }
        # When the queue delivers the same event twice at once (SQS is at least once)
        together(*[lambda r=record: sandbox.aws.invoke("Webhooks", {"Records": [r]})] * 2)
    # Then the company's system received each event twice with the same Linli-Event-Id, and by de-duplicating on it,
    # as the integrator documentation says, acted once per event
    received = [r for r in receiver.received if r.headers["Linli-Event-Id"] in sent]
    assert Counter(r.headers["Linli-Event-Id"] for r in received) == dict.fromkeys(sent, 2)
    effects = {r.headers["Linli-Event-Id"]: r.event for r in received}  # the receiver's de-duplication
    assert sorted(effects) == sorted(sent)
    # And the platform's delivery log holds one entry per event, with both attempts
    log = world.as_dispatcher("GET", "/companies/me/webhook/deliveries").body["deliveries"]
    entries = Counter(d["delivery_id"] for d in log if d["delivery_id"] in sent)
    assert entries == dict.fromkeys(sent, 1)
    assert all(len(d["attempts"]) == 2 and d["status"] == "delivered" for d in log if d["delivery_id"] in sent)


APPROVAL_SECONDS = 2
APPROVAL_RUNS = 12


def _awaiting_approval_by_dispatch(world, tech: str) -> str:
    """An order escalated (nobody on duty), dispatched by hand, billed beyond its quote: awaiting approval."""
    from orders.store import orders

    order_id = world.order()["order_id"]
    wait_for(lambda: orders.get(order_id).status == "escalated", what="the escalation")
    assert world.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech}).status == 200
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "on_site"}).status == 200
    extra = {**LAMP, "reason": "灯具烧毁"}
    billed = world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [WIRE, extra]})
    assert billed.status == 200 and billed.body["status"] == "awaiting_approval", billed.body
    return order_id


@pytest.mark.parametrize("runs", [APPROVAL_RUNS])
def test_approval_and_its_timeout_at_once_complete_the_order_once(world, observe, timeouts, runs):
    from orders.store import callbacks, orders

    timeouts(approval=APPROVAL_SECONDS)
    make_paid(world)
    tech = world.add_technician(on_duty=False)  # nobody on duty: the orders escalate and are dispatched by hand

    def race(k: int):
        order_id = _awaiting_approval_by_dispatch(world, tech)
        # The approval wait started when its task token was stored; answer around its timeout
        wait_for(lambda: callbacks.token(order_id, Step.APPROVAL) or orders.get(order_id).status != "awaiting_approval")
        time.sleep(k * (APPROVAL_SECONDS * 1.5) / (runs - 1))
        return order_id, world.as_resident("POST", f"/orders/{order_id}/approval", {"decision": "approve"})

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(race, range(runs)))
    outcomes = Counter()
    for order_id, answer in results:
        wait_for(lambda o=order_id: observe.states_entered(o)[-1] == "AwaitRating", what=f"{order_id} waiting for its rating")
        stored = orders.get(order_id)
        statuses = [t.status for t in stored.timeline]
        assert statuses.count("completed") == 1 and statuses[-2:] == ["awaiting_approval", "completed"]
        if answer.status == 200:  # the resident's consent came first: the extra lamp is charged
            assert stored.approval_outcome == "approved" and stored.bill_total == WIRE_TOTAL + LAMP_TOTAL
        else:  # the timeout came first: only the quoted wire is charged, and the late consent is refused
            assert answer.status == 409 and answer.body["error"]["code"] == "invalid_status"
            assert stored.approval_outcome == "timed_out" and stored.bill_total == WIRE_TOTAL
        assert observe.execution_status(order_id) == "RUNNING"
        outcomes[stored.approval_outcome] += 1
    # the answers were spread from well before to well after the timeout: both sides won some
    assert set(outcomes) == {"approved", "timed_out"}, outcomes
