"""The client apps in a real headless browser (Debian's chromium driven by Playwright) against the
sandbox over HTTP: the report's story from the three-button home screen to the supervisor's
execution-history timeline and audit chain, extra charges approved line by line by the family proxy,
a booking, the elderly-first layout (three big buttons, 18 px text, English on request), the public-area
board's "me too", and the supervision panels: vetting, statistics charts, credit.

LINLI_SCREENSHOTS=1 also writes the screenshots in docs/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import requests

from tests.conftest import tiny_png, wait_for

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    pytest.skip("no chromium on PATH: apt-get install chromium (.ci/run does it)", allow_module_level=True)

expect = playwright_api.expect
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # from package.json (make test runs npm ci)
PHONE = {"width": 412, "height": 915}
STEP_MS = 45_000  # a passing wait returns at once; the ceiling is for a loaded machine


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        expect.set_options(timeout=STEP_MS)  # assertions wait as long as actions (default 5 s)
        yield browser
        expect.set_options(timeout=5_000)
        browser.close()


@pytest.fixture
def open_app(browser, sandbox):
    """open_app(user_id) → a page signed in through the sign-in screen, in its own browser context."""
    contexts = []

    def open_as(user_id: str, viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or PHONE, locale="zh-CN")
        context.set_default_timeout(STEP_MS)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        page.goto(f"{sandbox.url}/app/")
        page.click(f"button[data-user={user_id}]")
        # the sign-in screen has an h1 too: wait until the role's app has loaded in its place
        page.wait_for_url(re.compile(r"/app/[a-z]+/"))
        page.wait_for_selector("#view h1")
        return page

    yield open_as
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    if os.environ.get("LINLI_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def accessible(page, screen: str) -> None:
    """axe-core on the screen as it is now: no serious or critical WCAG 2 A/AA violation."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{screen}: {bad}"


def token(sandbox, user_id: str) -> dict:
    response = requests.post(f"{sandbox.url}/dev/login", json={"user_id": user_id}, timeout=10)
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_home_screen_has_three_big_buttons_large_text_and_english(open_app):
    page = open_app("res_wang")
    buttons = page.locator(".menu-big a")
    expect(buttons).to_have_count(3)
    assert [b.split("\n")[0] for b in buttons.all_inner_texts()] == ["服务预约", "公区报事", "应急维修"]
    body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_px >= 18
    for box in (b.bounding_box() for b in buttons.all()):
        assert box["height"] >= 100 and box["width"] >= 300, box  # much larger than any other control
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.menu-big a')).fontSize)") >= 2 * 18
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    accessible(page, "home")
    shot(page, "resident-home")

    page.get_by_role("button", name="English").click()
    expect(buttons.first).to_contain_text("Service booking")
    page.reload()  # the choice is remembered
    expect(page.locator(".menu-big a.emergency")).to_contain_text("Emergency repair")
    assert page.evaluate("document.documentElement.lang") == "en"
    accessible(page, "home in English")
    shot(page, "resident-home-en")
    page.get_by_role("button", name="中文").click()
    expect(page.locator(".menu-big a.emergency")).to_contain_text("应急维修")

    # 200% zoom of a 640-px window (WCAG reflow): 320 CSS px, nothing cut off, no sideways scrolling
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert all(b.bounding_box()["width"] <= 320 for b in buttons.all())
    assert page.errors == []


def _image(name: str, rgb: tuple[int, int, int]) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": tiny_png(rgb, 48)}


def _drawn(page, selector: str) -> None:
    """The image was fetched through its pre-signed URL and drawn (not a broken image)."""
    expect(page.locator(selector)).to_be_visible()
    drawn = "s => { const img = document.querySelector(s); return img.complete && img.naturalWidth > 0; }"
    page.wait_for_function(drawn, arg=selector)


