"""The price API (issue 4) through the gateway: who may consent, caps, the catalogue's versions and
audit, quotes, free compounds and disputes."""

from __future__ import annotations

import itertools
import os

import pytest

from orders.store import proxy_links
from tests.conftest import AUDIT_LAG_SECONDS, reload_settings, wait_for
from tests.prices_flow import LAMP_TOTAL, WIRE, WIRE_TOTAL, bill, make_paid, order_on_site, status_of, with_extra_lamp

_items = itertools.count(1)


def _error(result) -> str:
    return result.body["error"]["code"]


@pytest.fixture
def son(world) -> str:
    """A family member linked to the world's resident, like 王奶奶's son in the demo data."""
    from identity.domain.records import User
    from identity.store import accounts
    from orders.domain.records import Proxy
    from orders.store import proxy_links

    son_id = f"{world.resident_id}_son"
    accounts.put_user(User(user_id=son_id, role="resident", name="测试家属"))
    proxy_links.put(Proxy(resident_id=world.resident_id, proxy_id=son_id, relation="儿子", relation_en="son"))
    return son_id


def test_the_technician_cannot_approve_for_the_resident(world, son):
    make_paid(world)
    order_id, tech = order_on_site(world)
    with_extra_lamp(world, tech, order_id)
    # When the technician (or a supervisor, or an unrelated resident) tries to approve the extra line
    as_tech = world.as_technician(tech, "POST", f"/orders/{order_id}/approval", {"decision": "approve"})
    as_supervisor = world.as_supervisor("POST", f"/orders/{order_id}/approval", {"decision": "approve"})
    stranger = world.api.call("res_li", "resident", "POST", f"/orders/{order_id}/approval", {"decision": "approve"})
    # Then each is refused and the order still waits for the resident
    assert as_tech.status == 403 and _error(as_tech) == "forbidden" and "家属" in as_tech.body["error"]["message"]
    assert as_supervisor.status == 403 and stranger.status == 403
    assert status_of(order_id) == "awaiting_approval"


def test_the_residents_family_proxy_can_approve(world, son):
    make_paid(world)
    order_id, tech = order_on_site(world)
    with_extra_lamp(world, tech, order_id)
    # The proxy is told, and may read the order with its extra lines
    wait_for(
        lambda: any(m["order_id"] == order_id for m in world.api.call(son, "resident", "GET", "/messages").body["messages"]),
        what="the consent request in the proxy's outbox",
    )
    seen = world.api.call(son, "resident", "GET", f"/orders/{order_id}")
    assert seen.status == 200 and seen.body["extra_lines"][0]["reason"]
    # When the son approves on his mother's behalf
    approved = world.api.call(son, "resident", "POST", f"/orders/{order_id}/approval", {"decision": "approve"})
    # Then the extra line is charged and the record says who consented for whom
    assert approved.status == 200, approved.body
    assert approved.body["status"] == "completed" and approved.body["bill_total"] == WIRE_TOTAL + LAMP_TOTAL
    from orders.store import orders

    stored = orders.get(order_id)
    assert stored.approval_by == son and f"on behalf of {world.resident_id}" in stored.timeline[-1].note


def test_a_line_above_its_cap_is_refused_with_a_clear_error(world):
    make_paid(world)
    order_id, tech = order_on_site(world)
    # When the technician asks 200 yuan for the lamp fitting (labour 50 + the part at 150; cap 120)
    pricey = {"item_id": "elec_lamp_fitting", "parts": [{"part_id": "lamp_holder", "quantity": 1, "unit_price": 150}]}
    refused = bill(world, tech, order_id, pricey)
    # Then the bill is refused, in Chinese and English, and nothing changed
    assert refused.status == 422 and _error(refused) == "line_above_cap"
    assert "120" in refused.body["error"]["message"] and "cap" in refused.body["error"]["message_en"]
    assert status_of(order_id) == "on_site"
    # And an extra line without a reason, or an item not in the catalogue, is refused too
    assert _error(bill(world, tech, order_id, WIRE, {"item_id": "elec_ceiling_lamp"})) == "extra_reason_required"
    assert _error(bill(world, tech, order_id, {"item_id": "gold_plating"})) == "unknown_catalogue_item"


