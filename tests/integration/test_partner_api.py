"""Calls from a company's own system: signed with its API key, acting for one of its staff, idempotent."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ApiResult, wait_for
from tests.integration.conftest import documented

sign = documented("sign_linli_request")


@pytest.fixture
def api_key(world) -> dict:
    created = world.as_dispatcher("POST", "/companies/me/api-keys", {"label": "调度系统 dispatch system"})
    assert created.status == 201 and created.body["secret"].startswith("lsk_")
    return created.body


def signed(world, key: dict, method: str, path: str, body=None, *, acting_for: str, headers=None, **changes) -> ApiResult:
    raw = json.dumps(body).encode() if body is not None else b""
    signed_headers = {**sign(key["key_id"], key["secret"], method, path, raw, acting_for), **(headers or {}), **changes}
    response = world.api.sandbox.gateway.handle(method, path, signed_headers, raw)
    return ApiResult(response.status, json.loads(response.body) if response.body else None, response.headers)


def test_keys_are_shown_once_and_listed_without_their_secret(world, api_key):
    [listed] = world.as_dispatcher("GET", "/companies/me/api-keys").body["api_keys"]
    assert listed["key_id"] == api_key["key_id"] and listed["secret"] is None
    assert world.as_resident("POST", "/companies/me/api-keys", {"label": "x"}).status == 403


def test_the_company_system_takes_an_offer_and_finishes_the_job_for_its_technician(world, observe, api_key):
    # Given an offer to one of the company's technicians
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    # When the company's system sees it and accepts it for him
    offers = signed(world, api_key, "GET", "/partner/offers", acting_for=tech)
    assert offers.status == 200 and offer_id in [o["offer_id"] for o in offers.body["offers"]]
    assert signed(world, api_key, "POST", f"/partner/offers/{offer_id}/accept", acting_for=tech).status == 200
    # Then the order is his, recorded as his act, and the system can carry it to completion
    observe.wait_status(order_id, "assigned")
    for step in ("en_route", "on_site"):
        assert (
            signed(world, api_key, "POST", f"/partner/orders/{order_id}/progress", {"status": step}, acting_for=tech).status
            == 200
        )
    done = signed(
        world,
        api_key,
        "POST",
        f"/partner/orders/{order_id}/completion",
        {"lines": [], "note": "检查了线路，接头松了，已拧紧"},
        acting_for=tech,
    )
    assert done.status == 200, done.body
    order = observe.wait_status(order_id, "completed")
    assert order.technician_id == tech and any(e.actor == tech and e.status == "assigned" for e in order.timeline)


def test_a_stale_a_replayed_or_a_tampered_request_is_refused(world, api_key):
    tech = world.add_technician()
    path = "/partner/offers"
    stale = signed(world, api_key, "GET", path, acting_for=tech, **{"Linli-Timestamp": "1700000000"})
    assert stale.status == 401 and stale.body["error"]["code"] in ("stale_signature", "invalid_signature")
    raw_headers = sign(api_key["key_id"], api_key["secret"], "GET", path, b"", tech)
    old = sign(api_key["key_id"], api_key["secret"], "GET", path, b"", tech)
    old["Linli-Timestamp"] = str(int(old["Linli-Timestamp"]) - 400)
    from shared import signing

    payload = signing.signed_request(int(old["Linli-Timestamp"]), old["Linli-Nonce"], "GET", path, tech, b"")
    old["Linli-Signature"] = f"v1={signing.sign(api_key['secret'], payload)}"  # genuinely signed, 400 s ago
    assert _raw(world, "GET", path, old).body["error"]["code"] == "stale_signature"
    first, again = _raw(world, "GET", path, raw_headers), _raw(world, "GET", path, raw_headers)
    assert first.status == 200 and again.status == 401 and again.body["error"]["code"] == "signature_reused"
    body = json.dumps({"status": "en_route"}).encode()
    headers = sign(api_key["key_id"], api_key["secret"], "POST", "/partner/orders/x/progress", body, tech)
    tampered = world.api.sandbox.gateway.handle(
        "POST", "/partner/orders/x/progress", headers, body.replace(b"en_route", b"on_site")
    )
    assert tampered.status == 401 and json.loads(tampered.body)["error"]["code"] == "invalid_signature"
    unsigned = world.api.sandbox.gateway.handle("GET", path, {}, b"")
    assert unsigned.status == 401
    # Whom the call acts for is signed too: swapping the person breaks the signature.
    other = world.add_technician(metres_east=150)
    swapped = {**sign(api_key["key_id"], api_key["secret"], "GET", path, b"", tech), "Linli-On-Behalf-Of": other}
    assert _raw(world, "GET", path, swapped).body["error"]["code"] == "invalid_signature"


def _raw(world, method, path, headers) -> ApiResult:
    response = world.api.sandbox.gateway.handle(method, path, headers, b"")
    return ApiResult(response.status, json.loads(response.body) if response.body else None, response.headers)


def test_a_company_may_act_only_for_its_own_active_staff(world, observe, api_key):
    from shared.dal import people
    from shared.records import User

    tech = world.add_technician()
    people.put_user(User(user_id=f"{tech}_other_co", role="technician", name="别家师傅", company_id="co_elsewhere"))
    for who, status in ((f"{tech}_other_co", 403), (world.resident_id, 403), ("nobody_at_all", 403)):
        assert signed(world, api_key, "GET", "/partner/offers", acting_for=who).status == status
    # and acting for a technician gives exactly his rights: not another technician's offer
    other = world.add_technician(metres_east=150)
    order_id = world.order()["order_id"]
    offer_id = wait_for(lambda: _offer_to_any(world, order_id, (tech, other)), what="an offer")
    owner, stranger = (tech, other) if offer_id[1] == tech else (other, tech)
    refused = signed(world, api_key, "POST", f"/partner/offers/{offer_id[0]}/accept", acting_for=stranger)
    assert refused.status == 403


def _offer_to_any(world, order_id, techs):
    for tech in techs:
        for offer in world.as_technician(tech, "GET", "/offers").body["offers"]:
            if offer["order_id"] == order_id:
                return offer["offer_id"], tech
    return None


def test_a_revoked_key_stops_working_at_once(world, api_key):
    tech = world.add_technician()
    assert signed(world, api_key, "GET", "/partner/offers", acting_for=tech).status == 200
    assert world.as_dispatcher("DELETE", f"/companies/me/api-keys/{api_key['key_id']}").status == 200
    assert signed(world, api_key, "GET", "/partner/offers", acting_for=tech).status == 401


def test_the_same_accept_retried_ten_times_with_one_idempotency_key_has_one_effect(world, observe, api_key):
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    # Each retry is signed anew (a signature is single-use) but carries the same Idempotency-Key.
    results = [
        signed(
            world, api_key, "POST", f"/partner/offers/{offer_id}/accept", acting_for=tech, headers={"Idempotency-Key": "acc-1"}
        )
        for _ in range(10)
    ]
    assert [r.status for r in results] == [200] * 10
    assert all(r.headers.get("idempotent-replayed") for r in results[1:]) and results[0].body == results[9].body
    observe.wait_status(order_id, "assigned")
    order = observe.order(order_id)
    assert [e.status for e in order.timeline].count("assigned") == 1
    # Without the key, a second accept is simply refused: the offer is no longer open.
    assert signed(world, api_key, "POST", f"/partner/offers/{offer_id}/accept", acting_for=tech).status == 409
