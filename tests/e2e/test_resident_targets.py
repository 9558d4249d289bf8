"""Elderly-first to the last link: on every screen of the resident app, at a phone's viewport (390×844), every
target (link, button, form control) is at least 44×44 px and every action (a button, or a link styled as one,
and the home screen's big menu) at least 60×60, measured in a real browser."""

from __future__ import annotations

import pytest
import requests

from tests.e2e import test_apps
from tests.e2e.test_apps import token

# The same browser and signed-in pages as the other app tests.
browser, open_app = test_apps.browser, test_apps.open_app

PHONE_390 = {"width": 390, "height": 844}
TARGET_PX, ACTION_PX = 44, 60

# Every element a finger can press: links, buttons, form controls, and anything made focusable or a button.
MEASURE = """() => {
  const targets = 'a[href], button, summary, input:not([type=hidden]), select, textarea, '
    + '[role=button], [tabindex]:not([tabindex="-1"])';
  const actions = 'button, .button, [role=button], .menu-big a';
  return [...document.querySelectorAll(targets)].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden]');
  }).map((el) => {
    const r = el.getBoundingClientRect();
    return {
      what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.innerText || el.value || '').trim().slice(0, 30)}"`,
      width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10,
      action: el.matches(actions),
    };
  });
}"""


def too_small(page) -> list[str]:
    found = page.evaluate(MEASURE)
    assert found, "no targets measured: the screen did not render"
    small = []
    for t in found:
        need = ACTION_PX if t["action"] else TARGET_PX
        if t["width"] < need or t["height"] < need:
            small.append(f"{t['what']}: {t['width']}×{t['height']} (needs {need}×{need})")
    return small


def _open(open_app, hash_: str, ready: str):
    page = open_app("res_wang", viewport=PHONE_390)
    page.goto(page.url.split("#")[0] + hash_)
    page.wait_for_selector(ready)
    page.wait_for_function("!document.querySelector('#view').innerText.includes('正在加载')")
    return page


@pytest.fixture(scope="module")
def wang_order(sandbox) -> str:
    """One of 王奶奶's orders, for its own screen."""
    headers = token(sandbox, "res_wang")
    body = {"type": "emergency", "category": "plumbing", "description": "水龙头滴水", "address_id": "addr_wang_home"}
    response = requests.post(f"{sandbox.url}/orders", json=body, headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["order_id"]


@pytest.fixture(scope="module")
def board_reports(sandbox) -> None:
    """Reports on 西营前街's board: one of 王奶奶's own (a link to it) and a neighbour's ("me too")."""
    for user_id, address_id, place in (
        ("res_wang", "addr_wang_home", "5号楼楼道"),
        ("res_zhang", "addr_zhang_mother", "7号楼路灯"),
    ):
        body = {
            "type": "public_area",
            "category": "electrical",
            "description": "灯不亮了",
            "address_id": address_id,
            "place": place,
        }
        response = requests.post(f"{sandbox.url}/orders", json=body, headers=token(sandbox, user_id), timeout=10)
        assert response.status_code == 201, response.text


SCREENS = {
    "home": ("#/", ".menu-big a"),
    "new booking": ("#/new/booking", "#get-quote"),
    "new public-area report": ("#/new/public_area", "#get-quote"),
    "new emergency repair": ("#/new/emergency", "#get-quote"),
    "my orders": ("#/orders", ".order-list a"),
    "messages": ("#/messages", ".messages a"),  # with a link to an order
    "board": ("#/board", "button.metoo"),
    "family": ("#/family", "#send-code"),
    "companies' credit": ("#/companies", ".company"),
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_target_on_the_screen_is_large_enough(open_app, screen, wang_order, board_reports):
    hash_, ready = SCREENS[screen]
    page = _open(open_app, hash_, ready)
    small = too_small(page)
    assert not small, "\n".join(small)
    assert page.errors == []


def test_every_target_on_an_order_screen_is_large_enough(open_app, wang_order):
    page = _open(open_app, f"#/order/{wang_order}", "#door-code")
    small = too_small(page)
    assert not small, "\n".join(small)
    assert page.errors == []


@pytest.fixture(scope="module")
def wang_pending_claim(sandbox) -> str:
    """A claim of 王奶奶's waiting for the property office, beside her verified home."""
    body = {"compound_id": "cp_649b5f256751", "building": "5", "unit": "2", "room": "502"}
    response = requests.post(f"{sandbox.url}/me/addresses", json=body, headers=token(sandbox, "res_wang"), timeout=10)
    assert response.status_code in (201, 409), response.text  # 409: claimed by an earlier test of this session
    return body["room"]


def test_every_target_on_my_addresses_is_large_enough_with_a_pending_and_a_verified_address(open_app, wang_pending_claim):
    page = _open(open_app, "#/addresses", "#my-addresses")
    listed = page.locator("#my-addresses").inner_text()
    assert "待物业核实" in listed or "pending" in listed.lower(), listed
    small = too_small(page)
    assert not small, "\n".join(small)
    # and while claiming a flat: the compound found, its building, unit and room pickers
    page.fill("#compound-q", "西营前街")
    page.click("#compound-search")
    page.wait_for_selector("input[name=building], #claim-building")
    small = too_small(page)
    assert not small, "\n".join(small)
    assert page.errors == []


def test_every_target_on_an_order_screen_is_large_enough_in_each_state_she_acts_in(open_app, sandbox, api):
    """王奶奶's light, through the states where her order screen asks something of her: the door-step check while
    赵师傅 is on the way, the extra charge waiting for her consent, then the rating, the re-work and the dispute."""
    from tests.conftest import upload_photo, wait_for
    from tests.e2e.test_order_records_apps import accepted_order
    from tests.prices_flow import LAMP, WIRE

    u, wang, zhao = sandbox.url, token(sandbox, "res_wang"), token(sandbox, "tech_zhao")
    order_id = accepted_order(
        sandbox,
        resident="res_wang",
        address_id="addr_wang_home",
        tech="tech_zhao",
        at=(39.9061, 116.658),
        category="electrical",
        description="客厅灯不亮",
    )

    def measured(ready: str) -> None:
        page = _open(open_app, f"#/order/{order_id}", ready)
        small = too_small(page)
        assert not small, f"{ready}:\n" + "\n".join(small)
        assert page.errors == []
        page.context.close()

    # On the way: the door-step check
    assert requests.post(f"{u}/orders/{order_id}/progress", json={"status": "en_route"}, headers=zhao, timeout=10).ok
    measured("#doorstep-match")
    # A line beyond the quote, waiting for her consent
    assert requests.post(f"{u}/orders/{order_id}/progress", json={"status": "on_site"}, headers=zhao, timeout=10).ok
    extra = {**LAMP, "reason": "灯具内部烧毁，建议整灯更换", "photo_ref": upload_photo(api, "tech_zhao", "technician", "work")}
    billed = requests.post(f"{u}/orders/{order_id}/completion", json={"lines": [WIRE, extra]}, headers=zhao, timeout=10)
    assert billed.status_code == 200 and billed.json()["status"] == "awaiting_approval", billed.text
    measured("#extra-title")
    # Approved: the rating, the re-work and the dispute
    approved = requests.post(f"{u}/orders/{order_id}/approval", json={"decision": "approve"}, headers=wang, timeout=10)
    assert approved.ok, approved.text
    wait_for(
        lambda: requests.get(f"{u}/orders/{order_id}", headers=wang, timeout=10).json()["status"] == "completed",
        what="the approved order completed",
    )
    measured("#rate-title")
    measured("#rework-title")
    measured("#dispute-title")