def test_a_catalogue_change_bumps_the_version_and_is_audited(world):
    before = world.as_resident("GET", "/catalogue").body
    item_id = f"test_item_{world.n}_{next(_items)}"
    body = {
        "category": "other",
        "name": "测试项目",
        "name_en": "Test item",
        "keywords": [f"测试专用{item_id}"],
        "labour": 40,
        "parts": [{"part_id": "screw", "name": "螺丝", "reference_price": 1, "typical_quantity": 4}],
        "cap": 80,
        "active": False,
    }
    # A resident or technician may not change it
    assert world.as_resident("PUT", f"/catalogue/items/{item_id}", body).status == 403
    assert world.api.call("tech_zhao", "technician", "PUT", f"/catalogue/items/{item_id}", body).status == 403
    # When the supervisor adds the item, then changes its labour
    created = world.as_supervisor("PUT", f"/catalogue/items/{item_id}", body)
    changed = world.as_supervisor("PUT", f"/catalogue/items/{item_id}", {**body, "labour": 45})
    again = world.as_supervisor("PUT", f"/catalogue/items/{item_id}", {**body, "labour": 45})
    # Then each change is a new version, an unchanged PUT is not, and old versions stay readable
    assert created.status == 200 and created.body["version"] == before["version"] + 1
    assert changed.body["version"] == before["version"] + 2 and again.body["version"] == changed.body["version"]
    old = world.as_resident("GET", f"/catalogue?version={before['version']}").body
    assert item_id not in {i["item_id"] for i in old["items"]}
    # And the audit trail says who changed what, when
    audit = world.as_supervisor("GET", "/catalogue/changes")
    latest = audit.body["changes"][0]
    assert (latest["version"], latest["changed_by"], latest["item_id"], latest["fields"]) == (
        changed.body["version"],
        world.supervisor_id,
        item_id,
        ["labour"],
    )
    assert latest["before"]["labour"] == 40 and latest["after"]["labour"] == 45 and latest["changed_at"]
    assert world.as_resident("GET", "/catalogue/changes").status == 403
    # A cap below the item's own typical price is refused
    low = world.as_supervisor("PUT", f"/catalogue/items/{item_id}", {**body, "cap": 10})
    assert low.status == 400 and _error(low) == "cap_below_typical_price"


def test_an_order_is_billed_with_the_catalogue_version_it_was_quoted_with(world):
    make_paid(world)
    order_id, tech = order_on_site(world)
    quoted_version = world.as_resident("GET", f"/orders/{order_id}").body["quote"]["catalogue_version"]
    # When the supervisor raises the wire's labour after the order was quoted
    current = world.as_resident("GET", "/catalogue?category=electrical").body
    wire = next(i for i in current["items"] if i["item_id"] == "elec_wire_reconnect")
    fields = {k: v for k, v in wire.items() if k != "item_id"}
    raised = world.as_supervisor("PUT", "/catalogue/items/elec_wire_reconnect", {**fields, "labour": 35})
    try:
        assert raised.status == 200 and raised.body["version"] > quoted_version
        # Then this order is still billed at the quoted version's price
        done = bill(world, tech, order_id, WIRE)
        assert done.status == 200 and done.body["bill_total"] == WIRE_TOTAL
    finally:
        world.as_supervisor("PUT", "/catalogue/items/elec_wire_reconnect", fields)


def test_a_quote_is_shown_before_ordering_and_stored_with_the_order(world):
    make_paid(world)
    body = {"category": "plumbing", "description": "厨房水龙头一直滴水", "address_id": world.address_id}
    quote = world.as_resident("POST", "/quotes", body)
    assert quote.status == 200, quote.body
    assert [i["item_id"] for i in quote.body["items"]] == ["plumb_tap_cartridge"]
    assert (quote.body["low"], quote.body["high"], quote.body["cap"]) == (65, 65, 100) and quote.body["note_en"]
    assert world.as_resident("GET", "/orders").body["orders"] == []  # nothing was ordered
    order = world.order(category="plumbing", description=body["description"])
    assert order["quote"] == quote.body
    assert world.as_technician("tech_zhao", "POST", "/quotes", body).status == 403


def test_a_free_compound_charges_nothing_but_records_the_lines(world):
    order_id, tech = order_on_site(world)  # the world's compound is free, like the pilot's
    done = bill(world, tech, order_id, WIRE)
    assert done.status == 200 and done.body["bill_total"] == 0
    line = done.body["bill"][0]
    assert (line["item_id"], line["labour"], line["amount"]) == ("elec_wire_reconnect", 30, WIRE_TOTAL)


@pytest.fixture
def dispute_days(sandbox):

    saved = os.environ.get("LINLI_DISPUTE_DAYS")

    def set_days(days: int) -> None:
        os.environ["LINLI_DISPUTE_DAYS"] = str(days)
        reload_settings()

    yield set_days
    if saved is None:
        os.environ.pop("LINLI_DISPUTE_DAYS", None)
    else:
        os.environ["LINLI_DISPUTE_DAYS"] = saved
    reload_settings()


