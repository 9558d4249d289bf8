"""Issue 7 in the browser: the resident's order page changes the moment the back office dispatches her report,
over the app's WebSocket (web push), with no polling: while nothing happens the page sends no request, and GET
/messages is never asked. Debian's chromium driven by Playwright, against the sandbox over HTTP."""

from __future__ import annotations

import re
import time
import uuid

import requests

from tests.e2e.test_apps import browser, open_app, token  # noqa: F401 - the browser fixtures
from tests.e2e.test_apps import expect as expect_

QUIET_SECONDS = 8  # three polls of the old 2.5 s refresh
PUSH_BOUND_MS = 20_000


def resident_app(open_app):  # noqa: F811
    """王奶奶's app, once the sign-in screen has opened it (evaluate() does not wait for a navigation)."""
    page = open_app("res_wang")
    page.wait_for_url("**/app/resident/**")
    page.wait_for_load_state()
    return page


def test_the_order_page_updates_by_push_without_polling(open_app, sandbox):  # noqa: F811
    resident = token(sandbox, "res_wang")
    place = f"7号楼 地下室 {uuid.uuid4().hex[:6]}"  # a place of its own: not a "me too" of another test's report
    body = {"type": "public_area", "category": "other", "description": "地下室的灯不亮", "address_id": "addr_wang_home"}
    order = requests.post(f"{sandbox.url}/orders", json={**body, "place": place}, headers=resident, timeout=30).json()
    order_id = order["order_id"]

    wang = resident_app(open_app)
    requests_seen: list[tuple[float, str, str]] = []
    wang.on("request", lambda r: requests_seen.append((time.monotonic(), r.method, r.url)))
    wang.goto(f"{sandbox.url}/app/resident/#/order/{order_id}")
    status = wang.locator("#status-now")
    expect_(status).to_be_visible()
    wang.wait_for_function("() => import('/app/shared/core.js').then((m) => m.live.connected)", timeout=PUSH_BOUND_MS)
    before = status.inner_text()

    # While nothing happens, the page asks nothing: no refresh every few seconds, no GET /messages. (Another
    # test's order of hers may still send her a message meanwhile: each one pushed may cause one refresh.)
    wang.wait_for_timeout(2_000)  # the refresh on connecting settles
    pushed = "import('/app/shared/core.js').then((m) => m.live.messages)"
    quiet_from, pushed_before = time.monotonic(), wang.evaluate(pushed)
    wang.wait_for_timeout(QUIET_SECONDS * 1000)
    quiet = [r for r in requests_seen if quiet_from <= r[0]]
    assert len(quiet) <= wang.evaluate(pushed) - pushed_before, f"the page polled while nothing changed: {quiet}"

    # The back office dispatches the report: the page shows it within the bound, by push.
    dispatcher = token(sandbox, "disp_tongyuan")
    sent = time.monotonic()
    answer = requests.post(
        f"{sandbox.url}/orders/{order_id}/dispatch", json={"technician_id": "tech_qian"}, headers=dispatcher, timeout=30
    )
    assert answer.status_code == 200, answer.text
    expect_(status).not_to_have_text(before, timeout=PUSH_BOUND_MS)
    expect_(wang.locator("#view")).to_contain_text("钱", timeout=PUSH_BOUND_MS)  # 钱师傅, by name
    assert time.monotonic() - sent < PUSH_BOUND_MS / 1000
    assert wang.evaluate(pushed) > pushed_before, "it came by the socket"
    asked = [r for r in requests_seen if r[0] >= quiet_from]
    assert not [r for r in asked if r[2].split("?")[0].endswith("/messages")], "GET /messages is never polled"
    # What it asked is this order (and, once assigned, the technician's photo: its link, then the image from the
    # /s3 front): read because it was told.
    photo = re.compile(r"/technicians/[^/]+/photo$|/s3/")
    assert all(f"/orders/{order_id}" in r[2] or photo.search(r[2].split("?")[0]) for r in asked if "/app/" not in r[2]), asked
    assert wang.errors == []


def test_without_the_socket_the_app_retries_with_backoff_and_does_not_poll_fast(open_app, sandbox):  # noqa: F811
    """A network that refuses the WebSocket: the app keeps retrying, waiting twice as long each time, and polls
    only every 30 s meanwhile (not every few seconds as before)."""
    wang = resident_app(open_app)
    wang.context.route_web_socket("**/live*", lambda ws: ws.close())
    wang.evaluate("import('/app/shared/core.js').then((m) => m.live.socket && m.live.socket.close())")
    wang.wait_for_function("() => import('/app/shared/core.js').then((m) => !m.live.connected && m.live.retryMs >= 4000)")
    assert wang.evaluate("import('/app/shared/core.js').then((m) => m.FALLBACK_POLL_MS)") == 30_000
    asked: list[str] = []
    wang.on("request", lambda r: asked.append(r.url))
    wang.evaluate("location.hash = '#/orders'")
    wang.wait_for_timeout(6_000)
    assert len([u for u in asked if "/app/" not in u]) <= 3, asked  # the screen's own load, no polling
    assert wang.errors == []
