"""Calls from a company's own system: signed with its API key, acting for one of its staff, idempotent."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ApiResult, wait_for
from tests.integration.conftest import documented

sign = documented("sign_linli_request")


ALL_SCOPES = ["offers.read", "offers.answer", "orders.read", "orders.dispatch", "orders.progress", "orders.complete"]


@pytest.fixture
def api_key(world) -> dict:
    created = world.as_dispatcher(
        "POST", "/companies/me/api-keys", {"label": "调度系统 dispatch system", "operations": ALL_SCOPES}
    )
    assert created.status == 201 and created.body["secret"].startswith("lsk_")
    return created.body


def enrol(world, key: dict, staff: str):
    """The staff member lets the key act for him (technicians and dispatchers of the key's company only)."""
    role = "technician" if staff.startswith("tech") else "dispatcher"
    return world.api.call(staff, role, "POST", f"/me/api-keys/{key['key_id']}/enrolment")


def signed(world, key: dict, method: str, path: str, body=None, *, acting_for: str, headers=None, **changes) -> ApiResult:
    """A signed call; the person acted for has enrolled the key (if he may: the tests of scopes call `raw_signed`)."""
    if acting_for not in key.setdefault("_enrolled", set()):
        enrol(world, key, acting_for)
        key["_enrolled"].add(acting_for)
    return raw_signed(world, key, method, path, body, acting_for=acting_for, headers=headers, **changes)


def raw_signed(world, key: dict, method: str, path: str, body=None, *, acting_for: str, headers=None, **changes) -> ApiResult:
    raw = json.dumps(body).encode() if body is not None else b""
    signed_headers = {**sign(key["key_id"], key["secret"], method, path, raw, acting_for), **(headers or {}), **changes}
    response = world.api.sandbox.gateway.handle(method, path, signed_headers, raw)
    return ApiResult(response.status, json.loads(response.body) if response.body else None, response.headers)


def test_keys_are_shown_once_and_listed_without_their_secret(world, api_key):
    [listed] = world.as_dispatcher("GET", "/companies/me/api-keys").body["api_keys"]
    assert listed["key_id"] == api_key["key_id"] and listed["secret"] is None
    assert world.as_resident("POST", "/companies/me/api-keys", {"label": "x", "operations": ["offers.read"]}).status == 403


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
    from identity.domain.records import User
    from identity.store import accounts

    tech = world.add_technician()
    accounts.put_user(User(user_id=f"{tech}_other_co", role="technician", name="别家师傅", company_id="co_elsewhere"))
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


def test_a_captured_request_cannot_be_replayed_by_dressing_up_its_signature_header(world, api_key):
    tech = world.add_technician()
    assert enrol(world, api_key, tech).status == 200
    path = "/partner/offers"
    captured = sign(api_key["key_id"], api_key["secret"], "GET", path, b"", tech)
    assert _raw(world, "GET", path, captured).status == 200
    genuine = captured["Linli-Signature"]
    for dressed in (f"v1=00,{genuine}", f"v1={'ab' * 32}, {genuine}", f"{genuine},v1=ff", f"{genuine}, {genuine}"):
        replay = _raw(world, "GET", path, {**captured, "Linli-Signature": dressed})
        assert replay.status == 401, dressed
    # A fresh request with two values is refused too: one key, one secret, one value
    two = sign(api_key["key_id"], api_key["secret"], "GET", path, b"", tech)
    refused = _raw(world, "GET", path, {**two, "Linli-Signature": f"v1=00,{two['Linli-Signature']}"})
    assert refused.status == 401 and refused.body["error"]["code"] == "invalid_signature"
    # and the nonce stays signed: the same nonce and timestamp are used up, whatever the signature says
    assert _raw(world, "GET", path, two).status == 200


def test_a_key_does_only_what_it_was_given_for_staff_who_enrolled_it_until_it_expires(world, observe):
    from orders.store import orders
    from shared import clock
    from shared.dal import api_keys

    # Given a key a dispatcher made to read and answer offers
    key = world.as_dispatcher("POST", "/companies/me/api-keys", {"label": "抢单", "operations": ["offers.read", "offers.answer"]})
    assert key.status == 201 and key.body["operations"] == ["offers.answer", "offers.read"]
    assert key.body["enrolled"] == [world.dispatcher_id] and key.body["expires_at"] > clock.now_iso()
    key = key.body
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    # The dispatcher alone cannot make it act for a technician: he has to enrol it himself
    refused = raw_signed(world, key, "GET", "/partner/offers", acting_for=tech)
    assert refused.status == 403 and refused.body["error"]["code"] == "key_out_of_scope"
    assert key["key_id"] in [k["key_id"] for k in world.as_technician(tech, "GET", "/me/api-keys").body["api_keys"]]
    assert enrol(world, key, tech).status == 200
    assert raw_signed(world, key, "GET", "/partner/offers", acting_for=tech).status == 200
    # Enrolled, it still does only what it was given: no order reads (the resident's phone), no bills
    for method, path, body in (
        ("GET", f"/partner/orders/{order_id}", None),
        ("GET", "/partner/orders", None),
        ("POST", f"/partner/orders/{order_id}/completion", {"lines": []}),
    ):
        out = raw_signed(world, key, method, path, body, acting_for=tech)
        assert out.status == 403 and out.body["error"]["code"] == "key_out_of_scope", (path, out.body)
    # What it does is recorded with the key's id, beside the technician as the actor
    assert raw_signed(world, key, "POST", f"/partner/offers/{offer_id}/accept", acting_for=tech).status == 200
    observe.wait_status(order_id, "assigned")
    [assigned] = [e for e in orders.get(order_id).timeline if e.status == "assigned"]
    assert assigned.actor == tech and assigned.via == key["key_id"]

    # and in the order's audit chain, where supervisors trace it
    def audited() -> dict | None:
        entries = world.as_supervisor("GET", f"/orders/{order_id}/audit").body["entries"]
        return next((e for e in entries if e["kind"] == "order.assigned"), None)

    entry = wait_for(audited, timeout=30, what="the audit entry of the assignment")
    assert entry["detail"]["via_api_key"] == key["key_id"] and entry["actor"] == tech, entry
    # A technician of another company cannot enrol it; a withdrawal counts at once
    from identity.domain.records import User
    from identity.store import accounts

    outsider = f"{tech}_other_co"
    accounts.put_user(User(user_id=outsider, role="technician", name="别家师傅", company_id="co_elsewhere"))
    assert enrol(world, key, outsider).status == 404
    assert world.as_technician(tech, "DELETE", f"/me/api-keys/{key['key_id']}/enrolment").status == 200
    assert raw_signed(world, key, "GET", "/partner/offers", acting_for=tech).status == 403
    # and past its expiry it works for nobody
    api_keys.set_enrolled(world.company_id, key["key_id"], tech, enrolled=True)
    assert raw_signed(world, key, "GET", "/partner/offers", acting_for=tech).status == 200
    stored = api_keys.get(key["key_id"])
    api_keys.revoke(world.company_id, key["key_id"], clock.now_iso())  # replaced below by an expired copy
    expired = stored.model_copy(update={"key_id": key["key_id"] + "x", "expires_at": "2020-01-01T00:00:00Z", "revoked_at": None})
    api_keys.put(expired)
    gone = raw_signed(world, {**key, "key_id": expired.key_id}, "GET", "/partner/offers", acting_for=tech)
    assert gone.status == 401 and gone.body["error"]["code"] == "key_expired"


def test_a_key_needs_operations_and_a_bounded_life(world):
    base = {"label": "x"}
    assert world.as_dispatcher("POST", "/companies/me/api-keys", base).status == 422
    assert world.as_dispatcher("POST", "/companies/me/api-keys", {**base, "operations": ["everything"]}).status == 422
    too_long = {**base, "operations": ["offers.read"], "expires_in_days": 3650}
    assert world.as_dispatcher("POST", "/companies/me/api-keys", too_long).status == 422


def test_a_key_past_its_calls_a_minute_and_an_address_past_its_failures_are_slowed_down(world, api_key, settings_env):
    tech = world.add_technician()
    assert signed(world, api_key, "GET", "/partner/offers", acting_for=tech).status == 200
    # Per key: a limit of calls a minute, counted only for verified calls (nobody can spend another company's)
    settings_env(partner_calls_per_key_per_minute=1)
    limited = signed(world, api_key, "GET", "/partner/offers", acting_for=tech)
    assert limited.status == 429 and limited.body["error"]["code"] == "rate_limited"
    settings_env(partner_calls_per_key_per_minute=600)
    # Per source address: failed verifications a minute; beyond them the address's signed calls are refused
    import time

    from shared.dal import rate_limits

    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)  # the three calls below in one minute
    failed_before = rate_limits.count("SOURCE#127.0.0.1", now_epoch=int(time.time()))  # other tests' failures
    settings_env(partner_failures_per_source_per_minute=failed_before + 1)
    forged = sign(api_key["key_id"], "lsk_not-the-secret", "GET", "/partner/offers", b"", tech)
    assert _raw(world, "GET", "/partner/offers", forged).status == 401
    blocked = signed(world, api_key, "GET", "/partner/offers", acting_for=tech)
    assert blocked.status == 429 and blocked.body["error"]["code"] == "rate_limited"
    # An unsigned call is refused before any of this (no table read, nothing counted)
    unsigned = world.api.sandbox.gateway.handle("GET", "/partner/offers", {}, b"")
    assert unsigned.status == 401 and json.loads(unsigned.body)["error"]["code"] == "invalid_signature"


def test_the_log_lines_of_a_signed_call_name_its_key(world, api_key):
    import io

    from shared.observability import logger

    tech = world.add_technician()
    captured = io.StringIO()
    stream, level = logger.registered_handler.setStream(captured), logger.log_level
    logger.setLevel("INFO")
    try:
        assert signed(world, api_key, "GET", "/partner/offers", acting_for=tech).status == 200
    finally:
        logger.setLevel(level)
        logger.registered_handler.setStream(stream)
    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.startswith("{")]
    [call] = [line for line in lines if line.get("message") == "signed call"]
    assert call["api_key_id"] == api_key["key_id"] and call["acting_for"] == tech and call["path"] == "/partner/offers"
    # and the key is not left on the lines of the next, unsigned call
    captured = io.StringIO()
    logger.registered_handler.setStream(captured)
    logger.setLevel("INFO")
    try:
        assert world.as_technician(tech, "GET", "/offers").status == 200
    finally:
        logger.setLevel(level)
        logger.registered_handler.setStream(stream)
    assert "api_key_id" not in captured.getvalue()
