"""Residents and their addresses over the HTTP API: a claim waits for the compound's property company (only a
verified address takes orders, quotes and slots), a household code verifies at once, several residents share a
household, a resident leaves an address, and the property desk registers a resident without a smartphone, who
then signs in with her phone number."""

from __future__ import annotations

import itertools
import time

import requests

from tests.conftest import wait_for

_numbers = itertools.count(int(time.time()) % 1_000_000)
CLAIM = {"compound_id": "cp_649b5f256751", "building": "5", "unit": "2", "room": "301"}
FLAT = {"building": "5", "unit": "2"}


def _bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _new_resident(base: str) -> dict:
    """A new resident signed in with WeChat (the sandbox's fake WeChat server): her tokens."""
    answer = requests.post(f"{base}/auth/wechat", json={"code": f"wx-demo:o_addr_{next(_numbers)}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_new_resident_claims_her_flat_the_property_company_verifies_it_and_she_orders(sandbox, api):
    base = sandbox.url
    tokens = _new_resident(base)
    me = requests.get(f"{base}/me", headers=_bearer(tokens), timeout=10).json()
    resident = me["user_id"]
    assert me["addresses"] == []
    # She claims 西营前街5号楼 2单元 301: pending
    claimed = requests.post(f"{base}/me/addresses", json=CLAIM, headers=_bearer(tokens), timeout=10)
    assert claimed.status_code == 201, claimed.text
    address = claimed.json()
    assert address["status"] == "pending" and address["label"] == "西营前街5号楼2单元301"
    listed = requests.get(f"{base}/me", headers=_bearer(tokens), timeout=10).json()["addresses"]
    assert [(a["address_id"], a["status"]) for a in listed] == [(address["address_id"], "pending")]
    # A pending address takes no order, quote or slot: a clear error says why
    order = {"type": "emergency", "category": "electrical", "description": "灯不亮了", "address_id": address["address_id"]}
    refused = requests.post(f"{base}/orders", json=order, headers=_bearer(tokens), timeout=10)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "address_not_verified"
    assert "物业" in refused.json()["error"]["message"]
    quote = {"category": "electrical", "description": "灯不亮", "address_id": address["address_id"]}
    assert api.call(resident, "resident", "POST", "/quotes", quote).body["error"]["code"] == "address_not_verified"
    slots = api.call(resident, "resident", "GET", f"/slots?category=electrical&address_id={address['address_id']}")
    assert slots.status == 409 and slots.body["error"]["code"] == "address_not_verified"
    # Claiming it again is a conflict
    again = requests.post(f"{base}/me/addresses", json=CLAIM, headers=_bearer(tokens), timeout=10)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_claimed"
    # The compound's property company sees the claim; another company cannot decide it
    queue = api.call("disp_tongyuan", "dispatcher", "GET", "/addresses?limit=100").body["claims"]
    assert address["address_id"] in {c["address_id"] for c in queue}
    verify = f"/addresses/{address['address_id']}/verify"
    assert api.call("disp_jingan", "dispatcher", "POST", verify, {"decision": "approve"}).status == 404
    verified = api.call("disp_tongyuan", "dispatcher", "POST", verify, {"decision": "approve"})
    assert verified.status == 200 and verified.body["status"] == "verified", verified.body
    assert api.call("disp_tongyuan", "dispatcher", "POST", verify, {"decision": "approve"}).status == 409
    # And she orders
    placed = requests.post(f"{base}/orders", json=order, headers=_bearer(tokens), timeout=10)
    assert placed.status_code == 201, placed.text
    assert placed.json()["address_label"] == "西营前街5号楼2单元301"
    requests.post(f"{base}/orders/{placed.json()['order_id']}/cancel", json={}, headers=_bearer(tokens), timeout=10)


def test_a_refused_claim_says_so_and_may_be_claimed_again(api):
    resident = f"res_addr_{next(_numbers)}"
    from identity.domain.records import User
    from identity.store import accounts

    accounts.put_user(User(user_id=resident, role="resident", name="新居民"))
    claim = CLAIM | {"room": "303"}
    address = api.call(resident, "resident", "POST", "/me/addresses", claim).body
    verify = f"/addresses/{address['address_id']}/verify"
    assert api.call("disp_tongyuan", "dispatcher", "POST", verify, {"decision": "reject"}).status == 400  # a reason
    refused = api.call("disp_tongyuan", "dispatcher", "POST", verify, {"decision": "reject", "reason": "查无此住户"})
    assert refused.status == 200 and (refused.body["status"], refused.body["status_reason"]) == ("rejected", "查无此住户")
    me = api.call(resident, "resident", "GET", "/me").body["addresses"]
    assert [(a["status"], a["status_reason"]) for a in me] == [("rejected", "查无此住户")]
    body = {"type": "emergency", "category": "electrical", "description": "灯不亮了", "address_id": address["address_id"]}
    assert api.call(resident, "resident", "POST", "/orders", body).body["error"]["code"] == "address_not_verified"
    again = api.call(resident, "resident", "POST", "/me/addresses", claim)
    assert again.status == 201 and again.body["status"] == "pending"


def test_a_household_code_verifies_at_once_and_only_once(sandbox, api):
    # The property office hands out a code for a flat of its compound (not for another company's compound)
    made = api.call("disp_tongyuan", "dispatcher", "POST", "/compounds/cp_649b5f256751/household-codes", FLAT | {"room": "305"})
    assert made.status == 201 and len(made.body["code"]) == 8, made.body
    assert (
        api.call("disp_jingan", "dispatcher", "POST", "/compounds/cp_649b5f256751/household-codes", FLAT | {"room": "305"}).status
        == 403
    )
    first, second = _new_resident(sandbox.url), _new_resident(sandbox.url)
    base = sandbox.url
    used = requests.post(
        f"{base}/me/addresses", json={"household_code": made.body["code"].lower()}, headers=_bearer(first), timeout=10
    )
    assert used.status_code == 201 and used.json()["status"] == "verified", used.text
    assert used.json()["label"] == "西营前街5号楼2单元305"
    # One time only
    reused = requests.post(
        f"{base}/me/addresses", json={"household_code": made.body["code"]}, headers=_bearer(second), timeout=10
    )
    assert reused.status_code == 400 and reused.json()["error"]["code"] == "invalid_household_code"
    wrong = requests.post(f"{base}/me/addresses", json={"household_code": "NOPE2345"}, headers=_bearer(second), timeout=10)
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_household_code"
    # A demo household's code (local/demo_data.py) works the same
    demo = requests.post(f"{base}/me/addresses", json={"household_code": "ZC-34-202"}, headers=_bearer(second), timeout=10)
    assert demo.status_code == 201 and demo.json()["label"] == "中仓小区3号楼4单元202"


def test_several_residents_share_a_household_and_one_leaves(api):
    from addresses.store import address_book
    from identity.domain.records import User
    from identity.store import accounts

    mother, daughter = (f"res_hh_{next(_numbers)}" for _ in range(2))
    for user_id in (mother, daughter):
        accounts.put_user(User(user_id=user_id, role="resident", name="同住居民"))
    claim = CLAIM | {"room": "306"}
    ids = [api.call(u, "resident", "POST", "/me/addresses", claim).body["address_id"] for u in (mother, daughter)]
    assert len(set(ids)) == 2
    for address_id in ids:
        assert (
            api.call("disp_tongyuan", "dispatcher", "POST", f"/addresses/{address_id}/verify", {"decision": "approve"}).status
            == 200
        )
    assert {mother, daughter} <= address_book.residents_of_compound("cp_649b5f256751")
    # The daughter moves out: her address goes, her mother's stays
    left = api.call(daughter, "resident", "DELETE", f"/me/addresses/{ids[1]}")
    assert (left.status, left.body) == (200, {"addresses": []})
    assert api.call(daughter, "resident", "GET", "/me").body["addresses"] == []
    assert daughter not in address_book.residents_of_compound("cp_649b5f256751")
    assert [a["status"] for a in api.call(mother, "resident", "GET", "/me").body["addresses"]] == ["verified"]
    # Someone else's address, or one already left: 404
    assert api.call(daughter, "resident", "DELETE", f"/me/addresses/{ids[0]}").status == 404
    assert api.call(daughter, "resident", "DELETE", f"/me/addresses/{ids[1]}").status == 404


def test_bad_claims_get_a_clear_error_and_store_nothing(api):
    from addresses.store import address_book
    from identity.domain.records import User
    from identity.store import accounts

    resident = f"res_bad_{next(_numbers)}"
    accounts.put_user(User(user_id=resident, role="resident", name="新居民"))
    for body, status in (
        ({"compound_id": "cp_nowhere", "building": "5", "unit": "2", "room": "301"}, 400),
        (CLAIM | {"room": "3 01"}, 400),
        (CLAIM | {"room": "<b>"}, 400),
        ({"compound_id": "cp_649b5f256751", "building": "5"}, 422),
        (CLAIM | {"extra": 1}, 422),
    ):
        answer = api.call(resident, "resident", "POST", "/me/addresses", body)
        assert answer.status == status and answer.body["error"]["code"] == "validation_error", (body, answer.body)
        assert answer.body["error"]["message"] and answer.body["error"]["message_en"]
    assert address_book.list_addresses(resident) == []


def test_the_desk_registers_a_resident_without_a_smartphone_who_later_signs_in_by_sms(sandbox, api):
    from identity.store import accounts

    phone = f"136{next(_numbers) % 100_000_000:08d}"
    body = {"name": "赵奶奶", "phone": phone} | CLAIM | {"room": "402"}
    registered = api.call("disp_tongyuan", "dispatcher", "POST", "/residents", body)
    assert registered.status == 201, registered.body
    resident = registered.body["user_id"]
    address = registered.body["address"]
    assert address["status"] == "verified" and address["registered_by"] == "disp_tongyuan"
    # The same number twice: a conflict; another company's compound: refused
    assert api.call("disp_tongyuan", "dispatcher", "POST", "/residents", body).body["error"]["code"] == "phone_taken"
    other = body | {"phone": f"136{next(_numbers) % 100_000_000:08d}"}
    assert api.call("disp_jingan", "dispatcher", "POST", "/residents", other).status == 403
    assert accounts.accounts_with_phone(other["phone"]) == []
    # She signs in with her number and a code by SMS
    base = sandbox.url
    assert requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10).status_code == 202
    messages = wait_for(
        lambda: requests.get(f"{base}/dev/outbox", params={"phone": phone}, timeout=10).json()["messages"], what="the code"
    )
    code = [m["params"]["code"] for m in messages if m["template"] == "login_code"][-1]
    tokens = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": code}, timeout=10)
    assert tokens.status_code == 200, tokens.text
    me = requests.get(f"{base}/me", headers=_bearer(tokens.json()), timeout=10).json()
    assert me["user_id"] == resident and [a["status"] for a in me["addresses"]] == ["verified"]
