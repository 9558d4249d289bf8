"""Events from stream images, and the messages each event produces (pure logic)."""

from identity.domain.records import User
from notify.domain.channels import channels_for, text_in
from notify.domain.compose import drafts_for, report_drafts
from notify.domain.events import offer_events, order_events, snapshot
from notify.store.notifications import Channel, NotificationPreferences
from shared.events import EventType

ORDER = {
    "order_id": "o1",
    "order_type": "emergency",
    "category": "electrical",
    "resident_id": "r1",
    "order_code": "246810",
    "compound_id": "cp1",
    "technician_id": None,
    "version": 4,
    "updated_at": "2026-11-25T10:00:00.000Z",
}


def _event(old_status, new_status, **changes):
    old = {**ORDER, "status": old_status} if old_status else None
    [event] = order_events(old, {**ORDER, "status": new_status, **changes})
    return event


def test_a_status_change_is_one_event_with_a_stable_id():
    event = _event("offered", "assigned", technician_id="t", company_id="co")
    assert event.type == EventType.ORDER_ASSIGNED and event.previous_status == "offered"
    assert event.event_id == "evt_o1_v4" and event.company_id == "co"
    assert order_events({**ORDER, "status": "offered"}, {**ORDER, "status": "assigned"})[0].event_id == event.event_id


def test_no_event_when_the_status_did_not_change_or_is_internal():
    assert order_events({**ORDER, "status": "assigned"}, {**ORDER, "status": "assigned"}) == []
    assert order_events({**ORDER, "status": "submitted"}, {**ORDER, "status": "matching"}) == []


def test_offers_are_events_when_made_withdrawn_or_expired_and_name_the_technicians_company():
    offer = {
        "offer_id": "o1-1",
        "order_id": "o1",
        "technician_id": "t9",
        "status": "open",
        "created_at": "t0",
        "expires_at": "t1",
    }
    order = snapshot({**ORDER, "status": "offered"})
    [created] = offer_events(None, offer, order=order, technician_company_id="co9")
    assert created.type == EventType.OFFER_CREATED and created.company_id == "co9" and created.offer_technician_id == "t9"
    [withdrawn] = offer_events(
        offer, {**offer, "status": "withdrawn", "answered_at": "t2"}, order=order, technician_company_id="co9"
    )
    assert withdrawn.type == EventType.OFFER_WITHDRAWN and withdrawn.event_id != created.event_id
    assert offer_events(offer, {**offer, "status": "accepted"}, order=order, technician_company_id="co9") == []


def test_assignment_tells_the_resident_the_door_code():
    [draft] = drafts_for(_event("offered", "assigned", technician_id="t"))
    assert draft.recipient_id == "r1" and "246810" in draft.text_zh and "246810" in draft.text_en


def test_cancellation_tells_the_assigned_technician_too():
    drafts = drafts_for(_event("assigned", "cancelled", technician_id="t"))
    assert {d.recipient_id for d in drafts} == {"r1", "t"}


def test_completion_states_the_charge():
    assert "0 元" in drafts_for(_event("on_site", "completed", bill_total=0))[0].text_zh
    assert "35 元" in drafts_for(_event("on_site", "completed", bill_total=35.0))[0].text_zh


def test_new_offer_goes_to_the_technician():
    offer = {"offer_id": "o1-1", "order_id": "o1", "technician_id": "t9", "status": "open", "created_at": "t0"}
    [event] = offer_events(None, offer, order=snapshot({**ORDER, "status": "offered"}), technician_company_id=None)
    [draft] = drafts_for(event)
    assert draft.recipient_id == "t9" and draft.kind == "offer.created"


