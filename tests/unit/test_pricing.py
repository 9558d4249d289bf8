"""Quote and bill rules (issue 4): the cap, the free compound, the catalogue version, what goes beyond
the quote, the resident's decisions and the dispute window. Pure functions, no AWS."""

from datetime import UTC, datetime, timedelta

import pytest

from compounds.domain.records import Compound, FreePeriod
from orders.domain import catalogue as catalogue_rules
from orders.domain import pricing
from orders.domain.pricing import LineIn, PartIn
from orders.domain.records import Quote
from orders.store.catalogue import Catalogue, CatalogueItem, CataloguePart
from shared.errors import InvalidStatus, ValidationFailed

PILOT = FreePeriod(starts_on="2020-01-01", ends_on="2099-12-31", funded_by="区住建委")
FREE = Compound(compound_id="c", name="西营前街", lat=39.9, lng=116.6, contracted_company_id="co", free_period=PILOT)
PAID = FREE.model_copy(update={"free_period": None})

WIRE = CatalogueItem(
    item_id="wire",
    category="electrical",
    name="断线重接",
    name_en="Reconnect a broken wire",
    keywords=["灯不亮", "断线"],
    labour=30,
    parts=[CataloguePart(part_id="connector", name="接线端子", reference_price=1, typical_quantity=2)],
    cap=60,
)
FITTING = CatalogueItem(
    item_id="fitting",
    category="electrical",
    name="更换灯座",
    keywords=["灯不亮", "灯座"],
    labour=50,
    parts=[CataloguePart(part_id="holder", name="灯座", reference_price=35)],
    cap=120,
)
LAMP = CatalogueItem(
    item_id="lamp",
    category="electrical",
    name="更换整套吸顶灯",
    keywords=["换灯"],
    labour=60,
    parts=[CataloguePart(part_id="led", name="LED吸顶灯", reference_price=120)],
    cap=260,
)
DRAIN = CatalogueItem(item_id="drain", category="plumbing", name="疏通下水道", keywords=["堵"], labour=80, cap=150)
CATALOGUE = catalogue_rules.initial([WIRE, FITTING, LAMP, DRAIN], by="seed", at="2026-11-25T00:00:00.000Z")


def _quote(description="客厅灯不亮", compound=PAID, category="electrical"):
    return pricing.quote(CATALOGUE, category, description, compound)


# --- quote ---


def test_the_description_picks_the_likely_items_and_the_quote_spans_them():
    # Given "the light does not work", When quoted in a paying compound
    quote = _quote()
    # Then the range runs from reconnecting a wire to replacing the fitting, capped at the dearest cap
    assert [q.item_id for q in quote.items] == ["wire", "fitting"]
    assert (quote.low, quote.high, quote.cap) == (32, 85, 120)
    assert quote.catalogue_version == 1 and quote.list_high == 85 and not quote.free_service
    assert "32" in quote.note_zh and "CNY 32" in quote.note_en


def test_a_quote_of_one_price_reads_as_that_price_not_a_range():
    # Given a description that matches one item only (the drain: 80 yuan)
    quote = _quote("下水道堵了", category="plumbing")
    assert (quote.low, quote.high) == (80, 80)
    # Then its words give the price, not "80–80"
    assert "参考价 80 元，" in quote.note_zh and "80–80" not in quote.note_zh
    assert "Estimated CNY 80," in quote.note_en and "80–80" not in quote.note_en
    assert "市场参考价 80 元" in _quote("下水道堵了", compound=FREE, category="plumbing").note_zh
    assert pricing.price_range(32, 85) == ("32–85 元", "CNY 32–85") and pricing.price_range(85, 85) == ("85 元", "CNY 85")


def test_an_unmatched_description_quotes_the_whole_category():
    quote = _quote("有点问题")
    assert {q.item_id for q in quote.items} == {"wire", "fitting", "lamp"}
    assert (quote.low, quote.high) == (32, 180)


def test_a_free_compound_quotes_zero_but_keeps_the_items_and_their_market_value():
    quote = _quote(compound=FREE)
    assert (quote.low, quote.high, quote.cap, quote.free_service) == (0, 0, 0, True)
    assert quote.list_high == 85 and "免费" in quote.note_zh
    assert [q.item_id for q in quote.items] == ["wire", "fitting"]


def test_no_catalogue_gives_an_empty_quote_that_asks_consent_for_everything():
    quote = pricing.quote(None, "electrical", "灯不亮", PAID)
    assert quote.items == [] and quote.catalogue_version == 0 and "确认" in quote.note_zh


