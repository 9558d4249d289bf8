"""WeChat subscription messages end to end in the sandbox: the resident's client records the consents
(POST /me/wechat/subscriptions), the order's messages go to the fake WeChat server (GET /dev/wechat/sent) while a
consent is left and by SMS (GET /dev/outbox) otherwise or when WeChat says the resident refused (43101)."""

from __future__ import annotations

import itertools
import json
import time
import urllib.request

import pytest

from notify.domain.wechat_templates import SANDBOX_TEMPLATE_IDS as IDS
from tests.conftest import wait_for

_phones = itertools.count(int(time.time()) % 100_000)


def _get(sandbox, path: str) -> list[dict]:
    with urllib.request.urlopen(f"{sandbox.url}{path}", timeout=5) as response:
        return json.loads(response.read())["messages"]


@pytest.fixture
def resident(sandbox, world):
    """The world's resident signs in with WeChat (an openid of her own) and has a phone for SMS."""
    from identity.store import accounts

    phone, openid = f"139{next(_phones):08d}", f"wx_{world.resident_id}"
    accounts.put_user(accounts.get_user(world.resident_id).model_copy(update={"phone": phone, "wechat_openid": openid}))
    return phone, openid


def _accept_first_offer(world, observe, tech: str, order_id: str) -> None:
    offer_id = observe.wait_offer(world, tech, order_id)
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    observe.wait_status(order_id, "assigned")


def _sms(sandbox, phone: str, order_code: str) -> list[str]:
    return [m["template"] for m in _get(sandbox, f"/dev/outbox?phone={phone}") if m["params"].get("code") == order_code]


def test_a_resident_who_accepted_gets_exactly_one_wechat_message_per_consent(sandbox, world, observe, resident):
    phone, openid = resident
    tech = world.add_technician()
    # Given her client asked three templates and she accepted "accepted" and "done"
    asked = [IDS["order_accepted"], IDS["technician_en_route"], IDS["repair_done"]]
    answer = world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": asked, "accepted": [asked[0], asked[2]]})
    assert answer.status == 200, answer.body
    assert answer.body == {"recorded": 2, "consents": {asked[0]: 1, asked[1]: 0, asked[2]: 1}}
    # When her order is accepted
    order = world.order()
    order_id, code = order["order_id"], order["order_code"]
    _accept_first_offer(world, observe, tech, order_id)
    # Then WeChat has exactly one message for her, of the "accepted" template, opening the order
    [accepted] = wait_for(lambda: _get(sandbox, f"/dev/wechat/sent?openid={openid}"), what="the WeChat message")
    assert accepted["touser"] == openid and accepted["template_id"] == IDS["order_accepted"]
    assert accepted["page"] == f"pages/order/order?id={order_id}"
    assert accepted["data"]["character_string1"] == {"value": code}
    assert accepted["data"]["thing2"] == {"value": "电路/灯"} and accepted["data"]["thing3"]["value"]
    assert "~" in accepted["data"]["time4"]["value"] and accepted["sent_at"].endswith("Z")
    # And her inbox shows it as a WeChat message with its template, and no SMS went for it
    inbox = world.as_resident("GET", "/messages").body["messages"]
    assigned = [m for m in inbox if m["order_id"] == order_id and m["kind"] == "order.assigned"]
    assert [(m["channel"], m["template"]) for m in assigned] == [("wechat", IDS["order_accepted"])]
    assert "order_assigned" not in _sms(sandbox, phone, code)
    # When the technician sets off (no consent for that template) she gets the SMS instead
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "en_route"}).status == 200
    wait_for(lambda: "order_en_route" in _sms(sandbox, phone, code), what="the SMS")
    # And when the repair is done, the second consent carries the "done" message with the amount
    assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "on_site"}).status == 200
    assert (
        world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查水管，已拧紧接头"}).status
        == 200
    )
    sent = wait_for(lambda: [m for m in _get(sandbox, f"/dev/wechat/sent?openid={openid}")[1:]], what="the done message")
    assert [m["template_id"] for m in sent] == [IDS["repair_done"]]
    assert sent[0]["data"]["amount3"]["value"].endswith("元")
    assert [m["template_id"] for m in _get(sandbox, f"/dev/wechat/sent?openid={openid}")] == [
        IDS["order_accepted"],
        IDS["repair_done"],
    ]
    left = world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": asked, "accepted": []}).body
    assert left["consents"] == {asked[0]: 0, asked[1]: 0, asked[2]: 0}


