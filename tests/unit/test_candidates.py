from matching.logic.candidates import rank
from shared.records import Order, Quote, User

ORDER = Order(
    order_id="o",
    order_type="emergency",
    category="electrical",
    description="d",
    status="matching",
    resident_id="r",
    compound_id="c",
    address_label="x",
    lat=39.9,
    lng=116.6,
    order_code="1",
    quote=Quote(low=0, high=0, cap=0, free_service=True, note_zh="", note_en=""),
    created_at="t",
    updated_at="t",
)


def tech(tid, metres_east=100, **kw):
    base = dict(
        user_id=tid,
        role="technician",
        name=tid,
        company_id="co",
        skills=["electrical"],
        on_duty=True,
        lat=39.9,
        lng=116.6 + metres_east / 85_000,
    )
    return User(**{**base, **kw})


def test_nearest_qualified_technician_ranks_first():
    ranked = rank([tech("far", 900), tech("near", 100)], ORDER, {"co"}, 5000)
    assert [c.technician_id for c in ranked] == ["near", "far"]
    assert 80 < ranked[0].distance_m < 120


def test_hard_filters():
    techs = [
        tech("no_skill", skills=["plumbing"]),
        tech("off_duty", on_duty=False),
        tech("suspended", status="suspended"),
        tech("company_not_admitted", company_id="other"),
        tech("too_far", 6000),
        tech("declined_before"),
        tech("no_location", lat=None, lng=None),
        tech("ok"),
    ]
    order = ORDER.model_copy(update={"excluded_technicians": ["declined_before"]})
    assert [c.technician_id for c in rank(techs, order, {"co"}, 5000)] == ["ok"]


def test_bookings_do_not_need_the_technician_on_duty_now():
    booking = ORDER.model_copy(update={"order_type": "booking"})
    assert [c.technician_id for c in rank([tech("off", on_duty=False)], booking, {"co"}, 5000)] == ["off"]
