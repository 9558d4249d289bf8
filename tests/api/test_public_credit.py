"""Public credit, through the gateway: `GET /public/companies` without signing in, cacheable, lists admitted
companies only, each with its credit score, the score's parts, the published formula and the last 90 days."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import iso, now

PATH = "/public/companies"


def _events(company_id: str):
    """A company's credit record: two orders served lately (5★ and 3★, one complaint upheld), one long ago."""
    from supervision.store.credit import CreditEvent

    recent, old = iso(now() - timedelta(days=10)), iso(now() - timedelta(days=120))

    def event(order_id: str, kind: str, value: float, at: str) -> CreditEvent:
        return CreditEvent(event_id=f"{order_id}:{kind}", company_id=company_id, order_id=order_id, kind=kind, value=value, at=at)

    return [
        event(f"{company_id}_o1", "rating", 5, recent),
        event(f"{company_id}_o1", "response_deadline", 1, recent),
        event(f"{company_id}_o2", "rating", 3, recent),
        event(f"{company_id}_o2", "arrival_deadline", 0, recent),
        event(f"{company_id}_o2", "complaint_upheld", 1, recent),
        event(f"{company_id}_o3", "rating", 1, old),
        event(f"{company_id}_o3", "dispute_lost", 1, old),
    ]


def test_anyone_reads_the_admitted_companies_credit_with_its_parts_and_formula(world, api):
    from supervision.domain import credit as formula
    from supervision.domain.records import Company
    from supervision.domain.settings import supervision_settings
    from supervision.store import company_records, credit

    # Given the world's admitted company with a credit record, and a suspended and a pending company
    events = _events(world.company_id)
    credit.put_events(events)
    params = formula.CreditParams.from_settings(supervision_settings())
    expected = formula.score(events, params)
    company_records.put_company(Company(company_id=world.company_id, name=f"测试物业{world.n}", credit_score=expected.score))
    for status in ("suspended", "pending"):
        company_records.put_company(Company(company_id=f"{world.company_id}_{status}", name=f"{status}物业", status=status))
    # When someone who has not signed in asks
    listed = api.call(None, None, "GET", PATH)
    # Then it is answered, cacheable
    assert listed.status == 200, listed.body
    assert listed.headers["cache-control"] == "public, max-age=300" and listed.headers["etag"].startswith('"')
    # with admitted companies only
    ids = [c["company_id"] for c in listed.body["companies"]]
    assert world.company_id in ids and "co_tongyuan" in ids
    assert f"{world.company_id}_suspended" not in ids and f"{world.company_id}_pending" not in ids
    scores = [c["credit_score"] for c in listed.body["companies"]]
    assert scores == sorted(scores, reverse=True), "best first"
    mine = next(c for c in listed.body["companies"] if c["company_id"] == world.company_id)
    # its score, and the parts it is made of, which add up to it
    assert mine["credit_score"] == expected.score
    parts = mine["parts"]
    assert parts["rating"]["count"] == 3 and parts["deadlines"]["count"] == 2 and parts["complaints"]["count"] == 2
    assert parts["complaints"]["points"] < 0
    assert abs(sum(p["points"] for p in parts.values()) - expected.score) <= 0.2
    # the last 90 days: two orders served, their average rating, one complaint upheld (the old ones do not count)
    assert mine["last_90_days"] == {"days": 90, "orders_served": 2, "average_rating": 4.0, "ratings": 2, "upheld_complaints": 1}
    # and the formula with the parameters in force, in Chinese and English
    published = listed.body["formula"]
    assert "信用分" in published["text_zh"] and "score" in published["text_en"]
    assert published["parameters"]["weight_rating"] == params.weight_rating
    # Nothing about a person: no technician, resident or event ids
    assert "technician_id" not in repr(listed.body) and "resident" not in repr(listed.body)


def test_an_unchanged_list_is_not_sent_again(api):
    first = api.call(None, None, "GET", PATH)
    again = api.call(None, None, "GET", PATH, headers={"if-none-match": first.headers["etag"]})
    assert again.status == 304 and again.body is None
    assert again.headers["etag"] == first.headers["etag"]