def test_a_public_area_report_reaches_the_back_office_and_then_the_technician_it_is_dispatched_to():
    public = {"order_type": "public_area"}
    submitted = _event(None, "submitted", **public)
    assert [d.recipient_id for d in report_drafts(submitted, dispatchers=["d1", "d2", "d1"])] == ["d1", "d2"]
    assert report_drafts(_event(None, "submitted"), dispatchers=["d1"]) == [], "other orders are offered, not dispatched"
    [dispatched] = report_drafts(_event("submitted", "assigned", technician_id="t", **public), dispatchers=["d1"])
    assert dispatched.recipient_id == "t" and dispatched.kind == "public_area.dispatched"
    assert report_drafts(_event("escalated", "assigned", technician_id="t", **public), dispatchers=[]) == []


def _user(**fields):
    return User(user_id="u", role="resident", name="王奶奶", **fields)


def test_channels_follow_the_choice_but_never_a_phone_channel_without_a_phone():
    both = NotificationPreferences(channels=[Channel.SMS, Channel.PHONE_CALL])
    assert channels_for(both, _user(phone="13800000001")) == [Channel.SMS, Channel.PHONE_CALL]
    assert channels_for(both, _user()) == [Channel.PUSH], "falls back to the app"


def test_only_residents_are_called_by_the_back_office():
    call = NotificationPreferences(channels=[Channel.PHONE_CALL])
    technician = User(user_id="t", role="technician", name="赵师傅", phone="13900000000")
    assert channels_for(call, technician) == [Channel.PUSH]


def test_text_follows_the_language():
    assert text_in("en", "中文", "English") == "English" and text_in("zh", "中文", "English") == "中文"


def test_lines_beyond_the_quote_in_a_free_compound_never_read_as_costing_0_yuan():
    from notify.domain.reminders import deadline_drafts
    from shared.events import DomainEvent

    free = _event("on_site", "awaiting_approval", extra_total=0)
    [to_resident] = drafts_for(free)
    assert "另需 0 元" not in to_resident.text_zh and "CNY 0" not in to_resident.text_en
    assert "试点免费，您不用付钱" in to_resident.text_zh and "you pay nothing" in to_resident.text_en
    paid = drafts_for(_event("on_site", "awaiting_approval", extra_total=35.0), proxies=["p1"])
    assert all("另需 35 元" in d.text_zh and "CNY 35 more" in d.text_en for d in paid) and len(paid) == 2
    warning = DomainEvent.model_validate(
        {
            **free.model_dump(),
            "type": "order.deadline_approaching",
            "deadline_step": "approval",
            "deadline_at": "2026-11-25T12:00:00.000Z",
        }
    )
    [warned] = deadline_drafts(warning)
    assert "另需 0 元" not in warned.text_zh and "试点免费" in warned.text_zh and "CNY 0" not in warned.text_en


def test_a_doorstep_mismatch_is_one_event_and_alerts_the_company_and_the_supervisors():
    import json

    from notify.domain.doorstep import mismatch_alerts

    before = {**ORDER, "status": "en_route", "company_id": "co", "technician_id": "t"}
    mismatch = {"result": "mismatch", "at": "2026-11-25T10:05:00.000Z", "by": "r1"}
    # the stream image holds the JSON attribute as a string
    [event] = order_events(before, {**before, "version": 5, "doorstep": json.dumps(mismatch)})
    assert event.type == EventType.ORDER_DOORSTEP_MISMATCH and event.company_id == "co" and event.event_id == "evt_o1_v5"
    after = {**before, "doorstep": json.dumps(mismatch)}
    assert order_events(after, {**after, "version": 6}) == [], "the same check again is no new event"
    matched = {**before, "doorstep": json.dumps({**mismatch, "result": "match"})}
    assert order_events(before, matched) == []
    alerts = mismatch_alerts(event, technician_name="赵师傅", dispatchers=["d1"], supervisors=["s1", "d1"])
    assert [(a.recipient_id, a.kind) for a in alerts] == [("d1", "order.doorstep_mismatch"), ("s1", "order.doorstep_mismatch")]
    assert "赵师傅" in alerts[0].text_zh and "暂停" in alerts[0].text_zh and "paused" in alerts[0].text_en
    assert drafts_for(event) == [], "the resident pressed it: her app shows it"
