"""The sandbox's fake WeChat server answers subscribeMessage.send as WeChat does: its token, openid, template,
refusal, page and field checks with WeChat's errcodes, and it keeps what it took."""

from __future__ import annotations

import json

import pytest

from local.fake_wechat import PREFIX, FakeWeChat

SEND = PREFIX + "/cgi-bin/message/subscribe/send"
TEMPLATE = ("character_string1", "thing2", "phrase3", "time4", "amount5")


@pytest.fixture
def fake() -> tuple[FakeWeChat, str]:
    wx = FakeWeChat(
        app_id="wx1", app_secret="s", templates={"tmpl-a": TEMPLATE}, pages=("pages/order/order",), clock=lambda: 1_800_000_000
    )
    body = json.dumps({"grant_type": "client_credential", "appid": "wx1", "secret": "s"}).encode()
    _, answer = wx.handle("POST", PREFIX + "/cgi-bin/stable_token", body)
    return wx, answer["access_token"]


def _data(**values: str) -> dict:
    good = {
        "character_string1": "LL-4821",
        "thing2": "灯不亮",
        "phrase3": "已处理",
        "time4": "2026年12月4日 15:01",
        "amount5": "80元",
    }
    return {k: {"value": v} for k, v in {**good, **values}.items()}


def _send(fake, token: str, **changes) -> dict:
    body = {"touser": "res_wang", "template_id": "tmpl-a", "page": "pages/order/order?id=o1", "data": _data(), "lang": "zh_CN"}
    body.update(changes)
    status, answer = fake.handle("POST", f"{SEND}?access_token={token}", json.dumps(body, ensure_ascii=False).encode())
    assert status == 200
    return answer


def test_a_valid_message_is_taken_and_kept(fake):
    wx, token = fake
    assert _send(wx, token)["errcode"] == 0
    [kept] = wx.sent("res_wang")
    assert kept == {
        "touser": "res_wang", "template_id": "tmpl-a", "page": "pages/order/order?id=o1", "data": _data(),
        "sent_at": "2027-01-15T08:00:00Z",
    }  # fmt: skip
    assert wx.sent("someone_else") == []


@pytest.mark.parametrize(
    ("changes", "errcode", "what"),
    [
        ({"touser": ""}, 40003, "invalid openid"),
        ({"template_id": "tmpl-unknown"}, 40037, "invalid template_id"),
        ({"page": "pages/nowhere/nowhere"}, 41030, "invalid page"),
        ({"miniprogram_state": "beta"}, 47003, "miniprogram_state"),
        ({"data": _data(thing2="一" * 21)}, 47003, "data.thing2.value invalid"),
        ({"data": _data(character_string1="订单4821")}, 47003, "data.character_string1.value invalid"),
        ({"data": _data(character_string1="x" * 33)}, 47003, "data.character_string1.value invalid"),
        ({"data": _data(phrase3="已处理完毕了")}, 47003, "data.phrase3.value invalid"),
        ({"data": _data(time4="下午三点")}, 47003, "data.time4.value invalid"),
        ({"data": _data(amount5="八十元")}, 47003, "data.amount5.value invalid"),
        ({"data": _data(thing2="")}, 47003, "data.thing2.value is empty"),
        ({"data": {"thing2": {"value": "灯不亮"}}}, 47003, "data.character_string1.value is empty"),
    ],
)
def test_what_wechat_refuses_is_refused_with_its_errcode(fake, changes, errcode, what):
    wx, token = fake
    answer = _send(wx, token, **changes)
    assert answer["errcode"] == errcode and what in answer["errmsg"]
    assert wx.sent() == []


def test_a_refused_template_and_a_dead_or_expired_token(fake):
    wx, token = fake
    wx.refuse("res_wang", "tmpl-a")
    assert _send(wx, token)["errcode"] == 43101
    assert _send(wx, "not-a-token")["errcode"] == 40001
    wx.expire_tokens()
    assert _send(wx, token)["errcode"] == 42001