def test_story_emergency_repair_accepted_completed_rated_and_traced(open_app, sandbox):
    # 赵师傅, the electrician nearest to 西营前街, is on duty, with his photo for residents to see
    zhao = open_app("tech_zhao")
    zhao.click("#go-on-duty")
    expect(zhao.locator("#duty-state")).to_contain_text("上班中")
    zhao.set_input_files("#my-photo-input", files=[_image("zhao.png", (40, 90, 160))])
    _drawn(zhao, "#my-photo-img")

    # 王奶奶: the ceiling light is dead; emergency repair from the home screen
    wang = open_app("res_wang")
    wang.click("a[data-type=emergency]")
    expect(wang.get_by_label("西营前街5号楼2单元301")).to_be_checked()  # the saved address is pre-selected
    wang.get_by_label("电路 / 灯").check()
    wang.get_by_role("button", name="灯不亮").click()
    # with a photo of the dead lamp (optional), uploaded as soon as she picks it
    wang.get_by_label(re.compile("拍照或选一张照片")).set_input_files(files=[_image("lamp.png", (250, 220, 90))])
    expect(wang.locator("#fault-photo-status")).to_contain_text("照片已添加")
    wang.click("#get-quote")
    expect(wang.locator(".quote .price")).to_have_text("免费")  # pilot compound
    accessible(wang, "new order with its quote")
    shot(wang, "resident-quote")
    wang.click("#confirm-order")
    expect(wang.locator("#door-code")).to_have_text(re.compile(r"^\d{6}$"))
    order_id = wang.url.rsplit("/", 1)[1]
    _drawn(wang, "#fault-photo-shown")
    accessible(wang, "order")
    shot(wang, "resident-order")

    # 赵师傅 sees the offer with its countdown, accepts, is on his way, arrives, bills the reconnection
    offer = zhao.locator(f'[data-offer^="{order_id}"]')
    expect(offer.locator("[role=timer]")).to_contain_text(re.compile(r"还剩 \d+ 秒"))
    accessible(zhao, "technician: duty and offers")
    shot(zhao, "technician-offer")
    offer.locator("button.accept").click()
    job = zhao.locator(f'.job[data-order="{order_id}"]')
    job.locator("button.en-route").click()
    expect(job.locator(".job-status")).to_contain_text("师傅正在赶来")
    job.locator("button.on-site").click()
    job.locator("a.bill").click()
    zhao.click("button.add-item[data-item=elec_wire_reconnect]")
    zhao.get_by_label(re.compile("接线端子")).fill("2")
    zhao.set_input_files("#done-photos", files=[_image("done.png", (60, 160, 80))])
    expect(zhao.locator('img[alt="完工照片 1"]')).to_be_visible()
    accessible(zhao, "technician: bill")
    zhao.click("#complete")
    expect(zhao.locator("#completion-result")).to_contain_text("维修已完成")

    # she sees her technician's photo, name, company and today's credentials, the photo of the finished work,
    # the free bill, and rates with big stars
    _drawn(wang, "#tech-photo")
    assert wang.locator("#tech-photo").get_attribute("alt") == "赵师傅的照片"
    _drawn(wang, 'img[alt="完工照片 1"]')
    expect(wang.locator("#tech-name")).to_have_text("赵师傅")
    expect(wang.locator("#tech-company")).to_have_text("通苑物业服务有限公司")
    credentials = wang.locator("#tech-credentials")
    expect(credentials).to_have_attribute("data-ok", "true")
    expect(credentials).to_contain_text("低压电工作业证：今天有效")
    expect(wang.locator("#star-5")).to_be_visible()
    accessible(wang, "rating")
    wang.click("#star-5")
    expect(wang.locator("#star-5")).to_have_attribute("aria-pressed", "true")
    wang.fill("#comment", "师傅很专业")
    wang.click("#send-rating")
    expect(wang.locator("#status-now")).to_contain_text(re.compile("已评价|订单已结束"))
    shot(wang, "resident-rated")
    # a week to raise what was wrong: she tells the supervisors the technician left a mess (a service complaint)
    wang.click("#dispute-service")
    expect(wang.locator("#dispute-service")).to_have_attribute("aria-pressed", "true")
    wang.fill("#dispute-reason", "师傅修得好，但走后地上留了很多灰")
    wang.click("#send-dispute")
    expect(wang.locator("#dispute-status")).to_contain_text("监管人员正在核实")
    accessible(wang, "order page with a complaint")
    wang.click("text=全部订单")
    expect(wang.locator(f'a[href="#/order/{order_id}"]')).to_be_visible()
    accessible(wang, "my orders")

    # the supervisor opens the order: each state of the execution, entered and left, beside the audit chain
    wait_for(
        lambda: (
            len(
                requests.get(f"{sandbox.url}/orders/{order_id}/audit", headers=token(sandbox, "sup_tongzhou"), timeout=10).json()[
                    "entries"
                ]
            )
            >= 5
        ),
        what="the audit chain",
    )
    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.goto(sup.url.split("#")[0] + f"#/order/{order_id}")
    history = sup.locator("#execution-history")
    expect(history.locator("tr[data-state=SelectCandidate]").first).to_be_visible()
    states = history.locator("tbody tr").all()
    assert len(states) >= 5
    first = states[0].locator("td").all_inner_texts()
    assert re.match(r"\d\d:\d\d:\d\d", first[0]) and re.match(r"\d\d:\d\d:\d\d", first[1])  # entered, left
    verdict = sup.locator("#audit-verdict")
    expect(verdict).to_have_attribute("data-valid", "true")
    expect(verdict).to_contain_text("校验通过")
    assert sup.locator("#audit-chain tbody tr").count() == int(verdict.get_attribute("data-length")) >= 5
    expect(sup.locator("#audit-chain .link-bad")).to_have_count(0)  # every entry linked to the one before
    accessible(sup, "supervisor: execution history and audit chain")
    shot(sup, "supervisor-history")
    tabs = (("升级与超时", "#list"), ("准入审核", "#vetting"), ("争议", "#list"), ("死信", "#list"), ("消息", "#list"))
    for tab, shows in tabs:
        sup.get_by_role("link", name=tab, exact=True).click()
        expect(sup.locator(shows)).not_to_contain_text("正在加载")
    for page in (wang, zhao, sup):
        assert page.errors == []