def test_retired_items_are_not_quoted():
    retired = catalogue_rules.upsert(CATALOGUE, FITTING.model_copy(update={"active": False}), by="sup", at="t")
    quote = pricing.quote(retired, "electrical", "灯不亮", PAID)
    assert [q.item_id for q in quote.items] == ["wire"]


# --- bill ---


def test_a_bill_within_the_quote_needs_no_approval():
    bill = pricing.price_bill(CATALOGUE, _quote(), [LineIn("wire", (PartIn("connector", 2),))])
    assert not bill.needs_approval and bill.total == 32
    line = bill.lines[0]
    assert (line.item_id, line.labour, line.amount, line.parts[0].unit_price) == ("wire", 30, 32, 1)


def test_a_line_above_its_cap_is_refused():
    with pytest.raises(pricing.LineAboveCap) as refused:
        pricing.price_bill(CATALOGUE, _quote(), [LineIn("wire", (PartIn("connector", 2, unit_price=20),))])
    assert refused.value.status == 422 and refused.value.code == "line_above_cap" and "60" in refused.value.message_zh


def test_labour_above_the_catalogue_is_refused():
    with pytest.raises(pricing.LineAboveCap):
        pricing.price_bill(CATALOGUE, _quote(), [LineIn("wire", labour=31)])


def test_unknown_items_and_parts_are_refused():
    with pytest.raises(pricing.UnknownCatalogueItem):
        pricing.price_bill(CATALOGUE, _quote(), [LineIn("teleport")])
    with pytest.raises(pricing.UnknownCatalogueItem):
        pricing.price_bill(CATALOGUE, _quote(), [LineIn("wire", (PartIn("gold", 1),))])


def test_the_bill_is_checked_against_the_orders_catalogue_version():
    # Given the catalogue changed after the order was quoted (the wire item got dearer)
    newer = catalogue_rules.upsert(CATALOGUE, WIRE.model_copy(update={"labour": 40}), by="sup", at="t")
    quote = _quote()
    # Then billing against the newer version is a programming error, and the quoted version's price holds
    with pytest.raises(ValueError):
        pricing.price_bill(newer, quote, [LineIn("wire")])
    assert pricing.price_bill(CATALOGUE, quote, [LineIn("wire")]).lines[0].labour == 30


def test_an_order_quoted_before_the_catalogue_existed_bills_against_the_empty_version_zero():
    legacy = Quote(low=0, high=0, cap=0, free_service=True, note_zh="免费", note_en="Free")
    empty = Catalogue(version=0, items=[])
    assert pricing.price_bill(empty, legacy, []).total == 0
    with pytest.raises(pricing.UnknownCatalogueItem):
        pricing.price_bill(empty, legacy, [LineIn("wire")])


def test_a_new_item_is_beyond_the_quote_and_needs_a_reason():
    with pytest.raises(pricing.ExtraReasonRequired):
        pricing.price_bill(CATALOGUE, _quote(), [LineIn("wire"), LineIn("lamp", (PartIn("led", 1),))])
    bill = pricing.price_bill(
        CATALOGUE, _quote(), [LineIn("wire"), LineIn("lamp", (PartIn("led", 1),), reason="灯具老化", photo_ref="p/1.jpg")]
    )
    assert bill.needs_approval and [line.item_id for line in bill.lines] == ["wire"]
    extra = bill.extra_lines[0]
    assert (extra.item_id, extra.beyond_quote, extra.reason, extra.photo_ref) == ("lamp", "not_in_quote", "灯具老化", "p/1.jpg")
    assert bill.total == 30 and bill.extra_total == 180


def test_more_parts_than_typical_splits_the_excess_into_its_own_extra_line():
    bill = pricing.price_bill(CATALOGUE, _quote(), [LineIn("wire", (PartIn("connector", 5),), reason="多处断线")])
    assert bill.lines[0].parts[0].quantity == 2 and bill.lines[0].amount == 32
    extra = bill.extra_lines[0]
    assert extra.beyond_quote == "more_parts" and extra.parts[0].quantity == 3 and extra.labour == 0 and extra.amount == 3


def test_quoted_items_beyond_the_quotes_upper_value_need_consent():
    # Both quoted alternatives together (32 + 85) pass the quote's upper value of 85
    lines = [LineIn("wire", (PartIn("connector", 2),)), LineIn("fitting", (PartIn("holder", 1),), reason="灯座也烧了")]
    bill = pricing.price_bill(CATALOGUE, _quote(), lines)
    assert [line.item_id for line in bill.lines] == ["wire"]
    assert bill.extra_lines[0].item_id == "fitting" and bill.extra_lines[0].beyond_quote == "over_quote_total"