def test_with_no_consent_left_the_resident_gets_an_sms(sandbox, world, observe, resident):
    phone, openid = resident
    tech = world.add_technician()
    order = world.order()
    _accept_first_offer(world, observe, tech, order["order_id"])
    wait_for(lambda: "order_assigned" in _sms(sandbox, phone, order["order_code"]), what="the SMS")
    assert _get(sandbox, f"/dev/wechat/sent?openid={openid}") == []
    inbox = world.as_resident("GET", "/messages").body["messages"]
    assert [(m["channel"], m["template"]) for m in inbox if m["kind"] == "order.assigned"] == [("sms", "order_assigned")]


def test_43101_falls_back_to_sms_and_clears_the_consents(sandbox, world, observe, resident):
    phone, openid = resident
    tech = world.add_technician()
    tmpl = IDS["order_accepted"]
    assert world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": [tmpl], "accepted": [tmpl]}).status == 200
    # Given she then turned the template off in WeChat's settings
    sandbox.wechat.refuse(openid, tmpl)
    order = world.order()
    _accept_first_offer(world, observe, tech, order["order_id"])
    wait_for(lambda: "order_assigned" in _sms(sandbox, phone, order["order_code"]), what="the SMS")
    assert _get(sandbox, f"/dev/wechat/sent?openid={openid}") == []
    left = world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": [tmpl], "accepted": []}).body
    assert left["consents"] == {tmpl: 0}


def test_consents_for_unknown_templates_or_not_asked_are_refused(world, resident):
    tmpl = IDS["order_accepted"]
    unknown = world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": [tmpl, "tmpl-nope"], "accepted": [tmpl]})
    assert unknown.status == 400 and unknown.body["error"]["code"] == "unknown_template"
    assert "tmpl-nope" in unknown.body["error"]["message"]
    stray = world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": [tmpl], "accepted": [IDS["repair_done"]]})
    assert stray.status == 400 and stray.body["error"]["code"] == "accepted_not_asked"
    empty = world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": [], "accepted": []})
    assert empty.status == 422, "the schema (at least one template asked)"
    nothing = world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": [tmpl], "accepted": []})
    assert nothing.body == {"recorded": 0, "consents": {tmpl: 0}}, "the refused requests recorded nothing"
    staff = world.as_dispatcher("POST", "/me/wechat/subscriptions", {"template_ids": [tmpl], "accepted": [tmpl]})
    assert staff.status == 403


def test_wang_nainai_hears_by_wechat_that_her_order_was_accepted_and_done(sandbox, api):
    """The demo story: 王奶奶 (openid res_wang) orders in the mini-program, her client records the templates she
    accepted, and GET /dev/wechat/sent?openid=res_wang has the "accepted" and the "done" messages."""
    from identity.store import accounts
    from local.demo_data import TECHNICIANS

    assert accounts.get_user("res_wang").wechat_openid == "res_wang"
    before = len(_get(sandbox, "/dev/wechat/sent?openid=res_wang"))
    asked = [IDS["order_accepted"], IDS["technician_en_route"], IDS["repair_done"]]
    consent = api.call(
        "res_wang", "resident", "POST", "/me/wechat/subscriptions", {"template_ids": asked, "accepted": [asked[0], asked[2]]}
    )
    assert consent.status == 200, consent.body
    body = {"type": "emergency", "category": "electrical", "description": "灯不亮", "address_id": "addr_wang_home"}
    placed = api.call("res_wang", "resident", "POST", "/orders", body)
    assert placed.status == 201, placed.body
    order_id = placed.body["order_id"]
    for tech in TECHNICIANS:  # whoever the order is offered to (the demo technicians near her) accepts it
        api.call(
            tech.user_id, "technician", "PUT", "/technicians/me/availability", {"on_duty": True, "lat": 39.9061, "lng": 116.658}
        )

    def offered() -> tuple[str, str] | None:
        for tech in TECHNICIANS:
            offers = api.call(tech.user_id, "technician", "GET", "/offers").body.get("offers", [])
            found = next((o["offer_id"] for o in offers if o["order_id"] == order_id), None)
            if found:
                return tech.user_id, found
        return None

    tech_id, offer_id = wait_for(offered, what="an offer")
    assert api.call(tech_id, "technician", "POST", f"/offers/{offer_id}/accept").status == 200
    for step in ("en_route", "on_site"):
        assert api.call(tech_id, "technician", "POST", f"/orders/{order_id}/progress", {"status": step}).status == 200
    assert (
        api.call(
            tech_id, "technician", "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查水管，已拧紧接头"}
        ).status
        == 200
    )

    def hers() -> list[dict]:
        sent = [m for m in _get(sandbox, "/dev/wechat/sent?openid=res_wang")[before:] if m["page"].endswith(order_id)]
        return sent if len(sent) >= 2 else []

    sent = wait_for(hers, what="the accepted and done messages")
    assert [m["template_id"] for m in sent] == [IDS["order_accepted"], IDS["repair_done"]]
    assert all(m["page"] == f"pages/order/order?id={order_id}" for m in sent)