def test_extra_charges_approved_line_by_line_by_the_family_proxy(open_app, sandbox):
    wang, zhao = token(sandbox, "res_wang"), token(sandbox, "tech_zhao")
    u = sandbox.url
    requests.put(
        f"{u}/technicians/me/availability", json={"on_duty": True, "lat": 39.9061, "lng": 116.658}, headers=zhao, timeout=10
    )
    order = requests.post(
        f"{u}/orders",
        headers=wang,
        timeout=10,
        json={"type": "emergency", "category": "electrical", "description": "客厅吸顶灯不亮", "address_id": "addr_wang_home"},
    ).json()
    order_id = order["order_id"]
    offer = wait_for(
        lambda: next(
            (o for o in requests.get(f"{u}/offers", headers=zhao, timeout=10).json()["offers"] if o["order_id"] == order_id), None
        ),
        what="the offer to 赵师傅",
    )
    assert requests.post(f"{u}/offers/{offer['offer_id']}/accept", headers=zhao, timeout=10).status_code == 200
    requests.post(f"{u}/orders/{order_id}/progress", json={"status": "on_site"}, headers=zhao, timeout=10)
    # the old lamp, photographed (the app's way: POST /photos, then PUT to the signed URL)
    png = tiny_png((120, 100, 60), 48)
    upload = requests.post(
        f"{u}/photos", json={"purpose": "work", "content_type": "image/png", "size": len(png)}, headers=zhao, timeout=10
    ).json()
    assert requests.put(upload["upload_url"], data=png, headers=upload["headers"], timeout=10).status_code == 200
    lamp = {"item_id": "elec_ceiling_lamp", "parts": [{"part_id": "led_ceiling_lamp", "quantity": 1}], "reason": "灯具老化"}
    lines = [
        {"item_id": "elec_wire_reconnect", "parts": [{"part_id": "wire_connector", "quantity": 2}]},
        {**lamp, "photo_ref": upload["photo_id"]},
        {"item_id": "elec_switch_socket", "parts": [{"part_id": "switch_panel", "quantity": 1}], "reason": "开关松动"},
    ]
    done = requests.post(f"{u}/orders/{order_id}/completion", json={"lines": lines}, headers=zhao, timeout=10)
    assert done.json()["status"] == "awaiting_approval", done.text

    # her son, linked as her proxy, follows his message to the order and decides each line
    son = open_app("res_wang_son")
    son.click("text=我的消息")
    expect(son.locator(f'a[href="#/order/{order_id}"]').first).to_be_visible()
    accessible(son, "messages")
    son.locator(f'a[href="#/order/{order_id}"]').first.click()
    extra = son.locator(".extra-line")
    expect(extra).to_have_count(2)
    _drawn(son, '.extra-line[data-line="L2"] img.photo')  # the technician's photo of the old lamp, beside his reason
    son.click("#send-decisions")  # nothing chosen yet: told in plain words, nothing sent
    expect(son.locator("#alert")).to_contain_text("请对每一项")
    son.click("#approve-L2")
    son.click("#reject-L3")
    expect(son.locator("#approve-L2")).to_have_attribute("aria-pressed", "true")
    accessible(son, "extra charges")
    shot(son, "resident-extra-charges")
    son.click("#send-decisions")
    expect(son.locator("#status-now")).to_contain_text("维修已完成")
    final = requests.get(f"{u}/orders/{order_id}", headers=wang, timeout=10).json()
    decided = {line["line_id"]: line["decision"] for line in final["extra_lines"]}
    assert decided == {"L2": "approved", "L3": "rejected"}
    assert son.errors == []


def test_booking_picks_a_free_slot_and_shows_it(open_app):
    wang = open_app("res_wang")
    wang.click("a[data-type=booking]")
    wang.get_by_label("水管 / 下水").check()
    wang.get_by_role("button", name="水龙头滴水").click()
    slots = wang.locator("input[name=slot]")
    expect(slots.first).to_be_attached()
    slots.first.check()
    accessible(wang, "booking with its slots")
    wang.click("#get-quote")
    expect(wang.locator(".quote .price")).to_have_text("免费")  # every pilot compound is free
    wang.click("#confirm-order")
    expect(wang.locator("#status-now")).to_be_visible()
    expect(wang.get_by_text(re.compile("^时间："))).to_be_visible()
    assert wang.url.rsplit("/", 1)[1].startswith("ord_") and wang.errors == []


