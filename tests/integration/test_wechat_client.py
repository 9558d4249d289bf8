"""shared.wechat against a real HTTP server: the sandbox's fake WeChat server API (local/fake_wechat.py), with the
AppID/AppSecret read from (moto's) Secrets Manager as in AWS."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local.fake_wechat import PREFIX, FakeWeChat


class _Server:
    """A FakeWeChat on its own port (so a test may give it its own limits, or make it slow)."""

    def __init__(self, fake: FakeWeChat, delay: float = 0) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                time.sleep(outer.delay)
                status, payload = fake.handle(self.command, self.path, body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.delay = delay
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def wechat(sandbox, monkeypatch) -> Iterator[tuple]:
    """shared.wechat pointed at a fake of its own, which knows the sandbox's AppID/AppSecret (from the secret)."""
    from shared import wechat

    secret = json.loads(
        sandbox.aws.client("secretsmanager").get_secret_value(SecretId="linli/wechat")["SecretString"],
    )
    fake = FakeWeChat(app_id=secret["app_id"], app_secret=secret["app_secret"])
    server = _Server(fake)
    monkeypatch.setenv("LINLI_WECHAT_API_BASE", server.url + PREFIX)
    monkeypatch.setenv("LINLI_WECHAT_TIMEOUT_SECONDS", "1")
    wechat.reset()
    yield wechat, fake, server
    server.close()
    monkeypatch.undo()
    wechat.reset()


def test_a_demo_code_signs_in_as_its_openid_once(wechat):
    client, fake, _ = wechat
    # Given a code as the mini program's wx.login() gives it
    session = client.code_to_session("wx-demo:res_wang")
    # Then it is 王奶奶's openid (and the unionid WeChat adds for an app bound to an open-platform account)
    assert session.openid == "res_wang" and session.unionid == "union_res_wang"
    # And the request was WeChat's: GET /sns/jscode2session with the app's id and secret
    assert fake.calls[-1] == ("GET", "/sns/jscode2session")
    # When the same code comes again, WeChat's 40163 is a refused code
    with pytest.raises(client.WeChatCodeInvalid) as used:
        client.code_to_session("wx-demo:res_wang")
    assert used.value.errcode == 40163
    # And an unknown code is 40029
    with pytest.raises(client.WeChatCodeInvalid) as invalid:
        client.code_to_session("0a3Xyz-not-a-code")
    assert invalid.value.errcode == 40029


def test_a_wrong_app_secret_is_not_a_bad_code_but_an_outage(wechat, monkeypatch):
    client, fake, _ = wechat
    fake.app_secret = "rotated-elsewhere"
    with pytest.raises(client.WeChatUnavailable) as refused:
        client.code_to_session("wx-demo:res_li")
    assert refused.value.errcode == 40125


def test_the_rate_limit_and_a_silent_server_are_unavailable_not_a_bad_code(wechat):
    client, fake, server = wechat
    # Given WeChat's per-minute quota used up
    fake.calls_per_minute = 1
    client.code_to_session("wx-demo:res_li:1")
    with pytest.raises(client.WeChatUnavailable) as limited:
        client.code_to_session("wx-demo:res_li:2")
    assert limited.value.errcode == 45011
    # And a server that answers after the timeout (1 s here)
    fake.calls_per_minute = 600
    server.delay = 1.5
    started = time.monotonic()
    with pytest.raises(client.WeChatUnavailable) as silent:
        client.code_to_session("wx-demo:res_li:3")
    assert silent.value.errcode is None and time.monotonic() - started < 1.4


def test_the_access_token_is_kept_until_shortly_before_it_expires(wechat, monkeypatch):
    client, fake, _ = wechat
    # Given a token WeChat gives for 7200 s
    first = client.access_token()
    assert client.access_token() == first
    assert [c for c in fake.calls if c[1] == "/cgi-bin/stable_token"] == [("POST", "/cgi-bin/stable_token")]
    # When the clock passes its expiry less the margin, a new stable_token call is made
    later = time.monotonic() + 7200 - client.TOKEN_MARGIN_SECONDS + 1
    monkeypatch.setattr(client.time, "monotonic", lambda: later)
    client.access_token()
    assert len([c for c in fake.calls if c[1] == "/cgi-bin/stable_token"]) == 2


