"""The apps for addresses and staff records in a real browser. The resident's claim screen: 李丽 (a demo resident without
an address of her own) searches her compound, picks building, unit and flat on large buttons (only those the compound
has), sends the claim and sees it pending; the property company verifies it and she sees it verified; a household code
adds an address verified at once; she leaves both again. The back office verifies claims, makes household codes,
registers a resident at the desk and sends a certificate renewal; the supervisor approves a renewal."""

from __future__ import annotations

import re

import requests

from tests.e2e.test_apps import accessible, browser, expect, open_app, token  # noqa: F401, F811 - fixtures

RESIDENT = "res_lili"


def _claim_id(sandbox, label: str) -> str:
    me = requests.get(f"{sandbox.url}/me", headers=token(sandbox, RESIDENT), timeout=10).json()
    return next(a["address_id"] for a in me["addresses"] if a["label"] == label)


def test_a_resident_claims_her_flat_on_large_targets_and_sees_it_pending_then_verified(open_app, sandbox):  # noqa: F811
    page = open_app(RESIDENT)
    page.click("#addresses-link")
    expect(page.locator("#view h1")).to_have_text("我的地址")
    accessible(page, "my addresses: none yet")
    # Compound search, then building / unit / flat
    page.get_by_label("1. 小区名称（输入几个字后点“查找”）").fill("西营")
    page.click("#compound-search")
    expect(page.get_by_label("西营前街")).to_be_checked()  # the only match is chosen
    # Its buildings, then the units of the chosen building, then its flats: only what the compound has
    buildings = page.get_by_role("group", name="2. 楼号")
    expect(buildings.locator("label.choice")).to_have_text(["5号楼", "7号楼"])
    expect(page.get_by_role("group", name="3. 单元")).to_have_count(0)
    buildings.get_by_label("5号楼").check()
    units = page.get_by_role("group", name="3. 单元")
    expect(units.locator("label.choice")).to_have_text(["1单元", "2单元"])
    units.get_by_label("2单元").check()
    rooms = page.get_by_role("group", name="4. 门牌号")
    expect(rooms.locator("label.choice")).to_have_text(["101", "102", "201", "202", "301", "302", "501", "502"])
    expect(page.locator("#claim-building, #claim-unit, #claim-room")).to_have_count(0)  # no typing
    rooms.get_by_label("301", exact=True).check()
    expect(buildings.get_by_label("5号楼")).to_be_checked()
    for selector in ("#claim-submit", "#code-submit", "#claim-pickers label.choice"):
        for box in (b.bounding_box() for b in page.locator(selector).all()):
            assert box["height"] >= 60 and box["width"] >= 60, (selector, box)
    box = page.locator("#compound-search").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#claim-pickers label.choice span')).fontSize)")
    assert font >= 18, font
    accessible(page, "my addresses: building, unit and flat chosen")
    page.click("#claim-submit")
    card = page.locator("#my-addresses li", has_text="西营前街5号楼2单元301")
    expect(card.locator(".address-status")).to_have_text("等待物业核实")
    assert float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.address-status')).fontSize)")) >= 18
    accessible(page, "my addresses: pending")
    # A pending address is not offered in the order form
    page.click("a[href='#/']")
    page.click("a[data-type=emergency]")
    # (she may act for 王奶奶 after the family test: then the form starts with 王奶奶's addresses)
    expect(page.locator("#view h1")).to_be_visible()
    expect(page.locator("#view")).to_contain_text(re.compile("您还没有已核实的地址|为谁下单"))
    expect(page.get_by_label("西营前街5号楼2单元301")).to_have_count(0)
    # The property company verifies it: she sees it verified
    address_id = _claim_id(sandbox, "西营前街5号楼2单元301")
    verified = requests.post(
        f"{sandbox.url}/addresses/{address_id}/verify",
        json={"decision": "approve"},
        headers=token(sandbox, "disp_tongyuan"),
        timeout=10,
    )
    assert verified.status_code == 200, verified.text
    page.goto(f"{sandbox.url}/app/resident/#/addresses")
    expect(card.locator(".address-status")).to_have_text("已核实，可以下单")
    # A household code adds an address verified at once
    page.get_by_label("输入住户码，地址马上生效").fill("XYQ-52-401")
    page.click("#code-submit")
    coded = page.locator("#my-addresses li", has_text="西营前街5号楼2单元401")
    expect(coded.locator(".address-status")).to_have_text("已核实，可以下单")
    accessible(page, "my addresses: verified")
    # A wrong code says so clearly
    page.get_by_label("输入住户码，地址马上生效").fill("NOPE2345")
    page.click("#code-submit")
    expect(page.locator("#alert")).to_contain_text("住户码不正确")
    # She leaves both (the demo world stays as it was for the other browser tests)
    page.on("dialog", lambda d: d.accept())
    for label in ("西营前街5号楼2单元301", "西营前街5号楼2单元401"):
        page.locator("#my-addresses li", has_text=label).get_by_role("button", name="不再使用这个地址").click()
        expect(page.locator("#my-addresses li", has_text=label)).to_have_count(0)
    assert not page.errors


