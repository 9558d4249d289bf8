"""The sign-in screen (apps/signin.js, apps/shared/auth.js) in headless chromium against the sandbox: 微信登录 through
the sandbox's fake WeChat server, 手机验证码登录 with the code read from the fake SMS provider's outbox
(GET /dev/outbox), the demo picker (POST /dev/login); the session in the tab's sessionStorage, renewed with
POST /auth/refresh before the access token expires, revoked by POST /auth/logout on sign-out.

The tests that sign in through /auth/* are skipped while the sandbox has no such route (the identity function
answers them); the screen itself and the demo picker are tested in any case."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import requests

from tests.conftest import wait_for
from tests.e2e.test_apps import accessible

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    pytest.skip("no chromium on PATH: apt-get install chromium (.ci/run does it)", allow_module_level=True)

expect = playwright_api.expect
STEP_MS = 30_000
PHONE = {"width": 412, "height": 915}


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        expect.set_options(timeout=STEP_MS)
        yield browser
        expect.set_options(timeout=5_000)
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(STEP_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


@pytest.fixture
def platform_sign_in(sandbox):
    """Skip while the sandbox has no /auth/wechat (the identity function serves it once merged)."""
    answer = requests.post(f"{sandbox.url}/auth/wechat", json={"code": "not-a-code"}, timeout=10)
    if answer.status_code == 404:
        pytest.skip("no POST /auth/wechat in this sandbox yet (the identity function)")
    return sandbox


def stored(page, key: str = "linli.session"):
    return page.evaluate(f"JSON.parse(sessionStorage.getItem({json.dumps(key)}) || 'null')")


def test_the_screen_offers_wechat_sms_and_the_demo_people_in_elderly_sizes(page, sandbox):
    page.goto(f"{sandbox.url}/app/")
    expect(page.get_by_role("heading", name="微信登录")).to_be_visible()
    expect(page.get_by_role("heading", name="手机验证码登录")).to_be_visible()
    expect(page.locator("button[data-openid=res_wang]")).to_have_text("微信登录：王奶奶")
    expect(page.locator("button[data-user=res_wang]")).to_be_visible()
    # Every sign-in target is large (≥ 60 px high, the screen's width) and its text ≥ 18 px
    for selector in ("button[data-openid=res_wang]", "#sms-send", "#sms-phone"):
        box = page.locator(selector).bounding_box()
        assert box["height"] >= 60 and box["width"] >= 300, (selector, box)
        size = page.locator(selector).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 18, (selector, size)
    for box in (b.bounding_box() for b in page.locator("button").all()):
        assert box["height"] >= 44 and box["width"] >= 44, box
    accessible(page, "sign-in")
    # And in English
    page.locator(".lang-switch").click()
    expect(page.get_by_role("heading", name="Sign in with WeChat")).to_be_visible()
    expect(page.locator("#sms-send")).to_have_text("Send me a code")
    assert page.errors == []


def test_the_demo_picker_signs_in_and_keeps_the_session_in_this_tab(page, sandbox):
    page.goto(f"{sandbox.url}/app/")
    page.click("button[data-user=res_wang]")
    expect(page).to_have_url(f"{sandbox.url}/app/resident/")
    session = stored(page)
    assert session["user_id"] == "res_wang" and session["role"] == "resident" and "refresh_token" not in session
    assert page.evaluate("localStorage.getItem('linli.session')") is None  # not kept beyond the tab
    page.locator("button", has_text="退出").click()
    expect(page).to_have_url(f"{sandbox.url}/app/")
    assert stored(page) is None


def test_a_resident_signs_in_with_wechat_and_places_an_emergency_order(page, platform_sign_in):
    sandbox = platform_sign_in
    page.goto(f"{sandbox.url}/app/")
    # 王奶奶 signs in with WeChat (in the sandbox: her demo code through the fake WeChat server)
    page.click("button[data-openid=res_wang]")
    expect(page).to_have_url(f"{sandbox.url}/app/resident/")
    session = stored(page)
    assert session["user_id"] == "res_wang" and session["role"] == "resident" and session["refresh_token"]
    assert session["expires_at"] - page.evaluate("Date.now()") <= 900_000
    assert sandbox.wechat.calls and sandbox.wechat.calls[-1] == ("GET", "/sns/jscode2session")
    # And places an emergency order from the home screen
    page.click("a[data-type=emergency]")
    expect(page.get_by_label("西营前街5号楼2单元301")).to_be_checked()
    page.get_by_label("电路 / 灯").check()
    page.get_by_role("button", name="灯不亮").click()
    page.click("#get-quote")
    page.click("#confirm-order")
    expect(page.locator("#door-code")).to_have_text(re.compile(r"^\d{6}$"))
    order_id = page.url.rsplit("/", 1)[1]
    mine = requests.get(
        f"{sandbox.url}/orders/{order_id}", headers={"Authorization": f"Bearer {stored(page)['token']}"}, timeout=10
    )
    assert mine.status_code == 200 and mine.json()["resident_id"] == "res_wang"
    assert page.errors == []


def test_staff_sign_in_with_a_code_sent_by_sms(page, platform_sign_in):
    sandbox = platform_sign_in
    phone = "13900000002"  # 钱师傅: staff sign in by the phone number their company registered
    page.goto(f"{sandbox.url}/app/")
    page.fill("#sms-phone", phone)
    page.click("#sms-send")
    expect(page.locator("#sms-code")).to_be_focused()

    def code() -> str | None:
        sent = requests.get(f"{sandbox.url}/dev/outbox", params={"phone": phone}, timeout=10).json()["messages"]
        return next((m["params"]["code"] for m in reversed(sent) if m["template"] == "login_code"), None)

    found = wait_for(code, timeout=15, what="the sign-in code in the outbox")
    assert re.fullmatch(r"\d{6}", found)
    page.fill("#sms-code", found)
    page.click("#sms-verify")
    expect(page).to_have_url(f"{sandbox.url}/app/technician/")
    assert stored(page)["user_id"] == "tech_qian" and stored(page)["role"] == "technician"


def test_a_wrong_sms_code_is_refused_with_the_apis_words(page, platform_sign_in):
    sandbox = platform_sign_in
    page.goto(f"{sandbox.url}/app/")
    page.fill("#sms-phone", "13900000003")
    page.click("#sms-send")
    page.fill("#sms-code", "000000")
    page.click("#sms-verify")
    expect(page.locator("#alert [data-error]")).to_be_visible()
    assert page.locator("#alert").inner_text() != "出了点问题，请稍后再试"  # the API's own words
    assert stored(page) is None


def test_the_access_token_is_renewed_before_it_expires_and_sign_out_revokes_the_session(page, platform_sign_in):
    sandbox = platform_sign_in
    page.goto(f"{sandbox.url}/app/")
    page.click("button[data-openid=res_zhang]")
    expect(page).to_have_url(f"{sandbox.url}/app/resident/")
    first = stored(page)
    # Given an access token a minute from its expiry (inside the two minutes the apps renew ahead), set while no app
    # code runs in the tab: a screen left open would renew at once (its socket's first poll, say), and a reload in the
    # middle of that renewal would throw the new pair away and present the spent refresh token again.
    page.goto(f"{sandbox.url}/app/config.js")
    page.evaluate("(s) => sessionStorage.setItem('linli.session', JSON.stringify({...s, expires_at: Date.now() + 60000}))", first)
    # When the app calls the API, it renews first (POST /auth/refresh: a new refresh token too)
    page.goto(f"{sandbox.url}/app/resident/")
    page.wait_for_function("JSON.parse(sessionStorage.getItem('linli.session')).expires_at > Date.now() + 600000")
    renewed = stored(page)
    assert renewed["token"] != first["token"] and renewed["refresh_token"] != first["refresh_token"]
    assert renewed["user_id"] == first["user_id"] and renewed["role"] == "resident"
    # When she signs out, the session is gone from the tab and its refresh token is revoked
    page.locator("button", has_text="退出").click()
    expect(page).to_have_url(f"{sandbox.url}/app/")
    assert stored(page) is None
    again = requests.post(f"{sandbox.url}/auth/refresh", json={"refresh_token": renewed["refresh_token"]}, timeout=10)
    assert again.status_code in (400, 401), again.text