def test_an_expired_token_is_renewed_and_the_message_still_goes_by_wechat(sandbox, world, observe, resident):
    phone, openid = resident
    tech = world.add_technician()
    tmpl = IDS["order_accepted"]
    assert world.as_resident("POST", "/me/wechat/subscriptions", {"template_ids": [tmpl], "accepted": [tmpl]}).status == 200
    # Given the token every function instance shares has expired at WeChat (as two hours later)
    from notify.service.wechat_token import shared_source

    shared_source().token()
    sandbox.wechat.expire_tokens()
    calls_before = len(sandbox.wechat.calls)
    order = world.order()
    _accept_first_offer(world, observe, tech, order["order_id"])
    [sent] = wait_for(lambda: _get(sandbox, f"/dev/wechat/sent?openid={openid}"), what="the WeChat message")
    assert sent["template_id"] == tmpl and sent["page"].endswith(order["order_id"])
    assert "order_assigned" not in _sms(sandbox, phone, order["order_code"])
    # And it went after WeChat refused the expired token and a new one was fetched
    sends = [route for _, route in sandbox.wechat.calls[calls_before:] if route.endswith(("/send", "/stable_token"))]
    assert sends[:3] == ["/cgi-bin/message/subscribe/send", "/cgi-bin/stable_token", "/cgi-bin/message/subscribe/send"]


def test_a_message_wechat_refuses_otherwise_is_a_dead_letter_and_goes_by_sms(sandbox, world, observe, resident, settings_env):
    phone, openid = resident
    tech = world.add_technician()
    # Given a template id configured for "accepted" that the mini-program never registered (WeChat: 40037)
    settings_env(wechat_template_ids=json.dumps({**IDS, "order_accepted": "tmpl-unregistered"}))
    body = {"template_ids": ["tmpl-unregistered"], "accepted": ["tmpl-unregistered"]}
    assert world.as_resident("POST", "/me/wechat/subscriptions", body).status == 200
    order = world.order()
    _accept_first_offer(world, observe, tech, order["order_id"])
    # Then she is told by SMS, and supervisors see why WeChat did not take it
    wait_for(lambda: "order_assigned" in _sms(sandbox, phone, order["order_code"]), what="the SMS")
    assert _get(sandbox, f"/dev/wechat/sent?openid={openid}") == []

    def dead_letter() -> list[dict]:
        dead = world.as_supervisor("GET", "/ops/dead-letters").body["dead_letters"]
        return [json.loads(d["body"]) for d in dead if d["queue"] == "wechat" and order["order_id"] in d["body"]]

    [letter] = wait_for(dead_letter, what="the dead letter")
    assert (letter["errcode"], letter["template_id"], letter["kind"]) == (40037, "tmpl-unregistered", "order_accepted")
    assert letter["recipient_id"] == world.resident_id and letter["fallback"] == "sms"
    assert "invalid template_id" in letter["errmsg"]