def test_a_compound_without_imported_households_takes_the_flat_as_typed(open_app, sandbox):  # noqa: F811
    import time

    from compounds.domain.records import Compound
    from compounds.store import compound_records

    n = time.time_ns() % 1_000_000
    name = f"旧档小区{n}"
    compound_records.put_compound(
        Compound(
            compound_id=f"cp_old{n}",
            name=name,
            name_en=f"Old Records {n}",
            lat=39.9,
            lng=116.66,
            contracted_company_id="co_tongyuan",
        )
    )
    page = open_app(RESIDENT)
    page.goto(f"{sandbox.url}/app/resident/#/addresses")
    page.get_by_label("1. 小区名称（输入几个字后点“查找”）").fill(name)
    page.click("#compound-search")
    expect(page.get_by_label(name)).to_be_checked()
    expect(page.locator("#claim-pickers")).to_have_count(0)
    page.get_by_label("2. 楼号").fill("3")
    page.get_by_label("3. 单元").fill("1")
    page.get_by_label("4. 门牌号").fill("202")
    for selector in ("#claim-building", "#claim-unit", "#claim-room"):
        box = page.locator(selector).bounding_box()
        assert box["height"] >= 60 and box["width"] >= 60, (selector, box)
    accessible(page, "my addresses: a compound typed in")
    page.click("#claim-submit")
    label = f"{name}3号楼1单元202"
    expect(page.locator("#my-addresses li", has_text=label).locator(".address-status")).to_have_text("等待物业核实")
    page.on("dialog", lambda d: d.accept())
    page.locator("#my-addresses li", has_text=label).get_by_role("button", name="不再使用这个地址").click()
    expect(page.locator("#my-addresses li", has_text=label)).to_have_count(0)
    assert not page.errors


def test_the_back_office_verifies_a_claim_makes_a_household_code_and_registers_a_resident(open_app, sandbox):  # noqa: F811
    import itertools
    import time

    from addresses.store import address_book
    from identity.domain.records import User
    from identity.store import accounts
    from tests.conftest import Api

    api = Api(sandbox)
    n = next(itertools.count(int(time.time()) % 1_000_000))
    resident = f"res_desk_e2e{n}"
    accounts.put_user(User(user_id=resident, role="resident", name="孙阿姨"))
    claim = {"compound_id": "cp_39b170928058", "building": "12", "unit": "1", "room": "602"}
    address_id = api.call(resident, "resident", "POST", "/me/addresses", claim).body["address_id"]

    office = open_app("disp_tongyuan", viewport={"width": 1280, "height": 900})
    office.get_by_role("link", name="住户", exact=True).click()
    row = office.locator(f'#claims li[data-address="{address_id}"]')
    expect(row).to_contain_text("孙阿姨")
    expect(row).to_contain_text("葛布店北里12号楼1单元602")
    accessible(office, "back office: residents")
    row.get_by_role("button", name="核实通过").click()
    expect(office.locator("#residents-result")).to_contain_text("已核实：孙阿姨")
    assert address_book.get_address(resident, address_id).status == "verified"

    # A household code for a flat of its compound, shown once
    office.fill("#code-compound-q", "葛布店")
    office.click("#code-compound-find")
    expect(office.locator("#code-compound")).to_have_value("cp_39b170928058")
    office.fill("#code-building", "12")
    office.fill("#code-unit", "1")
    office.fill("#code-room", "603")
    office.locator("#household-code").get_by_role("button", name="生成").click()
    expect(office.locator("#code-made")).to_contain_text("住户码：")
    code = office.locator("#code-made").inner_text().split("：", 1)[1][:8]
    used = api.call(resident, "resident", "POST", "/me/addresses", {"household_code": code})
    assert used.status == 201 and used.body["label"] == "葛布店北里12号楼1单元603", used.body

    # A resident without a smartphone, registered at the desk
    phone = f"137{n % 100_000_000:08d}"
    office.fill("#resident-name", "钱奶奶")
    office.fill("#resident-phone", phone)
    office.fill("#resident-compound-q", "葛布店")
    office.click("#resident-compound-find")
    expect(office.locator("#resident-compound")).to_have_value("cp_39b170928058")
    office.fill("#resident-building", "12")
    office.fill("#resident-unit", "1")
    office.fill("#resident-room", "604")
    office.get_by_role("button", name="登记", exact=True).click()
    expect(office.locator("#residents-result")).to_contain_text("已登记住户：钱奶奶")
    [account] = accounts.accounts_with_phone(phone)
    [address] = address_book.list_addresses(account.user_id)
    assert (account.role, address.status, address.registered_by) == ("resident", "verified", "disp_tongyuan")
    assert not office.errors


