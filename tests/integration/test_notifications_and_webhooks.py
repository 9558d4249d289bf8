"""Issue 7 end to end in the sandbox: events on the bus, messages by channel, signed webhooks with retries,
the dead-letter path, secret rotation and replay. The receiving end is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import itertools
import json

from notify.domain.sms import template as sms_template
from tests.conftest import wait_for
from tests.integration.conftest import documented

_taps = itertools.count(1)


def documented_verifier():
    return documented("verify_linli_signature")


def tap_the_bus(sandbox) -> str:
    """Subscribe a fresh queue to every event on the bus, as any new consumer would."""
    from local.runtime import EVENT_BUS_NAME

    sqs, bus = sandbox.aws.client("sqs"), sandbox.aws.client("events")
    name = f"test-tap-{next(_taps)}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus.put_rule(Name=name, EventBusName=EVENT_BUS_NAME, EventPattern=json.dumps({"source": ["linli.orders"]}))
    bus.put_targets(Rule=name, EventBusName=EVENT_BUS_NAME, Targets=[{"Id": name, "Arn": arn}])
    return url


def events_on_tap(sandbox, url: str, order_id: str) -> list[dict]:
    sqs, found = sandbox.aws.client("sqs"), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found += [json.loads(m["Body"])["detail"] for m in batch]
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    return [e for e in found if e.get("order", {}).get("order_id") == order_id]


def accept_first_offer(world, observe, tech: str, order_id: str) -> None:
    offer_id = observe.wait_offer(world, tech, order_id)
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    observe.wait_status(order_id, "assigned")


def register_webhook(world, url: str, **extra) -> dict:
    result = world.as_dispatcher("PUT", "/companies/me/webhook", {"url": url, **extra})
    assert result.status == 200, result.body
    return result.body


def test_every_transition_of_an_order_is_an_event_on_the_bus(sandbox, world, observe):
    # Given a subscriber to the bus and a technician on duty
    tap = tap_the_bus(sandbox)
    tech = world.add_technician()
    # When an order goes all the way from submission to closing
    order_id = world.order()["order_id"]
    accept_first_offer(world, observe, tech, order_id)
    for step in ("en_route", "on_site"):
        assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": step}).status == 200
    assert (
        world.as_technician(
            tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
        ).status
        == 200
    )
    observe.wait_status(order_id, "completed")
    assert world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 5}).status == 201
    observe.wait_status(order_id, "closed")
    # Then each status it entered, and the offer, was published once, with a stable id
    expected = {"order.submitted", "offer.created", "order.offered", "order.assigned", "order.en_route", "order.on_site"}
    expected |= {"order.completed", "order.rated", "order.closed"}
    seen: list[dict] = []
    wait_for(lambda: seen.extend(events_on_tap(sandbox, tap, order_id)) or {e["type"] for e in seen} >= expected, what="events")
    assert sorted(e["type"] for e in seen) == sorted(expected), "each exactly once"
    by_version = sorted((e for e in seen if e["type"].startswith("order.")), key=lambda e: int(e["event_id"].rsplit("_v", 1)[1]))
    assert [e["type"] for e in by_version] == [
        "order.submitted", "order.offered", "order.assigned", "order.en_route", "order.on_site",
        "order.completed", "order.rated", "order.closed",
    ]  # fmt: skip
    assert all(e["company_id"] == world.company_id for e in seen if e["type"] not in ("order.submitted", "order.offered"))


def test_the_company_receives_signed_deliveries_its_integrators_can_verify(world, observe, receiver):
    # Given the company's system registered its endpoint and kept the secret shown once
    secret = register_webhook(world, receiver.url)["secret"]
    assert secret.startswith("whsec_")
    assert world.as_dispatcher("GET", "/companies/me/webhook").body["secret"] is None, "never shown again"
    tech = world.add_technician()
    # When one of its technicians is offered an order and accepts it
    order_id = world.order()["order_id"]
    accept_first_offer(world, observe, tech, order_id)
    # Then it received both events, signed, verifiable with the documented snippet, without the door code
    got = wait_for(lambda: len(receiver.for_order(order_id)) >= 2 and receiver.for_order(order_id), what="two deliveries")
    assert [r.event["type"] for r in got] == ["offer.created", "order.assigned"]
    verify = documented_verifier()
    for delivery in got:
        assert verify(secret, delivery.headers, delivery.body)
        assert not verify("whsec_someone-else", delivery.headers, delivery.body)
        assert delivery.headers["Linli-Event-Id"] == delivery.event["event_id"]
        assert "order_code" not in delivery.event["order"]
    tampered = got[1].body.replace(b"order.assigned", b"order.cancelled")
    assert not verify(secret, got[1].headers, tampered)


def test_the_documented_verifier_refuses_a_stale_capture(world, observe, receiver):
    secret = register_webhook(world, receiver.url, events=["offer.created"])["secret"]
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    [delivery] = wait_for(lambda: receiver.for_order(order_id), what="the offer delivery")
    stale = {**delivery.headers, "Linli-Timestamp": str(int(delivery.headers["Linli-Timestamp"]) - 301)}
    assert documented_verifier()(secret, delivery.headers, delivery.body)
    assert not documented_verifier()(secret, stale, delivery.body), "signed 5 minutes ago: refused even if genuine"
    assert tech


def test_a_failing_endpoint_is_retried_until_it_answers(world, observe, receiver, settings_env):
    # Given an endpoint that fails three times, and retries a second apart (30 s … 1 h in production)
    settings_env(webhook_retry_base_seconds=1, webhook_retry_max_seconds=1)
    receiver.fail_first = 3
    register_webhook(world, receiver.url, events=["offer.created"])
    world.add_technician()
    # When an event is delivered
    order_id = world.order()["order_id"]
    # Then the fourth attempt succeeds, every attempt with the same event id, all of it in the log
    wait_for(lambda: len(receiver.for_order(order_id)) >= 4, timeout=30, what="four attempts")
    attempts = receiver.for_order(order_id)
    assert receiver.answered[:4] == [500, 500, 500, 204] and len(attempts) == 4
    assert len({a.headers["Linli-Event-Id"] for a in attempts}) == 1
    [entry] = [
        d for d in world.as_dispatcher("GET", "/companies/me/webhook/deliveries").body["deliveries"] if d["order_id"] == order_id
    ]
    assert entry["status"] == "delivered" and [a["status_code"] for a in entry["attempts"]] == [500, 500, 500, 204]


def test_an_endpoint_that_never_answers_ends_in_the_dead_letter_queue_and_can_be_replayed(world, observe, receiver, settings_env):
    # Given an endpoint that always fails, and a retry window of two seconds (a day in production)
    settings_env(webhook_retry_base_seconds=1, webhook_retry_max_seconds=1, webhook_retry_window_seconds=2)
    receiver.fail_first = 10**6
    register_webhook(world, receiver.url, events=["offer.created"])
    world.add_technician()
    order_id = world.order()["order_id"]

    def logged():
        entries = world.as_dispatcher("GET", "/companies/me/webhook/deliveries").body["deliveries"]
        return next((d for d in entries if d["order_id"] == order_id and d["status"] == "failed"), None)

    # Then the delivery is marked failed in the company's log, and the operators see it
    entry = wait_for(logged, timeout=30, what="the delivery to fail")
    assert len(entry["attempts"]) >= 2
    dead = world.as_supervisor("GET", "/ops/dead-letters").body["dead_letters"]
    assert any(d["queue"] == "webhooks" and order_id in d["body"] for d in dead)
    assert world.as_dispatcher("GET", "/ops/dead-letters").status == 403
    # When the endpoint recovers and the company replays the delivery, it arrives with the same event id
    before = len(receiver.for_order(order_id))
    receiver.fail_first = len(receiver.received)  # every request from now on succeeds
    assert world.as_dispatcher("POST", f"/companies/me/webhook/deliveries/{entry['delivery_id']}/replay").status == 200
    wait_for(lambda: len(receiver.for_order(order_id)) > before and receiver.answered[-1] == 204, what="the replay")
    assert receiver.for_order(order_id)[-1].headers["Linli-Event-Id"] == entry["delivery_id"]


def test_a_rotated_secret_overlaps_with_the_old_one(world, observe, receiver):
    old = register_webhook(world, receiver.url, events=["offer.created"])["secret"]
    rotated = world.as_dispatcher("POST", "/companies/me/webhook/secret").body
    assert rotated["secret"] != old and rotated["previous_secret_valid_until"]
    world.add_technician()
    order_id = world.order()["order_id"]
    [delivery] = wait_for(lambda: receiver.for_order(order_id), what="a delivery")
    verify = documented_verifier()
    assert delivery.headers["Linli-Signature"].count("v1=") == 2
    assert verify(old, delivery.headers, delivery.body) and verify(rotated["secret"], delivery.headers, delivery.body)


def test_only_https_endpoints_outside_the_sandbox_and_only_known_event_types(world, settings_env):
    settings_env(allow_http_webhooks="false")
    refused = world.as_dispatcher("PUT", "/companies/me/webhook", {"url": "http://dispatch.example.com/hook"})
    assert refused.status == 400 and refused.body["error"]["code"] == "validation_error"
    unknown = world.as_dispatcher("PUT", "/companies/me/webhook", {"url": "https://x.example.com", "events": ["order.exploded"]})
    assert unknown.status == 422
    assert world.as_resident("PUT", "/companies/me/webhook", {"url": "https://x.example.com"}).status == 403


def test_an_elderly_resident_who_prefers_a_call_gets_one_from_the_back_office(world, observe):
    # Given 王奶奶-like resident prefers a phone call to SMS
    from identity.store import accounts

    resident = accounts.get_user(world.resident_id)
    accounts.put_user(resident.model_copy(update={"phone": "13800000099"}))
    chosen = world.as_resident("PUT", "/me/notifications", {"channels": ["phone_call"], "language": "zh"})
    assert chosen.status == 200 and world.as_resident("GET", "/me/notifications").body["channels"] == ["phone_call"]
    tech = world.add_technician()
    # When her order is accepted
    order_id = world.order()["order_id"]
    accept_first_offer(world, observe, tech, order_id)

    # Then the company's back office has a call to make, with the door code to read out
    def call():
        tasks = world.as_dispatcher("GET", "/call-tasks").body["call_tasks"]
        return next((t for t in tasks if t["order_id"] == order_id and "订单码" in t["text_zh"]), None)

    task = wait_for(call, what="a call task")
    assert task["phone"] == "13800000099" and task["resident_id"] == world.resident_id
    assert all(
        m["channel"] == "phone_call" for m in world.as_resident("GET", "/messages").body["messages"] if m["order_id"] == order_id
    )


def test_sms_goes_by_template_to_the_residents_number(sandbox, world, observe):
    """The sandbox's SMS provider is the fake (LINLI_SMS_PROVIDER=fake), read at GET /dev/outbox; the SNS and Aliyun
    providers have their own tests (tests/integration/test_sms_providers.py)."""
    import urllib.request

    from identity.store import accounts

    accounts.put_user(accounts.get_user(world.resident_id).model_copy(update={"phone": "13800000042"}))
    order_id = world.order()["order_id"]

    def outbox():
        with urllib.request.urlopen(f"{sandbox.url}/dev/outbox?phone=13800000042", timeout=5) as response:
            return json.loads(response.read())["messages"]

    [first, *_] = wait_for(outbox, what="an SMS")
    assert first["phone"] == "13800000042" and first["template"].startswith("order_"), first
    assert first["text"] == "【邻里】" + sms_template(first["template"]).render(first["params"])
    assert first["sent_at"].endswith("Z") and order_id


def test_messages_that_fail_every_attempt_reach_the_dead_letter_queue(sandbox, world, observe, settings_env):
    # Given the notification function fails on every attempt (retried at once here: 2 s, 4 s … in production)
    settings_env(notification_retry_base_seconds=0)
    fault = sandbox.aws.lambdas.inject("Notifications", 10**6, when=lambda event: world.resident_id in json.dumps(event))
    try:
        order_id = world.order()["order_id"]

        def dead_lettered():
            dead = world.as_supervisor("GET", "/ops/dead-letters").body["dead_letters"]
            return [d for d in dead if d["queue"] == "notifications" and order_id in d["body"]]

        # Then after the retries its events wait in the dead-letter queue, visible to supervisors
        [dead] = wait_for(dead_lettered, timeout=40, what="the dead letter")[:1]
        assert int(dead["receive_count"]) >= 1
    finally:
        sandbox.aws.lambdas.remove(fault)


def test_credit_changes_and_admission_decisions_reach_the_company_webhook_signed_logged_and_replayable(world, observe, receiver):
    from tests.workflow.test_lifecycle import _finish

    # Given the company's system listens for its credit and for decisions about its technicians
    secret = register_webhook(world, receiver.url, events=["credit.changed", "technician.admission_decided"])["secret"]
    tech = world.add_technician()
    # When one of its technicians finishes a five-star order (the company's score moves off the neutral 50)
    order_id = world.order()["order_id"]
    accept_first_offer(world, observe, tech, order_id)
    _finish(world, observe, order_id, tech)
    [changed] = wait_for(lambda: receiver.of_type("credit.changed"), what="credit.changed")
    # And a supervisor then suspends that technician
    decided = world.as_supervisor("POST", f"/vetting/technicians/{tech}/decision", {"decision": "suspend", "reason": "投诉核实"})
    assert decided.status == 200, decided.body
    [admission] = wait_for(lambda: receiver.of_type("technician.admission_decided"), what="the admission decision")

    # Then both arrived signed, about the company (no order), with what changed
    verify = documented_verifier()
    for delivery in (changed, admission):
        assert verify(secret, delivery.headers, delivery.body)
        assert delivery.event["company_id"] == world.company_id and "order" not in delivery.event
        assert delivery.headers["Linli-Event-Id"] == delivery.event["event_id"]
    subject = changed.event["subject"]
    assert subject["previous_credit_score"] == 50.0 and subject["credit_score"] != 50.0
    assert world.as_dispatcher("GET", "/companies/me/credit").body["credit_score"] == subject["credit_score"]
    decision = admission.event["subject"]
    assert (decision["technician_id"], decision["decision"], decision["status"]) == (tech, "suspend", "suspended")
    # And both are in the delivery log without an order id; a replay sends the same event again
    log = {d["event_type"]: d for d in world.as_dispatcher("GET", "/companies/me/webhook/deliveries").body["deliveries"]}
    for kind in ("credit.changed", "technician.admission_decided"):
        assert log[kind]["status"] == "delivered" and log[kind]["order_id"] is None
    replayed = world.as_dispatcher("POST", f"/companies/me/webhook/deliveries/{log['credit.changed']['delivery_id']}/replay")
    assert replayed.status == 200, replayed.body
    again = wait_for(lambda: receiver.of_type("credit.changed")[1:], what="the replay")
    assert again[0].headers["Linli-Event-Id"] == changed.headers["Linli-Event-Id"] and again[0].body == changed.body
    assert verify(secret, again[0].headers, again[0].body)