def test_public_area_report_assigned_in_the_company_back_office(open_app, sandbox):
    wang = open_app("res_wang")
    wang.click("a[data-type=public_area]")
    wang.get_by_role("button", name="楼道").click()
    wang.get_by_label("其他").check()
    wang.get_by_role("button", name="门关不上").click()
    wang.fill("#more", "5号楼楼道的单元门关不上")
    wang.click("#get-quote")
    wang.click("#confirm-order")
    expect(wang.locator("#status-now")).to_be_visible()
    order_id = wang.url.rsplit("/", 1)[1]

    office = open_app("disp_tongyuan", viewport={"width": 1280, "height": 900})
    report = office.locator(f'.report[data-order="{order_id}"]')
    expect(report).to_contain_text("楼道")
    accessible(office, "back office: reports")
    shot(office, "company-reports")
    report.locator("select").select_option("tech_qian")
    report.get_by_role("button", name="派单").click()
    expect(report).to_have_count(0)
    supervisor = token(sandbox, "sup_tongzhou")
    order = requests.get(f"{sandbox.url}/orders/{order_id}", headers=supervisor, timeout=10).json()
    assert order["technician"]["technician_id"] == "tech_qian"
    for tab in ("本公司订单", "师傅", "电话任务", "Webhook", "API 密钥"):
        office.get_by_role("link", name=tab, exact=True).click()
        expect(office.locator("#view h1")).to_be_visible()
    office.fill("#key-label", "物业ERP")
    office.get_by_role("button", name="新建密钥").click()
    expect(office.locator("#panel")).to_contain_text("只显示这一次")
    # what each of them was told is in their app (in the sandbox nothing is sent: the outbox is the demo)
    office.get_by_role("link", name="消息", exact=True).click()
    expect(office.locator("#panel")).to_contain_text(f"有新的公区报事（订单 {order_id}）待派单")
    accessible(office, "back office: messages")
    qian = open_app("tech_qian")
    qian.get_by_role("link", name="我收到的消息").click()
    expect(qian.locator("#messages")).to_contain_text("物业为您派了一个公区报事")
    accessible(qian, "technician: messages")
    # the back office sets 钱师傅's photo (residents see it on their order, as his assigned report's page shows)
    office.get_by_role("link", name="师傅", exact=True).click()
    office.set_input_files("#photo-tech_qian", files=[_image("qian.png", (90, 60, 140))])
    _drawn(office, '[data-photo-of="tech_qian"] img.photo')
    accessible(office, "back office: technicians and their photos")
    wang.reload()
    _drawn(wang, "#tech-photo")
    assert wang.locator("#tech-photo").get_attribute("alt") == "钱师傅的照片"
    assert wang.errors == [] and office.errors == [] and qian.errors == []