def test_a_supervisor_approves_a_certificate_renewal_in_the_vetting_queue(open_app, sandbox):  # noqa: F811
    import json

    import requests as http

    from identity.domain.records import Certificate, User
    from identity.store import accounts
    from tests.conftest import Api

    api = Api(sandbox)
    tech = f"tech_renew_e2e{int(time_ns() % 1_000_000)}"
    accounts.put_user(
        User(
            user_id=tech,
            role="technician",
            name="周师傅",
            company_id="co_tongyuan",
            skills=["plumbing"],
            suspended_skills=["electrical"],
            certificates=[Certificate(kind="electrician_low_voltage", expires_on="2026-01-01")],
        )
    )
    doc = api.call(
        "disp_tongyuan",
        "dispatcher",
        "POST",
        "/documents",
        {"kind": "certificate", "filename": "new.pdf", "content_type": "application/pdf", "size": len(b"%PDF-1.4 renewed")},
    ).body
    assert http.put(doc["upload_url"], data=b"%PDF-1.4 renewed", headers=doc["headers"], timeout=10).status_code == 200
    cert = {"kind": "electrician_low_voltage", "issuer": "北京市应急管理局", "number": "T-RENEW-E2E", "expires_on": "2099-06-30"}
    submitted = api.call(
        "disp_tongyuan", "dispatcher", "POST", f"/technicians/{tech}/certificates", cert | {"document_id": doc["document_id"]}
    )
    assert submitted.status == 201, json.dumps(submitted.body)

    sup = open_app("sup_tongzhou", viewport={"width": 1280, "height": 900})
    sup.get_by_role("link", name="准入审核", exact=True).click()
    card = sup.locator(f'.vet[data-renewal="{submitted.body["renewal_id"]}"]')
    expect(card).to_contain_text("T-RENEW-E2E")
    expect(card.locator("a[data-document]")).to_have_count(1)
    accessible(sup, "vetting: a renewal waiting")
    card.get_by_role("button", name="批准换证").click()
    expect(sup.locator("#vetting-result")).to_contain_text("换证已批准：T-RENEW-E2E")
    stored = accounts.get_user(tech)
    assert sorted(stored.skills) == ["electrical", "plumbing"] and stored.suspended_skills == []
    assert not sup.errors


def time_ns() -> int:
    import time

    return time.time_ns() // 1000


def test_the_company_sends_a_certificate_renewal_with_its_scan(open_app, sandbox):  # noqa: F811
    from identity.domain.records import Certificate, User
    from identity.store import accounts
    from supervision.store import staff_records

    tech = f"tech_renew_office{time_ns() % 1_000_000}"
    accounts.put_user(
        User(
            user_id=tech,
            role="technician",
            name="吴师傅",
            company_id="co_jingan",
            skills=[],
            suspended_skills=["electrical"],
            certificates=[Certificate(kind="electrician_low_voltage", expires_on="2026-01-01")],
        )
    )
    office = open_app("disp_jingan", viewport={"width": 1280, "height": 900})
    office.get_by_role("link", name="师傅", exact=True).click()
    form = office.locator("#renew-certificate")
    form.get_by_label("师傅").select_option(tech)
    form.get_by_label("证书", exact=True).select_option("electrician_low_voltage")
    form.get_by_label("证书编号").fill("T-OFFICE-RENEW")
    form.get_by_label("发证机关").fill("北京市应急管理局")
    form.get_by_label("发证日期").fill("2026-11-01")
    form.get_by_label("有效期至（含当天）").fill("2032-11-01")
    form.get_by_label("新证书扫描件（必交）").set_input_files(
        {"name": "新电工证.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 new"}
    )
    accessible(office, "back office: renewal form")
    form.get_by_role("button", name="提交换证").click()
    expect(office.locator("#staff-result")).to_contain_text("换证申请已提交")
    pending = [r for r in staff_records.renewals_by_status("pending")[0] if r.technician_id == tech]
    assert [(r.certificate.number, r.issued_on, r.certificate.expires_on) for r in pending] == [
        ("T-OFFICE-RENEW", "2026-11-01", "2032-11-01")
    ]
    assert pending[0].certificate.document_id
    assert not office.errors
