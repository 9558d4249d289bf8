from datetime import UTC, datetime, timedelta

import pytest

from addresses.domain.records import Address
from compounds.domain.records import Compound, Contract, FreePeriod
from orders.domain import rules
from orders.domain.records import Quote
from orders.domain.settings import OrderSettings
from shared.errors import Forbidden, ValidationFailed

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PILOT = FreePeriod(starts_on="2020-01-01", ends_on="2099-12-31", funded_by="区住建委")
FREE = Compound(compound_id="c", name="西营前街", lat=39.9, lng=116.6, contracted_company_id="co", free_period=PILOT)
ADDRESS = Address(address_id="a", compound_id="c", label="5号楼", lat=39.9, lng=116.6)


def _order(order_type="emergency", **kw):
    args = dict(
        order_id="ord_1",
        order_code="123456",
        resident_id="r",
        order_type=order_type,
        category="electrical",
        description=" 灯不亮 ",
        address=ADDRESS,
        compound=FREE,
        quote=Quote(low=0, high=0, cap=0, free_service=True, note_zh="免费", note_en="Free"),
        slot=None,
        place=None,
        now=NOW,
    )
    return rules.new_order(**{**args, **kw})


def test_new_order_starts_submitted_with_a_timeline():
    order = _order()
    assert order.status == "submitted" and order.description == "灯不亮"
    assert [t.status for t in order.timeline] == ["submitted"] and order.company_id is None


def test_public_area_report_belongs_to_the_contracted_company_and_needs_a_place():
    assert _order("public_area", place="楼道").company_id == "co"
    with pytest.raises(ValidationFailed):
        _order("public_area")
    with pytest.raises(ValidationFailed):
        _order("emergency", place="楼道")


def test_public_area_report_goes_to_the_company_whose_contract_covers_its_beijing_day():
    # NOW is 2026-11-24 10:00 UTC: 18:00 in Beijing, the same day
    later = FREE.model_copy(update={"contract": Contract(company_id="co_new", starts_on="2026-11-25")})
    assert _order("public_area", place="楼道", compound=later).company_id is None
    current = FREE.model_copy(update={"contract": Contract(company_id="co_new", starts_on="2026-01-01", ends_on="2026-11-24")})
    assert _order("public_area", place="楼道", compound=current).company_id == "co_new"
    evening = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)  # 00:30 on the 25th in Beijing: the contract has ended
    assert _order("public_area", place="楼道", compound=current, now=evening).company_id is None


@pytest.mark.parametrize(
    "start, hours, ok",
    [
        (timedelta(hours=2), 2, True),
        (timedelta(hours=-1), 2, False),  # in the past
        (timedelta(hours=2), 5, False),  # longer than 4 hours
        (timedelta(hours=2), 0, False),  # ends when it starts
        (timedelta(days=31), 2, False),  # too far ahead
    ],
)
def test_booking_slot_rules(start, hours, ok):
    begin = NOW + start
    slot = {"start": begin.isoformat(), "end": (begin + timedelta(hours=hours)).isoformat()}
    if ok:
        assert rules.validate_slot("booking", slot, NOW).start.startswith("2026-11-24T12:00")
    else:
        with pytest.raises(ValidationFailed):
            rules.validate_slot("booking", slot, NOW)


def test_slot_needs_a_time_zone_and_only_bookings_take_one():
    with pytest.raises(ValidationFailed):
        rules.validate_slot("booking", {"start": "2026-11-25T09:00:00", "end": "2026-11-25T10:00:00"}, NOW)
    with pytest.raises(ValidationFailed):
        rules.validate_slot("emergency", {"start": "x", "end": "y"}, NOW)
    with pytest.raises(ValidationFailed):
        rules.validate_slot("booking", None, NOW)


def test_execution_input_carries_the_configured_timeouts():
    settings = OrderSettings(emergency_offer_seconds=7, booking_offer_seconds=70)
    assert rules.execution_input(_order(), settings)["timeouts"]["offer_seconds"] == 7
    # Every timeout the state machine reads from its input is there (approval_seconds included).

    import re

    from statemachines import ORDER_LIFECYCLE_ASL

    asl = ORDER_LIFECYCLE_ASL.read_text(encoding="utf-8")
    used = set(re.findall(r'"\$\.timeouts\.(\w+)"', asl))  # timeouts, the wait between retries, their number
    assert {"approval_seconds", "dispatch_wait_retries", "dispatch_wait_retry_seconds"} <= used
    assert set(rules.execution_input(_order(), settings)["timeouts"]) == used


@pytest.mark.parametrize(
    "role, user, company, allowed",
    [
        ("resident", "r", None, True),
        ("resident", "someone-else", None, False),
        ("technician", "t", None, True),
        ("technician", "t2", None, False),
        ("dispatcher", "d", "co", True),
        ("dispatcher", "d", "other-co", False),
        ("supervisor", "s", None, True),
    ],
)
def test_who_may_see_an_order(role, user, company, allowed):
    order = _order().model_copy(update={"technician_id": "t", "company_id": "co"})
    if allowed:
        rules.ensure_can_view(role, user, company, order)
    else:
        with pytest.raises(Forbidden):
            rules.ensure_can_view(role, user, company, order)


def test_a_family_proxy_may_see_the_residents_order_but_a_stranger_may_not():
    order = _order()
    rules.ensure_can_view("resident", "son", None, order, is_proxy=True)
    with pytest.raises(Forbidden):
        rules.ensure_can_view("resident", "son", None, order, is_proxy=False)


def test_every_status_has_wording_in_both_languages():
    from orders.domain.lifecycle import OrderStatus

    for status in OrderStatus:
        zh, en = rules.STATUS_TEXT[status]
        assert zh and en
