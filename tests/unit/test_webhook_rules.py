"""Signatures, the retry schedule and the generated integrator docs (pure logic)."""

from datetime import UTC, datetime
from pathlib import Path

from notify.domain.examples import example, rewrite
from notify.domain.webhooks import DeliveryJob, next_attempt, retry_delay, webhook_body
from shared import signing
from shared.events import EventType

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_signature_verifies_with_its_secret_only():
    payload = signing.signed_payload(1_700_000_000, b'{"a":1}')
    header = signing.signature_header(["s1"], payload)
    assert signing.matches(header, ["s1"], payload)
    assert not signing.matches(header, ["s2"], payload)
    assert not signing.matches(header, ["s1"], signing.signed_payload(1_700_000_001, b'{"a":1}')), "timestamp is signed"
    assert not signing.matches(header, ["s1"], signing.signed_payload(1_700_000_000, b'{"a":2}')), "body is signed"


def test_during_a_rotation_either_secret_verifies():
    payload = signing.signed_payload(1, b"x")
    header = signing.signature_header(["new", "old"], payload)
    assert header.count("v1=") == 2
    assert signing.matches(header, ["old"], payload) and signing.matches(header, ["new"], payload)


def test_inbound_signatures_cover_everything_that_decides_the_call():
    base = {
        "timestamp": 1,
        "nonce": "n1",
        "method": "post",
        "path": "/partner/offers/x/accept",
        "acting_for": "t1",
        "body": b"{}",
    }
    signed = signing.sign("k", signing.signed_request(**base))
    assert signing.signed_request(**base).startswith(b"1.n1.POST./partner/offers/x/accept.t1.")
    for change in ({"nonce": "n2"}, {"path": "/partner/offers/y/accept"}, {"acting_for": "t2"}, {"body": b"{ }"}):
        assert signing.sign("k", signing.signed_request(**{**base, **change})) != signed, change


def test_freshness():
    assert signing.is_fresh(1000, 1000 + 300) and not signing.is_fresh(1000, 1000 + 301)
    assert not signing.is_fresh(1000 + 301, 1000), "a timestamp from the future is stale too"


def test_backoff_doubles_and_is_capped():
    delays = [retry_delay(n, base_seconds=30, max_seconds=3600) for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_retries_stop_after_the_window():
    job = DeliveryJob(company_id="co", event=example(EventType.ORDER_ASSIGNED), attempt=1)
    first = next_attempt(job, now=NOW, base_seconds=30, max_seconds=3600, window_seconds=86400)
    assert first is not None and first.not_before == "2026-11-25T09:00:30.000Z" and first.first_attempt_at
    late = job.model_copy(update={"first_attempt_at": "2026-11-24T09:30:00.000Z", "attempt": 20})
    assert next_attempt(late, now=NOW, base_seconds=30, max_seconds=3600, window_seconds=86400) is None


def test_webhook_bodies_never_carry_the_door_code():
    body = webhook_body(example(EventType.ORDER_ASSIGNED))
    assert b"order_code" not in body and b"246810" not in body and b"co_tongyuan" in body


def test_the_integrator_page_shows_the_examples_the_code_generates():
    page = Path(__file__).resolve().parents[2] / "docs" / "integrators.md"
    text = page.read_text(encoding="utf-8")
    assert rewrite(text) == text, "run `make docs`"
