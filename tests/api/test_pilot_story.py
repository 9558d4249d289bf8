"""The pilot from nothing, as the district office and a resident would take it, in one story over the HTTP API:
the three pilot compounds imported from the CSV (a dry run first), their property company and free period set, a
new resident signs in with WeChat, binds her phone, claims 西营前街5号楼2单元301, the property company verifies it,
and her free repair order reaches matching."""

from __future__ import annotations

import time
from pathlib import Path

import requests

from tests.api.test_compounds_api import SUP, upload

PILOT_CSV = Path(__file__).resolve().parents[2] / "local" / "demo_compounds.csv"
PILOT_NAMES = ("葛布店北里", "西营前街", "中仓小区")


def test_the_pilot_from_the_csv_to_a_new_residents_first_order(sandbox, api):
    run = int(time.time() * 1000) % 10_000_000
    base = sandbox.url
    # The pilot's file, under names of this run's own (the sandbox's demo already holds the original three; the run's
    # number goes after the first character, so that a search for any part of an original name finds the original alone)
    text = PILOT_CSV.read_text(encoding="utf-8-sig")
    renamed = {name: f"{name[:1]}{run}{name[1:]}" for name in PILOT_NAMES}
    for name, new_name in renamed.items():
        text = text.replace(f"{name},", f"{new_name},")
    names = list(renamed.values())

    # A supervisor imports it: the dry run reports every row and stores nothing, then the import stores them all
    dry = upload(api, "\ufeff" + text, "?dry_run=true")
    assert dry.status == 200 and dry.body["valid"] is True and dry.body["written"] is False, dry.body
    assert dry.body["rows_refused"] == 0 and dry.body["rows_accepted"] == text.count("\n") - 1
    done = upload(api, "\ufeff" + text)
    assert done.status == 200 and done.body["written"] is True, done.body
    compounds = {c["name"]: c["compound_id"] for c in done.body["compounds"]}
    assert set(compounds) == set(names)
    listed = {c["name"] for c in api.call(*SUP, "GET", f"/compounds?q={run}").body["compounds"]}
    assert set(names) <= listed

    # She sets each compound's property company, and a free period for the pilot
    free = {"from": "2026-01-01", "to": "2099-12-31", "funded_by": "通州区住建委"}
    for cid in compounds.values():
        contract = {"company_id": "co_tongyuan", "from": "2026-01-01"}
        assert api.call(*SUP, "PUT", f"/compounds/{cid}/contract", contract).status == 200
        assert api.call(*SUP, "PUT", f"/compounds/{cid}/free-service", free).status == 200
    xiyingqian = compounds[renamed["西营前街"]]
    flat = api.call(*SUP, "GET", f"/compounds/{xiyingqian}").body
    assert flat["contract"]["company_id"] == "co_tongyuan" and flat["free_service"] == free
    building = next(b for b in flat["buildings"] if b["building"] == "5")
    assert "301" in next(u for u in building["units"] if u["unit"] == "2")["rooms"]

    # A new resident signs in with WeChat and binds the phone number WeChat gives her
    signed_in = requests.post(f"{base}/auth/wechat", json={"code": f"wx-demo:o_pilot_{run}"}, timeout=10)
    assert signed_in.status_code == 200, signed_in.text
    bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    phone = f"139{run:08d}"[:11]
    bound = requests.post(f"{base}/auth/wechat/phone", json={"code": f"wx-phone:{phone}"}, headers=bearer, timeout=10)
    assert bound.status_code == 200, bound.text
    assert bound.json()["phone_masked"].endswith(phone[-4:])

    # She claims 西营前街5号楼2单元301: pending, and an order from it is refused with a clear reason
    claim = {"compound_id": xiyingqian, "building": "5", "unit": "2", "room": "301"}
    claimed = requests.post(f"{base}/me/addresses", json=claim, headers=bearer, timeout=10)
    assert claimed.status_code == 201, claimed.text
    address = claimed.json()
    assert address["status"] == "pending" and address["label"] == f"{renamed['西营前街']}5号楼2单元301"
    order = {"type": "emergency", "category": "electrical", "description": "灯不亮了", "address_id": address["address_id"]}
    refused = requests.post(f"{base}/orders", json=order, headers=bearer, timeout=10)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "address_not_verified"

    # The property company the compound is contracted to verifies it
    claims = api.call("disp_tongyuan", "dispatcher", "GET", "/addresses?limit=100").body["claims"]
    assert address["address_id"] in {c["address_id"] for c in claims}
    verified = api.call(
        "disp_tongyuan", "dispatcher", "POST", f"/addresses/{address['address_id']}/verify", {"decision": "approve"}
    )
    assert verified.status == 200 and verified.body["status"] == "verified", verified.body

    # Her quote is free (the pilot's period), and her order is placed and goes to matching
    ask = {"category": "electrical", "description": "灯不亮了", "address_id": address["address_id"]}
    quote = requests.post(f"{base}/quotes", json=ask, headers=bearer, timeout=10)
    assert quote.status_code == 200, quote.text
    assert quote.json()["free_service"] is True and quote.json()["funded_by"] == "通州区住建委"
    placed = requests.post(f"{base}/orders", json=order, headers=bearer, timeout=10)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    assert placed.json()["address_label"] == f"{renamed['西营前街']}5号楼2单元301"

    def reached_matching() -> bool:
        status = requests.get(f"{base}/orders/{order_id}", headers=bearer, timeout=10).json()["status"]
        return status not in ("submitted",)

    deadline = time.time() + 30
    while not reached_matching() and time.time() < deadline:
        time.sleep(0.2)
    seen = requests.get(f"{base}/orders/{order_id}", headers=bearer, timeout=10).json()
    assert seen["status"] in ("matching", "offered", "escalated"), seen["status"]
    assert "matching" in {entry["status"] for entry in seen["timeline"]}, seen["timeline"]
    # The desk of the contracted company sees it in its list
    desk = api.call("disp_tongyuan", "dispatcher", "GET", f"/orders?compound_id={xiyingqian}").body["orders"]
    assert order_id in {o["order_id"] for o in desk}
    requests.post(f"{base}/orders/{order_id}/cancel", json={}, headers=bearer, timeout=10)
