"""The supervisor console's onboarding screens in a real browser against the sandbox: a CSV checked by a dry run
with its report row by row, imported, then the compound's contracted company and free-service period set."""

from __future__ import annotations

import time

from tests.e2e.test_apps import accessible, browser, expect, open_app  # noqa: F401 - fixtures and helpers

HEADER = "小区名称,区,街道,楼号,单元,房间号,纬度,经度"


def _file(text: str) -> dict:
    return {"name": "compounds.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + text).encode()}


def test_supervisor_imports_a_csv_and_sets_the_contract_and_free_period(open_app, api):  # noqa: F811 - the fixture
    name = f"浏览器导入小区{int(time.time() * 1000) % 10_000_000}"
    rows = [f"{name},通州区,中仓街道,1,{u},{r},39.9052,116.6571" for u in ("1", "2") for r in ("101", "102")]
    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.get_by_role("link", name="小区", exact=True).click()
    sup.get_by_role("link", name="导入小区（CSV）").click()

    # a file with a bad row: the dry run's report names its row, column and reason; nothing can be imported
    sup.set_input_files("#import-file", _file("\r\n".join([HEADER, *rows, f"{name},通州区,中仓街道,1,1,,39.9,116.6"]) + "\r\n"))
    sup.get_by_role("button", name="检查（试运行）").click()
    expect(sup.locator('#import-report tr[data-row="6"]')).to_contain_text("room：不能为空")
    expect(sup.locator('#import-report tr[data-status="accepted"]')).to_have_count(4)
    expect(sup.locator("#import-report .verdict")).to_contain_text("1 行有误")
    expect(sup.get_by_role("button", name="导入", exact=True)).to_be_disabled()
    accessible(sup, "import report with a refused row")

    # the corrected file: checked, then imported
    sup.set_input_files("#import-file", _file("\r\n".join([HEADER, *rows]) + "\r\n"))
    sup.get_by_role("button", name="检查（试运行）").click()
    expect(sup.locator("#import-report .verdict")).to_contain_text("检查通过：4 行可导入（试运行，未保存）")
    sup.get_by_role("button", name="导入", exact=True).click()
    expect(sup.locator("#import-report .verdict")).to_contain_text("已导入：4 行")

    # the compound in the list, then its contract and free-service period
    sup.get_by_role("link", name="← 返回小区列表").click()
    sup.get_by_role("link", name=name).click()
    expect(sup.locator("#compound-counts")).to_contain_text("1 栋楼，2 个单元，4 户")
    expect(sup.locator("#compound-terms")).to_contain_text("正常收费")
    sup.fill("#contract-company", "co_tongyuan")
    sup.fill("#contract-from", "2026-01-01")
    sup.get_by_role("button", name="保存合同").click()
    expect(sup.locator("#compound-terms")).to_contain_text("合同物业：co_tongyuan")
    sup.fill("#free-from", "2026-01-01")
    sup.fill("#free-to", "2027-12-31")
    sup.fill("#free-funder", "通州区住建委")
    sup.get_by_role("button", name="保存免费期").click()
    expect(sup.locator("#compound-terms")).to_contain_text("免费期 2026-01-01 至 2027-12-31（通州区住建委）")
    expect(sup.locator("#compound-versions li")).to_have_count(2)
    accessible(sup, "compound with its contract and free period")
    assert not sup.errors

    listed = {c["name"]: c for c in api.call("sup_tongzhou", "supervisor", "GET", f"/compounds?q={name}").body["compounds"]}
    assert listed[name]["contract"]["company_id"] == "co_tongyuan" and listed[name]["free_service"]["funded_by"] == "通州区住建委"


def test_a_resident_sees_who_funds_the_free_repair_of_the_pilot(open_app):  # noqa: F811 - the fixture
    wang = open_app("res_wang")
    wang.click("a[data-type=emergency]")
    wang.get_by_label("电路 / 灯").check()
    wang.get_by_role("button", name="灯不亮").click()
    wang.click("#get-quote")
    expect(wang.locator(".quote .price")).to_have_text("免费")
    expect(wang.locator(".quote")).to_contain_text("由通州区住房和城乡建设委员会（老旧小区维修试点）出资（至 ")
    accessible(wang, "free quote with its funder")