def test_a_dispute_goes_to_the_supervisors_and_its_outcome_is_recorded(world):
    make_paid(world)
    order_id, tech = order_on_site(world)
    assert world.as_resident("POST", f"/orders/{order_id}/dispute", {"reason": "太贵"}).status == 409  # not completed yet
    bill(world, tech, order_id, WIRE)
    # When the resident disputes the bill
    opened = world.as_resident("POST", f"/orders/{order_id}/dispute", {"reason": "师傅只接了线，收费与报价不符"})
    assert opened.status == 201 and opened.body["dispute"]["status"] == "open", opened.body
    assert world.as_resident("POST", f"/orders/{order_id}/dispute", {"reason": "再次"}).status == 409
    # Then it is in the supervisors' queue (and nobody else's)
    queue = world.as_supervisor("GET", "/disputes")
    assert order_id in {d["order_id"] for d in queue.body["disputes"]}
    assert world.as_resident("GET", "/disputes").status == 403
    assert world.as_resident("POST", f"/orders/{order_id}/dispute/resolution", {"outcome": "upheld", "note": "x"}).status == 403
    # When a supervisor upholds it with a refund no larger than the bill
    too_much = {"outcome": "upheld", "refund": WIRE_TOTAL + 1, "note": "退款"}
    assert world.as_supervisor("POST", f"/orders/{order_id}/dispute/resolution", too_much).status == 400
    resolution = {"outcome": "upheld", "refund": 2, "note": "配件按参考价多收 2 元，予以退还"}
    resolved = world.as_supervisor("POST", f"/orders/{order_id}/dispute/resolution", resolution)
    # Then the outcome is on the order, and the dispute left the open queue
    assert resolved.status == 200, resolved.body
    dispute = resolved.body["dispute"]
    assert (dispute["status"], dispute["outcome"], dispute["refund"], dispute["resolved_by"]) == (
        "resolved",
        "upheld",
        2,
        world.supervisor_id,
    )
    assert order_id not in {d["order_id"] for d in world.as_supervisor("GET", "/disputes").body["disputes"]}
    assert order_id in {d["order_id"] for d in world.as_supervisor("GET", "/disputes?status=resolved").body["disputes"]}
    notes = [t["note"] for t in resolved.body["timeline"] if t["note"]]
    assert "dispute opened" in notes and "dispute upheld" in notes
    assert world.as_supervisor("POST", f"/orders/{order_id}/dispute/resolution", resolution).status == 409


def test_an_upheld_complaint_about_the_service_is_a_complaint_in_the_companys_credit_record(world):
    order_id, tech = order_on_site(world)
    bill(world, tech, order_id, WIRE)
    # When the resident complains about the technician's conduct, not the bill
    opened = world.as_resident("POST", f"/orders/{order_id}/dispute", {"reason": "师傅态度很差，没收拾现场", "kind": "service"})
    assert opened.status == 201 and opened.body["dispute"]["kind"] == "service", opened.body
    wrong_kind = world.as_resident("POST", f"/orders/{order_id}/dispute", {"reason": "x", "kind": "price"})
    assert wrong_kind.status == 422 and wrong_kind.body["error"]["code"] == "validation_error"
    # And a supervisor upholds it
    resolution = {"outcome": "upheld", "note": "经核实，现场未清理"}
    assert world.as_supervisor("POST", f"/orders/{order_id}/dispute/resolution", resolution).status == 200
    # Then the company's credit record counts an upheld complaint for the order (not a lost bill dispute)
    kinds = wait_for(
        lambda: {
            e["kind"]
            for e in world.as_supervisor("GET", f"/credit/companies/{world.company_id}").body["events"]
            if e["order_id"] == order_id and e["kind"] in ("complaint_upheld", "dispute_lost")
        },
        timeout=AUDIT_LAG_SECONDS,
        what="the upheld complaint in the credit record",
    )
    assert kinds == {"complaint_upheld"}


def test_a_dispute_after_the_window_is_refused(world, dispute_days):
    order_id, tech = order_on_site(world)
    bill(world, tech, order_id, WIRE)
    dispute_days(0)
    late = world.as_resident("POST", f"/orders/{order_id}/dispute", {"reason": "太晚了"})
    assert late.status == 409 and _error(late) == "dispute_window_closed" and late.body["error"]["message_en"]


def test_the_demo_data_has_a_catalogue_and_wang_nainais_son_as_her_proxy(sandbox, api):

    assert proxy_links.is_proxy("res_wang", "res_wang_son") and not proxy_links.is_proxy("res_wang", "res_li")
    catalogue = api.call("res_wang", "resident", "GET", "/catalogue").body
    assert len(catalogue["items"]) >= 15
    assert all(i["name"] and i["name_en"] and i["cap"] >= i["labour"] for i in catalogue["items"])
    assert {i["category"] for i in catalogue["items"]} == {"electrical", "plumbing", "locks", "appliances", "other"}