def test_the_company_closes_a_false_public_area_report_as_unfounded(open_app, sandbox):
    report = {"type": "public_area", "category": "other", "description": "楼道有人乱贴广告", "place": "7号楼楼道"}
    placed = requests.post(
        f"{sandbox.url}/orders", json={**report, "address_id": "addr_wang_home"}, headers=token(sandbox, "res_wang"), timeout=10
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    office = open_app("disp_tongyuan", viewport={"width": 1280, "height": 900})
    card = office.locator(f'.report[data-order="{order_id}"]')
    card.get_by_label("不实原因").fill("现场查看，没有广告")
    accessible(office, "back office: reports with the unfounded close")
    card.get_by_role("button", name="按不实关闭").click()
    expect(card).to_have_count(0)
    order = requests.get(f"{sandbox.url}/orders/{order_id}", headers=token(sandbox, "sup_tongzhou"), timeout=10).json()
    assert order["status"] == "cancelled" and order["cancel_reason"] == "unfounded: 现场查看，没有广告"
    assert office.errors == []


def test_a_neighbour_presses_me_too_on_the_public_area_board(open_app, sandbox):
    # 王奶奶 reported the dead street light; 张女士's mother lives in the same compound (西营前街)
    report = requests.post(
        f"{sandbox.url}/orders",
        headers=token(sandbox, "res_wang"),
        timeout=10,
        json={
            "type": "public_area",
            "category": "electrical",
            "description": "3号楼前的路灯不亮",
            "address_id": "addr_wang_home",
            "place": "路灯",
        },
    ).json()
    zhang = open_app("res_zhang")
    zhang.get_by_role("link", name="小区公区报事板").click()
    card = zhang.locator(f'.report[data-order="{report["order_id"]}"]')
    expect(card).to_contain_text("还没有其他邻居说遇到")
    accessible(zhang, "public-area board")
    button = card.get_by_role("button", name="我也遇到")
    assert button.bounding_box()["height"] >= 80  # the big button
    button.click()
    expect(card.locator(".metoo-count")).to_contain_text("已有 1 位邻居也遇到")
    expect(button).to_have_attribute("aria-pressed", "true")
    shot(zhang, "resident-board")
    order = requests.get(f"{sandbox.url}/orders/{report['order_id']}", headers=token(sandbox, "res_wang"), timeout=10).json()
    assert order["me_too_count"] == 1 and zhang.errors == []


def test_supervisor_approves_a_pending_company_in_the_vetting_queue(open_app, api, sandbox):

    from identity.domain.records import User
    from identity.store import accounts

    # Given a new company that applied with its licence uploaded through the pre-signed URL
    accounts.put_user(User(user_id="disp_e2e_xinhe", role="dispatcher", name="新和调度", company_id="co_e2e_xinhe"))
    document = api.call(
        "disp_e2e_xinhe",
        "dispatcher",
        "POST",
        "/documents",
        {"kind": "business_licence", "filename": "licence.pdf", "content_type": "application/pdf", "size": len(b"%PDF-1.4")},
    ).body
    assert requests.put(document["upload_url"], data=b"%PDF-1.4", headers=document["headers"], timeout=10).status_code == 200
    application = {"name": "新和物业有限公司", "licence_number": "91110112MA01ABCD3X", "documents": [document["document_id"]]}
    assert api.call("disp_e2e_xinhe", "dispatcher", "PUT", "/companies/me/application", application).status == 200

    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.get_by_role("link", name="准入审核", exact=True).click()
    card = sup.locator('.vet[data-company="co_e2e_xinhe"]')
    expect(card).to_contain_text("91110112MA01ABCD3X")
    link = card.locator(f'a[data-document="{document["document_id"]}"]')
    # a link a browser opens: the sandbox's /s3 front
    expect(link).to_have_attribute("href", re.compile(f"^{re.escape(sandbox.url)}/s3/.*X-Amz-Signature="))
    accessible(sup, "vetting queue with a pending company")
    shot(sup, "supervisor-vetting")
    card.get_by_role("button", name="驳回").click()  # a rejection needs a reason: told, nothing sent
    expect(sup.locator("#alert")).to_contain_text("须填写原因")
    card.get_by_role("button", name="批准").click()
    expect(sup.locator("#vetting-result")).to_contain_text("新和物业有限公司 → 已准入")
    expect(card).to_have_count(0)
    assert api.call("sup_tongzhou", "supervisor", "GET", "/credit/companies/co_e2e_xinhe").body["status"] == "admitted"

    # the credit ranking lists it; a company's record shows its score, its history and its events
    sup.get_by_role("link", name="信用排名", exact=True).click()
    expect(sup.locator('#ranking tr[data-company="co_e2e_xinhe"]')).to_contain_text("50.0")
    sup.locator('#ranking tr[data-company="co_tongyuan"] a').click()
    expect(sup.locator("#credit-record")).to_contain_text("通苑物业服务有限公司")
    accessible(sup, "credit record")
    assert sup.errors == []


def test_statistics_charts_draw_the_numbers_of_the_api(open_app, sandbox):
    from orders.domain.records import TimelineEntry
    from orders.store import orders
    from tests.unit.test_supervision_credit import _order

    # Given three past orders of 京安居 in June (written as history: no workflow), accepted after 3, 25 and 8 min
    for n, (order_type, accepted, stars) in enumerate((("emergency", 3, 5), ("emergency", 25, 4), ("booking", 8, None)), start=1):
        created = f"2026-06-0{n}T02:00:00.000Z"
        timeline = [
            TimelineEntry(status="submitted", at=created, actor="res_zhang"),
            TimelineEntry(status="assigned", at=f"2026-06-0{n}T02:{accepted:02d}:00.000Z", actor="tech_sun"),
        ]
        changes = {
            "order_type": order_type,
            "resident_id": "res_zhang",
            "compound_id": "cp_0413b2d0e509",
            "technician_id": "tech_sun",
        }
        past = _order(
            order_id=f"ord_e2e_stats_{n}",
            company_id="co_jingan",
            rating_stars=stars,
            created_at=created,
            timeline=timeline,
            **changes,
        )
        orders.create(past, execution_arn="history")
    period = "from=2026-06-01&to=2026-06-05"
    stats = requests.get(f"{sandbox.url}/stats?{period}", headers=token(sandbox, "sup_tongzhou"), timeout=10).json()["orders"]
    assert stats["orders"] == 3

    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.goto(sup.url.split("#")[0] + f"#/stats?{period}")
    expect(sup.locator('[data-figure="orders"] .figure-value')).to_have_text("3")
    # orders per day by type: one column a day of the period, each as tall as the API's count
    days = sup.locator("#chart-orders g.column")
    expect(days).to_have_count(5)
    drawn = {g.get_attribute("data-label"): int(g.get_attribute("data-total")) for g in days.all()}
    assert drawn == {
        f"2026-06-0{d}": sum(next((x["by_type"] for x in stats["by_day"] if x["day"] == f"2026-06-0{d}"), {}).values())
        for d in range(1, 6)
    }
    assert sup.locator('#chart-orders rect[data-series="booking"]').count() == 1
    # time to acceptance: the histogram's columns are the API's buckets
    drawn = [int(g.get_attribute("data-total")) for g in sup.locator("#chart-acceptance g.column").all()]
    assert drawn == [b["count"] for b in stats["acceptance_histogram"]] and sum(drawn) == 3
    # satisfaction by company: 京安居's average of its two ratings
    bar = sup.locator('#chart-satisfaction g.bar-row[data-label="京安居物业管理有限公司"]')
    expect(bar.locator("text.value")).to_have_text("4.5★ · 2 次评分")
    accessible(sup, "statistics")
    shot(sup, "supervisor-stats")
    assert sup.errors == []


def test_the_company_sees_its_credit_score_and_events(open_app, sandbox):
    from supervision.store import company_records, credit
    from supervision.store.credit import CreditEvent

    # Given two of 京安居's orders that counted for its credit, on two days, and the score they give
    events = [("ord_e2e_credit_1", "rating", 5, "2026-06-01"), ("ord_e2e_credit_2", "response_deadline", 0, "2026-06-02")]
    credit.put_events(
        [
            CreditEvent(event_id=f"{o}:{kind}", company_id="co_jingan", order_id=o, kind=kind, value=v, at=f"{day}T03:00:00.000Z")
            for o, kind, v, day in events
        ]
    )
    mine = token(sandbox, "disp_jingan")
    before = company_records.get_company("co_jingan").credit_score
    history = requests.get(f"{sandbox.url}/companies/me/credit", headers=mine, timeout=10).json()["history"]
    credit.set_company_score("co_jingan", history[-1]["score"])  # as the supervision consumer does after each event
    try:
        record = requests.get(f"{sandbox.url}/companies/me/credit", headers=mine, timeout=10).json()
        office = open_app("disp_jingan", viewport={"width": 1280, "height": 900})
        office.get_by_role("link", name="信用", exact=True).click()
        expect(office.locator("#credit-score")).to_have_text(f"{record['credit_score']:.1f}")
        expect(office.locator("#credit-record")).to_contain_text(f"低于 {record['threshold']:g} 暂停接单")
        # the score's history, one point a day, and every event in words
        assert len(record["history"]) >= 2
        expect(office.locator("#credit-history circle")).to_have_count(len(record["history"]))
        expect(office.locator("#credit-record table.credit-events tbody tr")).to_have_count(len(record["events"]))
        expect(office.locator("#credit-record")).to_contain_text("✗ 超时")
        accessible(office, "back office: credit")
        shot(office, "company-credit")
        assert office.errors == []
    finally:
        credit.set_company_score("co_jingan", before)  # matching ranks by the score: as the other tests expect it


PDF = {"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 licence"}


def test_a_company_applies_registers_a_technician_and_the_supervisor_decides(open_app, sandbox):
    # 安乐家 (a demo company that has not applied yet) opens its admission screen
    office = open_app("disp_anle", viewport={"width": 1280, "height": 900})
    expect(office.locator("#admission-notice")).to_contain_text("未申请")  # every screen says so until admitted
    office.get_by_role("link", name="查看准入状态").click()
    status = office.locator("#admission-status")
    expect(status).to_have_attribute("data-status", "not_applied")
    office.get_by_label("企业名称（营业执照上的全称）").fill("安乐家物业服务有限公司")
    office.get_by_label("统一社会信用代码（18 位）").fill("91110112MA01ANLE5K")
    office.set_input_files("#app-licence-file", PDF)  # uploaded to S3 through the pre-signed URL
    office.set_input_files("#app-qualification-files", {**PDF, "name": "物业服务资质.png", "mimeType": "image/png"})
    office.get_by_role("button", name="提交申请").click()
    expect(status).to_have_attribute("data-status", "pending")
    expect(office.locator("#admission-documents li")).to_have_count(2)
    expect(office.locator("#admission-result")).to_contain_text("等待监管部门审核")
    accessible(office, "back office: admission")
    shot(office, "company-admission")
    office.get_by_role("button", name="English").click()  # the same screen in English
    expect(status).to_contain_text("Admission status: Pending")
    expect(office.get_by_role("button", name="Apply")).to_be_visible()
    office.get_by_role("button", name="中文").click()
    expect(status).to_contain_text("准入状态")

    # the supervisor rejects it with a reason; the company reads the reason and applies again
    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.get_by_role("link", name="准入审核", exact=True).click()
    card = sup.locator('.vet[data-company="co_anle"]')
    expect(card.locator("a[data-document]")).to_have_count(2)
    href = card.locator("a[data-document]").first.get_attribute("href")
    assert href.startswith(f"{sandbox.url}/s3/") and requests.get(href, timeout=10).content.startswith(b"%PDF")
    card.get_by_label(re.compile("原因")).fill("资质材料不全：缺少物业服务资质证书原件扫描件")
    card.get_by_role("button", name="驳回").click()
    expect(sup.locator("#vetting-result")).to_contain_text("安乐家物业服务有限公司 → 已驳回")
    office.reload()
    expect(status).to_have_attribute("data-status", "rejected")
    expect(office.locator("#admission-reason")).to_contain_text("缺少物业服务资质证书")
    office.get_by_role("button", name="提交申请").click()  # the documents already sent are kept
    expect(status).to_have_attribute("data-status", "pending")
    sup.reload()
    card.get_by_role("button", name="批准").click()
    expect(sup.locator("#vetting-result")).to_contain_text("安乐家物业服务有限公司 → 已准入")

    # the company registers an electrician with his certificate and its scan
    office.get_by_role("link", name="师傅", exact=True).click()
    expect(office.locator("#staff-empty")).to_be_visible()
    office.get_by_label("姓名").fill("孙建国")
    office.get_by_label("手机号").fill("13911112222")
    office.get_by_label("身份证号（18 位）").fill("11011219800101123X")
    office.get_by_label("电路 / 灯").check()
    office.fill("#cert-electrician_low_voltage-number", "T110112198001")
    office.fill("#cert-electrician_low_voltage-issuer", "北京市应急管理局")
    office.fill("#cert-electrician_low_voltage-expires", "2030-12-31")
    office.set_input_files("#cert-electrician_low_voltage-file", {**PDF, "name": "电工证.pdf"})
    office.get_by_role("button", name="登记并提交审核").click()
    expect(office.locator("#staff-result")).to_contain_text("已登记：孙建国")
    row = office.locator("#staff tbody tr", has_text="孙建国")
    expect(row).to_have_attribute("data-status", "pending")
    expect(row).to_contain_text("110112********123X")
    expect(row).to_contain_text("北京市应急管理局")
    accessible(office, "back office: technicians")
    shot(office, "company-technicians")
    technician_id = row.get_attribute("data-technician")

    # the supervisor approves him in the console; the company sees him active
    sup.reload()  # still on the vetting queue: read it again
    tech_card = sup.locator(f'.vet[data-technician="{technician_id}"]')
    expect(tech_card).to_contain_text("安乐家物业服务有限公司")
    expect(tech_card).to_contain_text("T110112198001")
    tech_card.get_by_role("button", name="批准").click()
    expect(sup.locator("#vetting-result")).to_contain_text("孙建国 → 在岗")
    office.reload()
    expect(row).to_have_attribute("data-status", "active")
    expect(row).to_contain_text("在岗")
    expect(office.locator("#admission-notice")).to_have_count(0)  # admitted
    assert office.errors == [] and sup.errors == []


def test_the_supervisor_downloads_the_credit_export_as_csv(open_app):
    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.get_by_role("link", name="信用排名", exact=True).click()
    with sup.expect_download() as event:
        sup.get_by_role("button", name="下载 CSV").click()
    download = event.value
    assert re.fullmatch(r"linli-credit-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeffcompany_name,company_status,credit_score,company_id,")
    expect(sup.locator("#export-result")).to_contain_text(download.suggested_filename)
    accessible(sup, "credit ranking with the export")
    assert sup.errors == []


def test_the_supervisor_downloads_the_orders_of_a_compound_as_csv(open_app, world):
    placed = world.order()
    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.goto(sup.url.split("#")[0] + f"#/stats?compound_id={world.compound_id}&from=2000-01-01&to=2099-12-31")
    with sup.expect_download() as event:
        sup.get_by_role("button", name="下载订单 CSV").click()
    download = event.value
    assert download.suggested_filename == "linli-orders-2000-01-01-2099-12-31.csv"
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufefforder_id,order_code,created_at,")
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == [placed["order_id"]]
    expect(sup.locator("#orders-export-result")).to_contain_text(download.suggested_filename)
    accessible(sup, "statistics with the orders export")
    assert sup.errors == []


def test_the_supervisor_dispatches_an_escalated_order_choosing_among_admitted_technicians(open_app, sandbox, world):
    from orders.store import orders

    # nobody on duty near a new compound: the order is escalated to the supervisors
    electrician = world.add_technician(on_duty=False)
    plumber = world.add_technician(skills=("plumbing",), on_duty=False)
    order_id = world.order()["order_id"]
    wait_for(lambda: orders.get(order_id).status == "escalated", what="the escalation")

    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.get_by_role("link", name="升级与超时", exact=True).click()
    card = sup.locator(f'article[data-order="{order_id}"]')
    choices = card.locator("select.dispatch-tech option")
    expect(choices.first).to_be_attached()
    # every admitted technician (GET /vetting, not the sandbox's demo list), those able to do electrics first
    values = choices.evaluate_all("options => options.map((o) => o.value)")
    assert electrician in values and plumber in values and values.index(electrician) < values.index(plumber)
    accessible(sup, "escalated orders with manual dispatch")
    card.locator("select.dispatch-tech").select_option(electrician)
    card.get_by_role("button", name="派单").click()
    expect(card).to_have_count(0)
    assert orders.get(order_id).technician_id == electrician
    assert sup.errors == []


def test_a_community_worker_links_to_wang_with_her_code_and_orders_for_her(open_app, sandbox):
    # 李丽, 西营前街's community worker, opens the family screen from the small link under the three big buttons
    lili = open_app("res_lili")
    expect(lili.locator(".menu-big a")).to_have_count(3)
    lili.click("#family-link")
    expect(lili.locator("#view h1")).to_have_text("家人代办")
    expect(lili.locator("#acting-title + p")).to_contain_text("您还没有为别人代办")
    accessible(lili, "family: nobody linked yet")
    lili.get_by_label("1. 老人的手机号").fill("13800000001")
    lili.get_by_label("社区工作者").check()
    lili.click("#send-code")
    expect(lili.locator("#code-sent")).to_contain_text("138****0001")
    accessible(lili, "family: waiting for the code")

    # 王奶奶 gets the SMS (her outbox, as the sandbox records it) and tells 李丽 the code
    def code_sms():
        found = requests.get(f"{sandbox.url}/messages", headers=token(sandbox, "res_wang"), timeout=10).json()["messages"]
        return next((m for m in found if m["kind"] == "proxy.consent_code" and "李丽" in m["text_zh"]), None)

    sms = wait_for(code_sms, what="王奶奶's consent code")
    code = re.search(r"验证码 (\d{6})", sms["text_zh"]).group(1)
    lili.get_by_label(re.compile("验证码")).fill(code)
    lili.click("#confirm-code")
    expect(lili.locator("#link-done")).to_contain_text("王奶奶")
    expect(lili.locator("#acting-title + ul")).to_contain_text("王奶奶")
    accessible(lili, "family: linked")
    shot(lili, "resident-family")

    # She orders for 王奶奶: "who is this for" first, then 王奶奶's own address
    lili.click("a[href='#/']")
    lili.click("a[data-type=emergency]")
    expect(lili.get_by_role("group", name="为谁下单")).to_be_visible()
    lili.get_by_label(re.compile("^王奶奶")).check()
    expect(lili.get_by_label("西营前街5号楼2单元301")).to_be_checked()
    lili.get_by_label("水管 / 下水").check()
    lili.get_by_role("button", name="水龙头滴水").click()
    lili.click("#get-quote")
    expect(lili.locator(".quote .price")).to_have_text("免费")
    accessible(lili, "new order for someone else")
    lili.click("#confirm-order")
    expect(lili.locator("#placed-for")).to_contain_text("替家人下的单")
    order_id = lili.url.rsplit("/", 1)[1]

    # The order is 王奶奶's, placed by 李丽, and 王奶奶 is told by SMS with the door code
    order = requests.get(f"{sandbox.url}/orders/{order_id}", headers=token(sandbox, "res_wang"), timeout=10).json()
    assert order["resident_id"] == "res_wang" and order["placed_by"] == "res_lili"

    def placed_sms():
        found = requests.get(f"{sandbox.url}/messages", headers=token(sandbox, "res_wang"), timeout=10).json()["messages"]
        return next((m for m in found if m["kind"] == "proxy.order_placed" and m["order_id"] == order_id), None)

    told = wait_for(placed_sms, what="王奶奶's SMS about the order placed for her")
    assert told["channel"] == "sms" and order["order_code"] in told["text_zh"]
    wang = open_app("res_wang")
    wang.goto(f"{sandbox.url}/app/resident/#/order/{order_id}")
    expect(wang.locator("#placed-by")).to_contain_text("李丽")
    assert not lili.errors and not wang.errors
