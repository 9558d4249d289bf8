"""Every hard filter of the matching engine, one at a time: the same technician passes, then fails
for exactly the reason under test."""

from __future__ import annotations

from datetime import date

import pytest

from identity.domain.records import Certificate
from matching.domain.eligibility import Rejection, TechLoad, rejection
from tests.unit.matching_fixtures import criteria, order, tech

FREE = TechLoad()


def test_a_qualified_technician_on_duty_nearby_passes():
    assert rejection(tech("ok"), FREE, criteria()) is None


@pytest.mark.parametrize(
    ("who", "why"),
    [
        (tech("resident", role="resident"), Rejection.NOT_TECHNICIAN),
        (tech("suspended", status="suspended"), Rejection.TECHNICIAN_SUSPENDED),
        (tech("company_suspended", company_id="bad"), Rejection.COMPANY_NOT_ADMITTED),
        (tech("company_unknown", company_id="nobody"), Rejection.COMPANY_NOT_ADMITTED),
        (tech("plumber", skills=["plumbing"]), Rejection.NO_SKILL),
        (tech("no_certificate", certificates=[]), Rejection.CERTIFICATE_INVALID),
        (tech("off_duty", on_duty=False), Rejection.OFF_DUTY),
        (tech("no_location", lat=None, lng=None), Rejection.NO_LOCATION),
        (tech("far", metres_east=1100), Rejection.OUT_OF_RADIUS),
    ],
)
def test_each_filter_rejects_for_its_reason(who, why):
    assert rejection(who, FREE, criteria()) == why


def test_the_certificate_must_be_valid_on_the_service_date_not_today():
    # Given an electrician whose certificate expires on 30 November
    holder = tech("t", certificates=[Certificate(kind="electrician_low_voltage", expires_on="2026-11-30")])
    # Then the last valid day is the 30th, and a booking on 1 December is refused
    assert rejection(holder, FREE, criteria(service_date=date(2026, 11, 30))) is None
    assert rejection(holder, FREE, criteria(service_date=date(2026, 12, 1))) == Rejection.CERTIFICATE_INVALID


def test_a_certificate_of_another_kind_does_not_count():
    wrong = tech("t", certificates=[Certificate(kind="locksmith_registration", expires_on="2099-01-01")])
    assert rejection(wrong, FREE, criteria()) == Rejection.CERTIFICATE_INVALID


def test_categories_without_a_certificate_need_none():
    plumber = tech("p", skills=["plumbing"], certificates=[])
    assert rejection(plumber, FREE, criteria(order(category="plumbing"))) is None


@pytest.mark.parametrize(
    "asked_before",
    [criteria(order(excluded_technicians=["t"])), criteria(asked=frozenset({"t"}))],
    ids=["declined_or_expired", "offered_this_order_before"],
)
def test_a_technician_asked_before_is_never_asked_again(asked_before):
    assert rejection(tech("t"), FREE, asked_before) == Rejection.ALREADY_ASKED


def test_workload_cap_counts_active_orders():
    assert rejection(tech("t"), TechLoad(active_orders=2), criteria()) is None
    assert rejection(tech("t"), TechLoad(active_orders=3), criteria()) == Rejection.WORKLOAD_CAP


def test_a_booking_needs_the_slot_free_but_not_duty_now():
    booking = order(order_type="booking")
    off_duty = tech("t", on_duty=False)
    assert rejection(off_duty, FREE, criteria(booking)) is None
    assert rejection(off_duty, TechLoad(busy=True), criteria(booking)) == Rejection.SLOT_BUSY


def test_a_busy_slot_does_not_matter_for_an_emergency():
    assert rejection(tech("t"), TechLoad(busy=True), criteria()) is None


def test_the_radius_is_the_rounds_current_radius():
    two_km = tech("t", metres_east=2000)
    assert rejection(two_km, FREE, criteria(radius_m=1000)) == Rejection.OUT_OF_RADIUS
    assert rejection(two_km, FREE, criteria(radius_m=3000)) is None


def test_a_certificate_without_a_real_date_is_not_valid():
    impossible = tech("t", certificates=[Certificate(kind="electrician_low_voltage", expires_on="2030-02-30")])
    assert rejection(impossible, FREE, criteria()) == Rejection.CERTIFICATE_INVALID


def test_a_record_that_cannot_be_judged_is_skipped_and_reported_not_fatal_for_the_others():
    from datetime import UTC, datetime

    from matching.domain.engine import select
    from matching.domain.scoring import ScoreParams
    from matching.domain.settings import MatchingSettings
    from tests.unit.matching_fixtures import COMPANIES

    broken, good = tech("broken", metres_east=50), tech("good", metres_east=300)

    def load(t):
        if t.user_id == "broken":
            raise ValueError("a stored value this code cannot read")
        return FREE

    outcome = select(
        order(),
        radii=[1000],
        start_index=0,
        size=1,
        criteria_for=lambda radius: criteria(radius_m=radius),
        read_nearby=lambda radius: [broken, good],
        read_companies=lambda wanted: COMPANIES,
        read_load=load,
        params=ScoreParams.from_settings(MatchingSettings()),
        now=datetime(2026, 11, 25, 1, tzinfo=UTC),
    )
    assert [s.technician_id for s in outcome.chosen] == ["good"]
    assert outcome.skipped == ["broken"] and outcome.rejections == {Rejection.UNREADABLE_RECORD: 1}
