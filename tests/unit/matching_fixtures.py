"""Small builders for the matching unit tests: an order at a fixed point, technicians east of it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from identity.domain.records import Certificate, User
from matching.domain.eligibility import Criteria
from orders.domain.records import Order, Quote
from supervision.domain.records import Company

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
TODAY = date(2026, 11, 25)
LAT, LNG = 39.9, 116.6
COMPANIES = {"co": Company(company_id="co", name="物业"), "bad": Company(company_id="bad", name="停业", status="suspended")}


def order(**kw) -> Order:
    base = dict(
        order_id="ord_1",
        order_type="emergency",
        category="electrical",
        description="灯不亮",
        status="matching",
        resident_id="r",
        compound_id="c",
        address_label="x",
        lat=LAT,
        lng=LNG,
        order_code="123456",
        quote=Quote(low=0, high=0, cap=0, free_service=True, note_zh="", note_en=""),
        created_at="2026-11-25T02:00:00.000Z",
        updated_at="2026-11-25T02:00:00.000Z",
    )
    return Order(**{**base, **kw})


def tech(tid: str, metres_east: float = 100, **kw) -> User:
    base = dict(
        user_id=tid,
        role="technician",
        name=tid,
        company_id="co",
        skills=["electrical"],
        on_duty=True,
        lat=LAT,
        lng=LNG + metres_east / 85_300,
        certificates=[Certificate(kind="electrician_low_voltage", expires_on="2027-06-30")],
    )
    return User(**{**base, **kw})


def criteria(o: Order | None = None, **kw) -> Criteria:
    base = dict(order=o or order(), service_date=TODAY, radius_m=1000, companies=COMPANIES, workload_cap=3)
    return Criteria(**{**base, **kw})
