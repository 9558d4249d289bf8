"""The apps with what an order records: the technician cannot send an empty bill without saying what he did, and
the resident reads his words, and her timeline with names, never ids (a real browser against the sandbox)."""

from __future__ import annotations

import re

import requests

from tests.conftest import wait_for
from tests.e2e import test_apps
from tests.e2e.test_apps import PHONE, expect, token

browser, open_app = test_apps.browser, test_apps.open_app


def accepted_order(sandbox, *, resident: str, address_id: str, tech: str, at: tuple[float, float], **order) -> str:
    """An order of `resident`'s, offered to `tech` (on duty at `at`) and accepted by him: its id."""
    u, placer, worker = sandbox.url, token(sandbox, resident), token(sandbox, tech)
    position = {"on_duty": True, "lat": at[0], "lng": at[1]}
    requests.put(f"{u}/technicians/me/availability", json=position, headers=worker, timeout=10)
    body = {"type": "emergency", "address_id": address_id, **order}
    order_id = requests.post(f"{u}/orders", json=body, headers=placer, timeout=10).json()["order_id"]
    offer = wait_for(
        lambda: next(
            (o for o in requests.get(f"{u}/offers", headers=worker, timeout=10).json()["offers"] if o["order_id"] == order_id),
            None,
        ),
        what=f"the offer to {tech}",
    )
    assert requests.post(f"{u}/offers/{offer['offer_id']}/accept", headers=worker, timeout=10).status_code == 200
    return order_id


def _order_at_the_door(sandbox) -> str:
    """张女士's dripping tap (中仓小区), accepted by 孙师傅, who is at the door."""
    order_id = accepted_order(
        sandbox,
        resident="res_zhang",
        address_id="addr_zhang_home",
        tech="tech_sun",
        at=(39.902, 116.6655),
        category="plumbing",
        description="水龙头滴水",
    )
    progress = {"status": "on_site"}
    assert requests.post(
        f"{sandbox.url}/orders/{order_id}/progress", json=progress, headers=token(sandbox, "tech_sun"), timeout=10
    ).ok
    return order_id


def test_an_empty_bill_says_what_was_done_and_the_resident_reads_it_with_names_in_her_timeline(open_app, sandbox):
    order_id = _order_at_the_door(sandbox)
    sun = open_app("tech_sun", viewport=PHONE)
    sun.goto(sun.url.split("#")[0] + f"#/job/{order_id}")
    # When he completes with no lines and says nothing, he is told what is missing and nothing is sent
    sun.click("#complete")
    expect(sun.locator("#alert")).to_contain_text("做了什么")
    assert (
        requests.get(f"{sandbox.url}/orders/{order_id}", headers=token(sandbox, "res_zhang"), timeout=10).json()["status"]
        == "on_site"
    )
    # When he writes what he did, the order is completed
    sun.get_by_label("做了什么（写给居民看；没有收费项目时必填）").fill("阀门芯松了，已拧紧，不用换件")
    sun.click("#complete")
    expect(sun.locator("#completion-result")).to_contain_text("维修已完成")
    # Then 张女士 reads his words on her order, and her timeline names him, never an id
    zhang = open_app("res_zhang", viewport=PHONE)
    zhang.goto(zhang.url.split("#")[0] + f"#/order/{order_id}")
    expect(zhang.locator("#work-note")).to_have_text("阀门芯松了，已拧紧，不用换件")
    timeline = zhang.locator("ol.timeline")
    expect(timeline).to_contain_text("孙师傅")
    expect(timeline).to_contain_text("邻里平台")
    assert "tech_sun" not in timeline.inner_text() and "res_zhang" not in timeline.inner_text()
    assert sun.errors == [] and zhang.errors == []


def test_the_resident_reads_the_companies_credit_from_the_home_screen(open_app):
    from supervision.domain.records import Company
    from supervision.store import company_records

    # a company still waiting for admission (the demo's co_anle may have been admitted by another test by now)
    company_records.put_company(Company(company_id="co_e2e_pending", name="待审物业服务有限公司", status="pending"))
    wang = open_app("res_wang", viewport=PHONE)
    wang.get_by_role("link", name="物业公司信用").click()
    expect(wang.locator("h1")).to_have_text("物业公司信用")
    tongyuan = wang.locator('.company[data-company="co_tongyuan"]')
    expect(tongyuan).to_contain_text("通苑物业服务有限公司")
    expect(tongyuan.locator(".score")).to_have_text(re.compile(r"^\d+\.\d$"))
    expect(tongyuan).to_contain_text("评价")
    expect(tongyuan).to_contain_text("近 90 天：服务")
    expect(wang.locator('.company[data-company="co_e2e_pending"]')).to_have_count(0)  # not admitted: not listed
    wang.get_by_text("信用分怎么算").click()
    expect(wang.locator("#formula-text")).to_be_visible()
    expect(wang.locator("#formula-text")).to_contain_text("信用分 = 100")
    wang.get_by_role("button", name="English").click()
    expect(wang.locator("h1")).to_have_text("Companies' credit")
    assert wang.errors == []


