"""The hash chain, certificate expiry plans and statistics (pure logic)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from identity.domain.records import Certificate, User
from orders.domain.records import TimelineEntry
from supervision.domain import audit, expiry, stats


def _chain(n: int) -> list:
    entries, prev = [], audit.GENESIS
    for seq in range(1, n + 1):
        entry = audit.link(
            chain_id="o1", seq=seq, prev_hash=prev, at=f"t{seq}", kind="k", actor="a", detail={"n": seq}, source_id=f"s{seq}"
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def test_an_intact_chain_verifies():
    chain = _chain(4)
    result = audit.verify(chain, (4, chain[-1].hash))
    assert result.valid and result.length == 4 and not result.problems


def test_an_ended_order_with_no_audit_entries_does_not_verify():
    # an open order may have none yet (its events are on their way); a closed or cancelled one went through steps
    assert audit.verify([], (0, ""), ended=False).valid
    empty = audit.verify([], (0, ""), ended=True)
    assert not empty.valid and empty.length == 0 and "no entries" in empty.problems[0] and empty.first_bad_seq == 1
    chain = _chain(2)
    assert audit.verify(chain, (2, chain[-1].hash), ended=True).valid


def test_an_edited_entry_is_detected():
    chain = _chain(4)
    chain[1] = chain[1].model_copy(update={"detail": {"n": 99}})
    result = audit.verify(chain, (4, chain[-1].hash))
    assert not result.valid and result.first_bad_seq == 2 and "altered" in result.problems[0]


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link():
    chain = _chain(4)
    forged = chain[1].model_copy(update={"actor": "someone else"})
    chain[1] = forged.model_copy(update={"hash": audit.entry_hash(forged)})
    result = audit.verify(chain, (4, chain[-1].hash))
    assert not result.valid and result.first_bad_seq == 3


def test_a_removed_entry_is_detected_in_the_middle_and_at_the_end():
    chain = _chain(4)
    assert audit.verify(chain[:1] + chain[2:], (4, chain[-1].hash)).first_bad_seq == 2
    truncated = audit.verify(chain[:3], (4, chain[-1].hash))
    assert not truncated.valid and "head" in truncated.problems[0]


def _tech(expires_on: str, skills=("electrical", "plumbing")) -> User:
    return User(
        user_id="t",
        role="technician",
        name="n",
        skills=list(skills),
        certificates=[Certificate(kind="electrician_low_voltage", expires_on=expires_on)],
    )


def test_skills_are_suspended_the_day_after_the_last_valid_day_and_warned_30_and_7_days_before():
    tech = _tech("2026-12-31")
    assert expiry.plan(tech, date(2026, 12, 31), [30, 7]).suspend == {}
    assert expiry.plan(tech, date(2027, 1, 1), [30, 7]).suspend == {"electrician_low_voltage": ["electrical"]}
    assert [w.days_left for w in expiry.plan(tech, date(2026, 12, 1), [30, 7]).warnings] == [30]
    assert [w.days_left for w in expiry.plan(tech, date(2026, 12, 24), [30, 7]).warnings] == [7]
    assert expiry.plan(tech, date(2026, 12, 2), [30, 7]).warnings == []


def test_a_renewed_certificate_neither_warns_nor_suspends():
    tech = _tech("2026-12-31")
    tech.certificates.append(Certificate(kind="electrician_low_voltage", expires_on="2029-12-31"))
    assert expiry.plan(tech, date(2027, 1, 1), [30, 7]).suspend == {}
    assert expiry.plan(tech, date(2026, 12, 1), [30, 7]).warnings == []


def test_the_job_reads_yesterday_and_each_warning_day():
    assert expiry.days_to_check(date(2026, 12, 1), [30, 7]) == [date(2026, 11, 30), date(2026, 12, 8), date(2026, 12, 31)]


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 11)]
    assert stats.percentile(values, 50) == 5.0
    assert stats.percentile(values, 90) == 9.0
    assert stats.percentile([7.0], 90) == 7.0
    assert stats.percentile([], 50) is None


def test_order_statistics_on_a_known_set():
    from tests.unit.test_supervision_credit import _order

    def timed(order_id: str, accepted_min: int, arrived_min: int, **changes):
        return _order(
            order_id=order_id,
            timeline=[
                TimelineEntry(status="submitted", at="2026-11-01T00:00:00.000Z", actor="r"),
                TimelineEntry(status="assigned", at=f"2026-11-01T00:{accepted_min:02d}:00.000Z", actor="t"),
                TimelineEntry(status="on_site", at=f"2026-11-01T00:{arrived_min:02d}:00.000Z", actor="t"),
            ],
            **changes,
        )

    found = stats.order_stats(
        [
            timed("a", 1, 10, rating_stars=5),
            timed("b", 2, 20, rating_stars=4),
            timed("c", 3, 30, rating_stars=3, order_type="booking"),
            _order(order_id="d", status="cancelled", rating_stars=None, timeline=[]),
            _order(order_id="e", status="matching", rating_stars=None, timeline=[]),
        ]
    )
    assert found.orders == 5
    assert found.by_type == {"booking": 1, "emergency": 4}
    assert found.by_status == {"cancelled": 1, "closed": 3, "matching": 1}
    assert found.time_to_acceptance.median_minutes == 2.0 and found.time_to_acceptance.p90_minutes == 3.0
    assert found.time_to_arrival.median_minutes == 20.0 and found.time_to_arrival.count == 3
    assert found.completion_rate == 0.75  # 3 done of 4 ended; the one still matching is left out
    assert found.average_rating == 4.0 and found.ratings == 3


def test_orders_per_beijing_day_acceptance_histogram_and_figures_by_company():
    from tests.unit.test_supervision_credit import _order

    def accepted_after(order_id: str, created: str, minutes: int, **changes):
        at = datetime.fromisoformat(created.replace("Z", "+00:00")) + timedelta(minutes=minutes)
        return _order(
            order_id=order_id,
            created_at=created,
            timeline=[
                TimelineEntry(status="submitted", at=created, actor="r"),
                TimelineEntry(status="assigned", at=at.isoformat().replace("+00:00", "Z"), actor="t"),
            ],
            **changes,
        )

    # Given orders on both sides of Beijing midnight (16:00 UTC) and of two companies
    found = stats.order_stats(
        [
            accepted_after("a", "2026-11-01T15:59:00.000Z", 2, rating_stars=5),  # Beijing 23:59, Nov 1
            accepted_after("b", "2026-11-01T16:00:00.000Z", 12, rating_stars=3, order_type="booking"),  # 00:00, Nov 2
            accepted_after("c", "2026-11-01T17:00:00.000Z", 200, company_id="co2", rating_stars=4),
            _order(order_id="d", status="cancelled", company_id=None, rating_stars=None, timeline=[]),
        ]
    )
    # Then each order counts on its Beijing day, by type
    assert [(d.day, d.by_type) for d in found.by_day] == [
        ("2026-11-01", {"emergency": 2}),  # "d" was created at the default 00:00 UTC
        ("2026-11-02", {"booking": 1, "emergency": 1}),
    ]
    # And each acceptance falls in the first bucket whose bound holds it (the last bucket has no bound)
    histogram = {b.up_to_minutes: b.count for b in found.acceptance_histogram}
    assert histogram == {2: 1, 5: 0, 10: 0, 15: 1, 30: 0, 60: 0, 120: 0, None: 1}
    assert sum(histogram.values()) == found.time_to_acceptance.count
    # And each company's satisfaction and acceptance come from its own orders only
    by_company = {c.company_id: c for c in found.by_company}
    assert set(by_company) == {"co", "co2"}
    assert (by_company["co"].orders, by_company["co"].average_rating, by_company["co"].median_acceptance_minutes) == (2, 4.0, 2.0)
    assert (by_company["co2"].ratings, by_company["co2"].median_acceptance_minutes) == (1, 200.0)


def test_a_dispatcher_sees_other_companies_technicians_unnamed():
    from supervision.domain.audit import OTHER_COMPANY, for_company, link, technicians_named

    def entry(seq: int, actor: str, **detail: str):
        return link(chain_id="o", seq=seq, prev_hash="0" * 64, at="t", kind="k", actor=actor, detail=detail, source_id=str(seq))

    entries = [
        entry(1, "workflow", offer_technician_id="tech_other", offer_id="o-1-1"),
        entry(2, "tech_own", technician_id="tech_own", status="assigned"),
        entry(3, "tech_other", technician_id="tech_other"),
    ]
    assert technicians_named(entries) == {"tech_other", "tech_own"}
    shown = for_company(entries, {"tech_own"})
    assert shown[0].detail == {"offer_technician_id": OTHER_COMPANY, "offer_id": "o-1-1"}
    assert shown[1].detail["technician_id"] == "tech_own" and shown[1].actor == "tech_own"
    assert shown[2].actor == OTHER_COMPANY and shown[2].detail["technician_id"] == OTHER_COMPANY
    assert [e.hash for e in shown] == [e.hash for e in entries]