def test_the_same_item_twice_is_beyond_the_quote():
    bill = pricing.price_bill(CATALOGUE, _quote(), [LineIn("wire"), LineIn("wire", reason="两处")])
    assert bill.extra_lines[0].beyond_quote == "not_in_quote"


def test_a_free_compound_charges_zero_but_records_every_line():
    bill = pricing.price_bill(CATALOGUE, _quote(compound=FREE), [LineIn("wire", (PartIn("connector", 2),))])
    assert bill.total == 0 and bill.lines[0].amount == 32 and not bill.needs_approval


def test_a_change_of_scope_needs_consent_even_in_a_free_compound():
    bill = pricing.price_bill(CATALOGUE, _quote(compound=FREE), [LineIn("lamp", reason="换整灯")])
    assert bill.needs_approval and bill.total == 0 and bill.extra_total == 0


# --- consent ---


def _proposed(compound=PAID):
    return pricing.price_bill(
        CATALOGUE,
        _quote(compound=compound),
        [LineIn("wire"), LineIn("lamp", reason="老化"), LineIn("fitting", (PartIn("holder", 1),), reason="烧了")],
    )


def test_approving_all_charges_the_extra_lines():
    bill = _proposed()
    done = pricing.settle(bill.lines, bill.extra_lines, False, all_="approve", per_line={})
    assert done.outcome == "approved" and done.total == 30 + 60 + 85
    assert [e.decision for e in done.extra_lines] == ["approved", "approved"]


def test_rejecting_all_charges_only_the_quoted_lines():
    bill = _proposed()
    done = pricing.settle(bill.lines, bill.extra_lines, False, all_="reject", per_line={})
    assert done.outcome == "rejected" and done.total == 30 and [line.item_id for line in done.lines] == ["wire"]


def test_per_line_decisions_must_cover_every_extra_line():
    bill = _proposed()
    ids = [e.line_id for e in bill.extra_lines]
    with pytest.raises(pricing.DecisionsIncomplete):
        pricing.settle(bill.lines, bill.extra_lines, False, all_=None, per_line={ids[0]: "approve"})
    with pytest.raises(ValidationFailed):
        pricing.settle(bill.lines, bill.extra_lines, False, all_="approve", per_line={ids[0]: "approve"})
    done = pricing.settle(bill.lines, bill.extra_lines, False, all_=None, per_line={ids[0]: "approve", ids[1]: "reject"})
    assert done.outcome == "partly_approved" and done.total == 90


def test_approved_extras_in_a_free_compound_still_cost_nothing():
    bill = _proposed(FREE)
    assert pricing.settle(bill.lines, bill.extra_lines, True, all_="approve", per_line={}).total == 0


# --- catalogue edits and disputes ---


def test_a_catalogue_change_makes_a_new_version_with_its_audit_record():
    newer = catalogue_rules.upsert(CATALOGUE, DRAIN.model_copy(update={"labour": 90}), by="sup_wu", at="2026-11-26T00:00:00Z")
    assert newer.version == 2 and newer.item("drain").labour == 90 and CATALOGUE.item("drain").labour == 80
    change = newer.change
    assert (change.changed_by, change.action, change.item_id, change.fields) == ("sup_wu", "updated", "drain", ["labour"])
    assert change.before["labour"] == 80 and change.after["labour"] == 90


def test_an_unchanged_item_makes_no_new_version_and_a_cap_below_the_typical_price_is_refused():
    assert catalogue_rules.upsert(CATALOGUE, DRAIN, by="sup", at="t") is None
    with pytest.raises(catalogue_rules.CapBelowTypicalPrice):
        catalogue_rules.upsert(CATALOGUE, DRAIN.model_copy(update={"cap": 50}), by="sup", at="t")


def test_a_new_item_is_created_in_the_next_version():
    created = catalogue_rules.upsert(CATALOGUE, DRAIN.model_copy(update={"item_id": "drain2"}), by="sup", at="t")
    assert created.version == 2 and created.change.action == "created" and created.change.before is None


def test_a_bill_can_be_disputed_only_within_the_window():
    done = datetime(2026, 11, 20, tzinfo=UTC)
    pricing.ensure_dispute_window_open(done, done + timedelta(days=7), 7)
    with pytest.raises(pricing.DisputeWindowClosed):
        pricing.ensure_dispute_window_open(done, done + timedelta(days=7, seconds=1), 7)
    with pytest.raises(InvalidStatus):
        pricing.ensure_dispute_window_open(None, done, 7)


def test_catalogue_type_is_a_versioned_snapshot():
    assert isinstance(CATALOGUE, Catalogue) and CATALOGUE.version == 1 and CATALOGUE.change.action == "seeded"
