"""The sandbox's fake WeChat server API (local/fake_wechat.py) on its own clock: WeChat's shapes and error codes."""

from __future__ import annotations

import json

from local.fake_wechat import PREFIX, FakeWeChat


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _fake(**kwargs) -> tuple[FakeWeChat, Clock]:
    clock = Clock()
    return FakeWeChat(app_id="wxapp", app_secret="s3cret", clock=clock, **kwargs), clock


def _login(fake: FakeWeChat, code: str, secret: str = "s3cret") -> dict:
    query = f"appid=wxapp&secret={secret}&js_code={code}&grant_type=authorization_code"
    status, body = fake.handle("GET", f"{PREFIX}/sns/jscode2session?{query}", b"")
    assert status == 200  # WeChat answers 200, errors included
    return body


def _token(fake: FakeWeChat, force: bool = False) -> dict:
    body = {"grant_type": "client_credential", "appid": "wxapp", "secret": "s3cret", "force_refresh": force}
    return fake.handle("POST", f"{PREFIX}/cgi-bin/stable_token", json.dumps(body).encode())[1]


def test_a_demo_code_is_single_use_for_the_five_minutes_a_code_lives():
    fake, clock = _fake()
    first = _login(fake, "wx-demo:res_wang")
    assert first["openid"] == "res_wang" and first["unionid"] == "union_res_wang" and first["session_key"]
    assert "errcode" not in first
    assert _login(fake, "wx-demo:res_wang")["errcode"] == 40163
    assert _login(fake, "wx-demo:res_wang:other-tail")["openid"] == "res_wang"  # a fresh wx.login() code
    clock.now += 301
    assert _login(fake, "wx-demo:res_wang")["openid"] == "res_wang"
    for bad in ("res_wang", "wx-demo:", "wx-demo:a/b", "wx-phone:13800000001", ""):
        assert _login(fake, bad)["errcode"] == 40029, bad
    assert _login(fake, "wx-demo:res_li", secret="wrong")["errcode"] == 40125


def test_the_rate_limit_is_per_minute():
    fake, clock = _fake(calls_per_minute=2)
    _login(fake, "wx-demo:a")
    _login(fake, "wx-demo:b")
    limited = _login(fake, "wx-demo:c")
    assert limited["errcode"] == 45011 and "rid:" in limited["errmsg"]
    clock.now += 61
    assert _login(fake, "wx-demo:c")["openid"] == "c"


def test_the_stable_token_stays_until_it_expires_or_is_forced():
    fake, clock = _fake()
    first = _token(fake)
    assert first["expires_in"] == 7200
    clock.now += 1000
    again = _token(fake)
    assert again == {"access_token": first["access_token"], "expires_in": 6200}
    forced = _token(fake, force=True)
    assert forced["access_token"] != first["access_token"] and forced["expires_in"] == 7200
    phone = json.dumps({"code": "wx-phone:13800000001"}).encode()
    old = fake.handle("POST", f"{PREFIX}/wxa/business/getuserphonenumber?access_token={first['access_token']}", phone)[1]
    assert old["errcode"] == 40001
    ok = fake.handle("POST", f"{PREFIX}/wxa/business/getuserphonenumber?access_token={forced['access_token']}", phone)[1]
    assert ok["errcode"] == 0 and ok["phone_info"]["purePhoneNumber"] == "13800000001"
    assert ok["phone_info"]["countryCode"] == "86" and ok["phone_info"]["watermark"]["appid"] == "wxapp"
    clock.now += 7201
    phone2 = json.dumps({"code": "wx-phone:13800000002"}).encode()
    expired = fake.handle("POST", f"{PREFIX}/wxa/business/getuserphonenumber?access_token={forced['access_token']}", phone2)
    assert expired[1]["errcode"] == 42001