def test_the_doorstep_check_the_code_he_says_her_check_and_a_mismatch_pausing_the_order(open_app, sandbox):
    # Given 李大爷's blocked drain (葛布店北里), accepted by whichever plumber nearby was offered it
    u, li = sandbox.url, token(sandbox, "res_li")
    body = {"type": "emergency", "category": "plumbing", "description": "下水道堵了", "address_id": "addr_li_home"}
    order_id = requests.post(f"{u}/orders", json=body, headers=li, timeout=10).json()["order_id"]

    def offered():
        for tech in ("tech_qian", "tech_sun"):
            offers = requests.get(f"{u}/offers", headers=token(sandbox, tech), timeout=10).json()["offers"]
            found = next((o for o in offers if o["order_id"] == order_id), None)
            if found:
                return tech, found["offer_id"]
        return None

    tech, offer_id = wait_for(offered, what="an offer to a plumber")
    assert requests.post(f"{u}/offers/{offer_id}/accept", headers=token(sandbox, tech), timeout=10).status_code == 200
    code = requests.get(f"{u}/orders/{order_id}", headers=li, timeout=10).json()["order_code"]
    # When he sets off, his app shows the code he will say
    worker = open_app(tech, viewport=PHONE)
    job = worker.locator(f'.job[data-order="{order_id}"]')
    expect(job.locator(".say-code")).to_have_count(0)
    job.locator("button.en-route").click()
    expect(job.locator(".say-code .door-code")).to_have_text(code)
    # And 李大爷 sees the same code with the two answers; he presses "对不上"
    resident = open_app("res_li", viewport=PHONE)
    resident.goto(resident.url.split("#")[0] + f"#/order/{order_id}")
    expect(resident.locator("#door-code")).to_have_text(code)
    expect(resident.locator("#tech-name")).to_be_visible()
    resident.click("#doorstep-mismatch")
    # Then he is told not to open, and that the order is paused
    expect(resident.locator("#doorstep-paused")).to_contain_text("请不要开门")
    expect(resident.locator("#doorstep-mismatch")).to_have_attribute("aria-pressed", "true")
    # And the technician's app shows the pause
    worker.reload()
    expect(worker.locator(f'.job[data-order="{order_id}"] .paused')).to_contain_text("订单已暂停")
    # When the right man is at the door after all, "对上了" lifts it
    resident.click("#doorstep-match")
    expect(resident.locator("#doorstep-ok")).to_be_visible()
    assert worker.errors == [] and resident.errors == []


def test_the_resident_asks_for_a_free_rework_from_a_finished_order(open_app, sandbox):
    # Given 王奶奶's light, fixed by 赵师傅 (completed)
    u, zhao = sandbox.url, token(sandbox, "tech_zhao")
    order_id = accepted_order(
        sandbox,
        resident="res_wang",
        address_id="addr_wang_home",
        tech="tech_zhao",
        at=(39.9061, 116.658),
        category="electrical",
        description="卫生间灯不亮",
    )
    assert requests.post(f"{u}/orders/{order_id}/progress", json={"status": "on_site"}, headers=zhao, timeout=10).ok
    lines = {"lines": [{"item_id": "elec_wire_reconnect", "parts": [{"part_id": "wire_connector", "quantity": 2}]}]}
    assert (
        requests.post(f"{u}/orders/{order_id}/completion", json=lines, headers=zhao, timeout=10).json()["status"] == "completed"
    )
    # When the light fails again and she asks for the free re-work on the order's page
    page = open_app("res_wang", viewport=PHONE)
    page.goto(page.url.split("#")[0] + f"#/order/{order_id}")
    page.click("#ask-rework")  # nothing written yet: told what is missing, nothing sent
    expect(page.locator("#alert")).to_contain_text("哪里又不好了")
    page.get_by_label("哪里又不好了").fill("灯又不亮了")
    page.click("#ask-rework")
    # Then she is on the new, free order, which links back to the first
    expect(page.locator("#rework-of")).to_contain_text("保修返修单，免费")
    rework_id = page.url.rsplit("/", 1)[1]
    assert rework_id != order_id
    page.click("#rework-of a")
    expect(page.locator("#reworked-by a")).to_have_attribute("href", f"#/order/{rework_id}")
    assert page.errors == []