def test_the_phone_number_and_a_force_refresh_when_wechat_calls_the_token_dead(wechat):
    client, fake, _ = wechat
    # Given a token the client keeps, which WeChat then replaces (force_refresh elsewhere: the old one is dead)
    kept = client.access_token()
    status, fresh = fake.handle(
        "POST",
        PREFIX + "/cgi-bin/stable_token",
        json.dumps(
            {"grant_type": "client_credential", "appid": fake.app_id, "secret": fake.app_secret, "force_refresh": True}
        ).encode(),
    )
    assert status == 200 and fresh["access_token"] != kept
    # When the phone number is asked for
    number = client.phone_number("wx-phone:13800000001")
    # Then the 40001 made the client refresh its token once and ask again
    assert number == "13800000001"
    posts = [c[1] for c in fake.calls]
    assert posts[-3:] == ["/wxa/business/getuserphonenumber", "/cgi-bin/stable_token", "/wxa/business/getuserphonenumber"]
    assert client.access_token() != kept
    # And an expired token (42001) is refreshed the same way
    fake.expire_tokens()
    assert client.phone_number("wx-phone:13900000002") == "13900000002"
    # And a phone code that is not one is refused as a bad code
    with pytest.raises(client.WeChatCodeInvalid):
        client.phone_number("nonsense")


def test_no_secret_token_or_code_reaches_the_logs(wechat):
    from shared.observability import logger

    client, fake, server = wechat
    captured = io.StringIO()
    stream, level = logger.registered_handler.setStream(captured), logger.log_level
    logger.setLevel("DEBUG")
    try:
        client.code_to_session("wx-demo:res_zhang:logs")
        token = client.access_token()
        client.phone_number("wx-phone:13700000003")
        for bad in ("bad-code-1", "wx-demo:res_zhang:logs"):
            with pytest.raises(client.WeChatCodeInvalid):
                client.code_to_session(bad)
        server.delay = 1.5
        with pytest.raises(client.WeChatUnavailable):
            client.code_to_session("wx-demo:res_zhang:slow")
    finally:
        logger.setLevel(level)
        logger.registered_handler.setStream(stream)
        server.delay = 0
    text = captured.getvalue()
    assert "40029" in text and "40163" in text  # the refusals were logged
    for secret in (fake.app_secret, token, "res_zhang:logs", "13700000003", "bad-code-1"):
        assert secret not in text, secret
    assert fake.app_secret not in repr(client._credentials())


def test_the_sandbox_serves_its_fake_wechat_and_every_demo_resident_has_an_openid(sandbox):
    """`make run`'s own fake (under /wechat-api on the sandbox's port), as the functions reach it."""
    import requests

    from identity.store import accounts
    from local import demo_data
    from shared import wechat

    wechat.reset()
    assert wechat._settings().api_base == f"{sandbox.url}/wechat-api"
    assert wechat.code_to_session("wx-demo:res_wang:route-test").openid == "res_wang"
    assert wechat.phone_number("wx-phone:13800000001") == "13800000001"
    # WeChat's shapes on the wire: HTTP 200 with errcode
    answer = requests.get(
        f"{sandbox.url}/wechat-api/sns/jscode2session",
        params={"appid": "wx-other", "secret": "x", "js_code": "wx-demo:res_li", "grant_type": "authorization_code"},
        timeout=5,
    )
    assert answer.status_code == 200 and answer.json()["errcode"] == 40013
    residents = [p for p in demo_data.personas() if p["role"] == "resident"]
    assert residents and all(p["wechat_openid"] == p["user_id"] for p in residents)
    assert accounts.get_user("res_wang").wechat_openid == "res_wang"
