"""Each event bus rule delivers only the events its consumer uses: the rules' patterns (deploy/catalog.py, as CDK
and the sandbox create them) evaluated by moto's EventBridge matcher, and the consumers shown to do nothing with
what their rule leaves out."""

from __future__ import annotations

import json

import pytest
from moto.events.models import EventPattern

from deploy.catalog import QUEUES, queue
from shared.events import COMPANY_EVENTS, EVENT_SOURCE, SUPERVISION_EVENTS, DomainEvent, EventType, SubjectSnapshot


def _delivered(queue_name: str, event_type: EventType, *, company_id: str | None = "co_1") -> bool:
    pattern = queue(queue_name).rule_pattern()
    event = {
        "source": EVENT_SOURCE,
        "detail-type": event_type.value,
        "detail": {"type": event_type.value, **({"company_id": company_id} if company_id else {})},
    }
    return EventPattern.load(json.dumps(pattern)).matches_event(event)


def test_people_are_told_of_every_event_but_a_changed_credit_score():
    assert [t for t in EventType if not _delivered("notifications", t)] == [EventType.CREDIT_CHANGED]


def test_supervision_takes_every_order_event_and_none_of_its_own():
    assert {t for t in EventType if not _delivered("supervision", t)} == SUPERVISION_EVENTS


def test_a_companys_system_still_gets_its_changed_credit_score():
    assert EventType.CREDIT_CHANGED in COMPANY_EVENTS and _delivered("webhooks", EventType.CREDIT_CHANGED)
    assert not _delivered("webhooks", EventType.CREDIT_CHANGED, company_id=None)


def test_every_rule_pattern_is_one_eventbridge_accepts():
    for spec in QUEUES:
        if spec.from_bus:
            EventPattern.load(json.dumps(spec.rule_pattern()))  # raises on an invalid pattern


def _supervision_event(kind: EventType) -> DomainEvent:
    return DomainEvent(
        event_id=f"evt_{kind.value}",
        type=kind,
        occurred_at="2030-01-01T08:00:00+08:00",
        company_id="co_1",
        subject=SubjectSnapshot(company_id="co_1", name="同源物业", credit_score=80.0, previous_credit_score=82.0),
    )


def test_nobody_was_messaged_about_a_changed_score_before_the_rule_left_it_out():
    from notify.domain.compose import drafts_for
    from notify.domain.supervision import supervision_drafts

    event = _supervision_event(EventType.CREDIT_CHANGED)
    assert drafts_for(event) == []
    assert supervision_drafts(event, dispatchers=["usr_d"], supervisors=["usr_s"]) == []


@pytest.mark.parametrize("kind", sorted(SUPERVISION_EVENTS))
def test_supervision_did_nothing_with_its_own_events_before_the_rule_left_them_out(kind, monkeypatch):
    from supervision.handlers import consumer

    def no_read(*args, **kwargs):
        raise AssertionError("an event without an order must not be read, audited or scored")

    monkeypatch.setattr(consumer.orders, "get", no_read)
    monkeypatch.setattr(consumer.operations, "audit_event", no_read)
    consumer.handle(_supervision_event(kind))
