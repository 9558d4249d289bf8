"""The back office's service desk in a real browser: every order of the company's compounds with filters, a
dispatch of its own technician to an order that is escalated or still being offered, and an order placed for a
resident who called."""

from __future__ import annotations

import requests

from tests.conftest import wait_for
from tests.e2e import test_apps
from tests.e2e.test_apps import expect, token

browser, open_app = test_apps.browser, test_apps.open_app
DESKTOP = {"width": 1280, "height": 900}


def test_the_desk_dispatches_its_technician_from_the_list_of_its_compounds_orders(open_app, sandbox):
    # Given 王奶奶's washing machine (西营前街, served by 通苑), escalated or still being offered
    u, wang = sandbox.url, token(sandbox, "res_wang")
    body = {"type": "emergency", "category": "appliances", "description": "洗衣机漏水", "address_id": "addr_wang_home"}
    order_id = requests.post(f"{u}/orders", json=body, headers=wang, timeout=10).json()["order_id"]
    wait_for(
        lambda: requests.get(f"{u}/orders/{order_id}", headers=wang, timeout=10).json()["status"] in ("offered", "escalated"),
        what="an order waiting for a technician",
    )
    # When 通苑's desk opens the service desk, filters emergencies, and dispatches 赵师傅
    desk = open_app("disp_tongyuan", viewport=DESKTOP)
    desk.get_by_role("link", name="服务台").click()
    desk.select_option("#desk-type", "emergency")
    card = desk.locator(f'.desk-order[data-order="{order_id}"]')
    expect(card).to_be_visible()
    card.locator("select.dispatch-tech").select_option("tech_zhao")
    card.get_by_role("button", name="派单").click()
    # Then the order is assigned to him
    wait_for(
        lambda: requests.get(f"{u}/orders/{order_id}", headers=wang, timeout=10).json()["status"] == "assigned",
        what="the assignment",
    )
    expect(desk.locator(f'.desk-order[data-order="{order_id}"]')).to_have_attribute("data-status", "assigned")
    assert requests.get(f"{u}/orders/{order_id}", headers=wang, timeout=10).json()["technician"]["technician_id"] == "tech_zhao"
    assert desk.errors == []


def test_the_desk_places_an_order_for_a_resident_who_called(open_app, sandbox):
    desk = open_app("disp_tongyuan", viewport=DESKTOP)
    desk.get_by_role("link", name="电话下单").click()
    desk.get_by_label("居民编号").fill("res_wang")
    desk.get_by_label("居民的地址编号").fill("addr_wang_home")
    desk.select_option("#po-category", "plumbing")
    desk.get_by_label("居民说的问题").fill("厨房水龙头一直滴水")
    desk.click("#place-phone-order")
    link = desk.locator("#phone-order-result a")
    expect(link).to_be_visible()
    placed = requests.get(f"{sandbox.url}/orders/{link.inner_text()}", headers=token(sandbox, "res_wang"), timeout=10).json()
    assert (placed["placed_via"], placed["placed_by"], placed["description"]) == ("phone", "disp_tongyuan", "厨房水龙头一直滴水")
    assert desk.errors == []
