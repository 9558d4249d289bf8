"""Signing in over real HTTP against the sandbox: the whole /auth/* contract (SMS one-time codes with their
cooldown, tries, expiry and daily cap; refresh rotation and reuse detection; logout; a suspended account's refresh
refused), the published keys, and WeChat sign-in (with the sandbox's fake WeChat server)."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import replace

import jwt
import pytest
import requests

_numbers = itertools.count(int(time.time()) % 1_000_000)


@pytest.fixture(scope="module")
def base(sandbox) -> str:
    return sandbox.url


def error_code(response: requests.Response) -> str:
    return response.json()["error"]["code"]


# --- Reading the one-time code the sandbox "sent" ------------------------------------------------------


@pytest.fixture(autouse=True)
def sms_outbox(monkeypatch) -> list[tuple[str, str, dict]]:
    """Where the sandbox's SMS go. With the kernel's SMS port (shared.sms.send_template, its fake provider and
    GET /dev/outbox) present, nothing is replaced and `sent_code` reads /dev/outbox; without it, the port is
    stood in for by a capture (the identity function runs in this process)."""
    from shared import sms

    captured: list[tuple[str, str, dict]] = []
    if not hasattr(sms, "send_template"):

        def send_template(phone: str, template: str, params: dict) -> str:
            captured.append((phone, str(template), dict(params)))
            return f"captured-{len(captured)}"

        monkeypatch.setattr(sms, "send_template", send_template, raising=False)
    return captured


def sent_code(base: str, outbox: list[tuple[str, str, dict]], phone: str) -> str | None:
    """The last sign-in code sent to `phone` (None when nothing was sent): GET /dev/outbox?phone=<number>, the
    code is `params.code` (the capture of `sms_outbox` until the kernel's SMS port is there)."""
    from shared import sms

    if getattr(sms.send_template, "__module__", "") != __name__:
        messages = requests.get(f"{base}/dev/outbox", params={"phone": phone}, timeout=10).json()["messages"]
        codes = [m["params"]["code"] for m in messages if m["template"] == "login_code"]
    else:
        codes = [p["code"] for number, template, p in outbox if number[-11:] == phone[-11:] and template == "login_code"]
    return codes[-1] if codes else None


# --- Accounts ----------------------------------------------------------------------------------------------


def new_phone() -> str:
    return f"135{next(_numbers) % 100_000_000:08d}"


def staff(role: str = "technician", *, status: str = "active") -> tuple[str, str]:
    """A staff account registered with a phone number of its own: (user id, phone)."""
    from identity.domain.records import User
    from identity.store import accounts

    phone = new_phone()
    user_id = f"auth_{role}_{phone}"
    accounts.put_user(User(user_id=user_id, role=role, name="测试员工", phone=phone, company_id="co_tongyuan", status=status))
    return user_id, phone


def sign_in_by_sms(base: str, outbox: list, phone: str) -> dict:
    assert requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10).status_code == 202
    code = sent_code(base, outbox, phone)
    assert code is not None, "no code was sent"
    answer = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": code}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


# --- SMS one-time codes ------------------------------------------------------------------------------------


def test_staff_sign_in_with_an_sms_code(base, sms_outbox):
    user_id, phone = staff("dispatcher")
    tokens = sign_in_by_sms(base, sms_outbox, phone)
    assert set(tokens) == {"access_token", "refresh_token", "expires_in", "token_type", "needs_phone"}
    assert tokens["token_type"] == "Bearer" and 0 < tokens["expires_in"] <= 900 and tokens["needs_phone"] is False
    me = requests.get(f"{base}/me", headers=bearer(tokens), timeout=10)
    assert me.status_code == 200 and (me.json()["user_id"], me.json()["role"]) == (user_id, "dispatcher")


def test_a_code_works_once_and_only_for_its_number(base, sms_outbox):
    _, phone = staff()
    _, other = staff()
    requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10)
    code = sent_code(base, sms_outbox, phone)
    wrong_number = requests.post(f"{base}/auth/sms/verify", json={"phone": other, "code": code}, timeout=10)
    assert wrong_number.status_code == 400 and error_code(wrong_number) == "wrong_code"
    assert requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": code}, timeout=10).status_code == 200
    again = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": code}, timeout=10)
    assert again.status_code == 400 and error_code(again) == "wrong_code"


def test_the_same_answer_whether_or_not_the_number_has_an_account(base, sms_outbox):
    _, pending = staff(status="pending")
    for phone in (new_phone(), pending):  # nobody; a technician not yet vetted
        first = requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10)
        assert (first.status_code, first.json()) == (202, {"expires_in": 300, "retry_after": 60})
        second = requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10)
        assert second.status_code == 429 and error_code(second) == "request_too_soon"
        assert sent_code(base, sms_outbox, phone) is None, "nothing is sent to a number without a usable account"
        guess = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": "123456"}, timeout=10)
        assert guess.status_code == 400 and error_code(guess) == "wrong_code"


def test_the_cooldown_is_per_number(base, sms_outbox):
    _, phone = staff()
    assert requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10).status_code == 202
    too_soon = requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10)
    assert too_soon.status_code == 429 and error_code(too_soon) == "request_too_soon"
    assert too_soon.json()["error"]["message"] and too_soon.json()["error"]["message_en"]
    assert requests.post(f"{base}/auth/sms/code", json={"phone": new_phone()}, timeout=10).status_code == 202


def test_five_wrong_codes_then_even_the_right_one_is_refused(base, sms_outbox):
    _, phone = staff()
    requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10)
    right = sent_code(base, sms_outbox, phone)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        answer = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": wrong}, timeout=10)
        assert answer.status_code == 400 and error_code(answer) == "wrong_code"
    locked = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": right}, timeout=10)
    assert locked.status_code == 429 and error_code(locked) == "too_many_attempts"


def test_an_expired_code_is_refused(base, sms_outbox):
    from identity.store.dynamodb import DynamoStore

    _, phone = staff()
    requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10)
    code = sent_code(base, sms_outbox, phone)
    # Five minutes pass: the stored code's expiry moves into the past (the item as the code service wrote it).
    store = DynamoStore()
    stored = store.get_code(phone)
    assert stored is not None and stored.expires_at - stored.sent_at == 300
    store.put_code(replace(stored, sent_at=stored.sent_at - 301, expires_at=stored.expires_at - 301), unless_sent_after=2**40)
    expired = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": code}, timeout=10)
    assert expired.status_code == 410 and error_code(expired) == "code_expired"


def test_the_daily_cap_per_number(base, sms_outbox):
    from identity.domain.codes import beijing_day
    from identity.store.dynamodb import DynamoStore

    _, phone = staff()
    store, now = DynamoStore(), int(time.time())
    for _ in range(10):  # ten codes asked for today already (each a minute apart)
        assert store.take_daily(phone, beijing_day(now), limit=10, now=now)
    capped = requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10)
    assert capped.status_code == 429 and error_code(capped) == "daily_limit_reached"
    assert sent_code(base, sms_outbox, phone) is None


@pytest.mark.parametrize(
    "path, body",
    [
        ("/auth/sms/code", {"phone": "12345"}),
        ("/auth/sms/code", {}),
        ("/auth/sms/verify", {"phone": "13900000001"}),
        ("/auth/refresh", {"refresh_token": ""}),
        ("/auth/wechat", {"code": ""}),
    ],
)
def test_bad_bodies_are_refused_clearly(base, path, body):
    answer = requests.post(f"{base}{path}", json=body, timeout=10)
    assert answer.status_code == 422 and error_code(answer) == "validation_error"


# --- Refresh, reuse, logout, suspension --------------------------------------------------------------------


def test_refresh_rotates_and_a_reused_token_ends_the_family(base, sms_outbox):
    _, phone = staff()
    first = sign_in_by_sms(base, sms_outbox, phone)
    second = requests.post(f"{base}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=10)
    assert second.status_code == 200 and set(second.json()) == set(first)
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert requests.get(f"{base}/me", headers=bearer(second.json()), timeout=10).status_code == 200
    reused = requests.post(f"{base}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=10)
    assert reused.status_code == 401 and error_code(reused) == "token_reused"
    after = requests.post(f"{base}/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}, timeout=10)
    assert after.status_code == 401, "every token of the family stops working"
    for tokens in (first, second.json()):  # its access tokens too
        assert requests.get(f"{base}/me", headers=bearer(tokens), timeout=10).status_code == 401
    other = sign_in_by_sms_later(base, sms_outbox, phone)
    assert requests.post(f"{base}/auth/refresh", json={"refresh_token": other}, timeout=10).status_code == 200, (
        "another session of the same person is not that family"
    )


def sign_in_by_sms_later(base: str, outbox: list, phone: str) -> str:
    """A second sign-in of the number after its cooldown (the stored code is aged past it)."""
    from identity.store.dynamodb import DynamoStore

    store = DynamoStore()
    stored = store.get_code(phone)
    if stored is not None:
        store.put_code(replace(stored, sent_at=stored.sent_at - 61), unless_sent_after=2**40)
    return sign_in_by_sms(base, outbox, phone)["refresh_token"]


@pytest.mark.parametrize("token", ["", "x" * 300, "not-a-refresh-token"])
def test_unknown_refresh_tokens_are_refused(base, token):
    answer = requests.post(f"{base}/auth/refresh", json={"refresh_token": token}, timeout=10)
    assert answer.status_code in (401, 422) and error_code(answer) in ("invalid_refresh_token", "validation_error")


def test_logout_ends_the_session(base, sms_outbox):
    _, phone = staff()
    tokens = sign_in_by_sms(base, sms_outbox, phone)
    anonymous = requests.post(f"{base}/auth/logout", json={"refresh_token": tokens["refresh_token"]}, timeout=10)
    assert anonymous.status_code == 401, "logout takes the caller's token"
    out = requests.post(
        f"{base}/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=bearer(tokens), timeout=10
    )
    assert out.status_code == 204 and not out.content
    refused = requests.post(f"{base}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10)
    assert refused.status_code == 401 and error_code(refused) == "invalid_refresh_token"
    me = requests.get(f"{base}/me", headers=bearer(tokens), timeout=10)
    assert me.status_code == 401 and error_code(me) == "unauthenticated", "its access token stops at once"


def test_a_suspended_technicians_refresh_is_refused(base, sms_outbox, world):
    from identity.store import accounts
    from local import tokens as sandbox_tokens

    tech = world.add_technician()
    phone = new_phone()
    accounts.put_user(accounts.get_user(tech).model_copy(update={"phone": phone}))
    session = sign_in_by_sms(base, sms_outbox, phone)
    used = sent_code(base, sms_outbox, phone)
    supervisor = {"Authorization": f"Bearer {sandbox_tokens.issue(world.supervisor_id)}"}
    decided = requests.post(
        f"{base}/vetting/technicians/{tech}/decision",
        json={"decision": "suspend", "reason": "资质复核 / review"},
        headers=supervisor,
        timeout=10,
    )
    assert decided.status_code == 200, decided.text
    refused = requests.post(f"{base}/auth/refresh", json={"refresh_token": session["refresh_token"]}, timeout=10)
    assert refused.status_code == 401
    assert requests.get(f"{base}/offers", headers=bearer(session), timeout=10).status_code == 403
    again = requests.post(f"{base}/auth/sms/code", json={"phone": phone}, timeout=10)
    assert again.status_code == 202 and sent_code(base, sms_outbox, phone) == used, "no code for a suspended account"


def test_a_suspended_account_cannot_refresh_even_without_the_revocation(base, sms_outbox):
    from identity.store import accounts

    user_id, phone = staff()
    session = sign_in_by_sms(base, sms_outbox, phone)
    accounts.put_user(accounts.get_user(user_id).model_copy(update={"status": "suspended"}))
    refused = requests.post(f"{base}/auth/refresh", json={"refresh_token": session["refresh_token"]}, timeout=10)
    assert refused.status_code == 401 and error_code(refused) == "account_unavailable"
    accounts.put_user(accounts.get_user(user_id).model_copy(update={"status": "active"}))
    still = requests.post(f"{base}/auth/refresh", json={"refresh_token": session["refresh_token"]}, timeout=10)
    assert still.status_code == 401, "the refused session's family was revoked"


# --- Keys and discovery ------------------------------------------------------------------------------------


def test_the_published_keys_verify_the_tokens(base, sms_outbox):
    from local import tokens as sandbox_tokens

    _, phone = staff()
    session = sign_in_by_sms(base, sms_outbox, phone)
    keys = requests.get(f"{base}/.well-known/jwks.json", timeout=10)
    assert keys.status_code == 200 and "max-age" in keys.headers["cache-control"]
    jwks = keys.json()["keys"]
    assert jwks and all({"kid", "kty", "crv", "x", "y", "alg", "use"} <= set(k) and "d" not in k for k in jwks)
    header = jwt.get_unverified_header(session["access_token"])
    key = next(jwt.PyJWK.from_dict(k) for k in jwks if k["kid"] == header["kid"])
    claims = jwt.decode(
        session["access_token"], key.key, algorithms=["ES256"], issuer=sandbox_tokens.ISSUER, audience=sandbox_tokens.AUDIENCE
    )
    assert set(claims) == {"iss", "aud", "sub", "iat", "exp", "jti", "sid"} and claims["exp"] - claims["iat"] <= 900
    discovery = requests.get(f"{base}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == claims["iss"] and discovery["jwks_uri"] == f"{claims['iss']}/.well-known/jwks.json"
    assert discovery["id_token_signing_alg_values_supported"] == ["ES256"]


def test_dev_login_signs_in_through_the_same_service(base):
    session = requests.post(f"{base}/dev/login", json={"user_id": "tech_zhao"}, timeout=10).json()
    assert session["role"] == "technician" and session["expires_in"] <= 900
    rotated = requests.post(f"{base}/auth/refresh", json={"refresh_token": session["refresh_token"]}, timeout=10)
    assert rotated.status_code == 200
    me = requests.get(f"{base}/me", headers=bearer(rotated.json()), timeout=10).json()
    assert me["user_id"] == "tech_zhao"


def test_an_expired_access_token_is_refused_by_the_gateway(base):
    from local import tokens as sandbox_tokens

    expired = sandbox_tokens.issue("res_wang", lifetime=-10)
    answer = requests.get(f"{base}/me", headers={"Authorization": f"Bearer {expired}"}, timeout=10)
    assert answer.status_code == 401


# --- WeChat (the sandbox's fake WeChat server) -------------------------------------------------------------


@pytest.fixture
def wechat():
    return pytest.importorskip("shared.wechat", reason="the WeChat port and the sandbox's fake WeChat server")


def test_a_demo_resident_signs_in_with_wechat(base, wechat):
    answer = requests.post(f"{base}/auth/wechat", json={"code": "wx-demo:res_wang"}, timeout=10)
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert set(tokens) == {"access_token", "refresh_token", "expires_in", "token_type", "needs_phone"}
    assert tokens["needs_phone"] is False  # 王奶奶's number is on her account
    me = requests.get(f"{base}/me", headers=bearer(tokens), timeout=10).json()
    assert (me["user_id"], me["name"]) == ("res_wang", "王奶奶")


def test_a_new_wechat_user_becomes_a_resident_who_needs_a_phone(base, wechat):
    answer = requests.post(f"{base}/auth/wechat", json={"code": f"wx-demo:o_new_{next(_numbers)}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["needs_phone"] is True
    me = requests.get(f"{base}/me", headers=bearer(answer.json()), timeout=10).json()
    assert me["role"] == "resident"


def test_an_invalid_wechat_code_is_refused(base, wechat):
    answer = requests.post(f"{base}/auth/wechat", json={"code": "not-a-wechat-code"}, timeout=10)
    assert answer.status_code == 400 and error_code(answer) == "invalid_code"


def test_a_used_wechat_code_is_refused(base, wechat):
    code = f"wx-demo:o_used_{next(_numbers)}"
    assert requests.post(f"{base}/auth/wechat", json={"code": code}, timeout=10).status_code == 200
    again = requests.post(f"{base}/auth/wechat", json={"code": code}, timeout=10)
    assert again.status_code == 400 and error_code(again) == "invalid_code"


def test_binding_a_phone_takes_the_callers_token_and_is_for_residents(base, sms_outbox):
    answer = requests.post(f"{base}/auth/wechat/phone", json={"code": "anything"}, timeout=10)
    assert answer.status_code == 401
    _, phone = staff()
    technician = sign_in_by_sms(base, sms_outbox, phone)
    refused = requests.post(f"{base}/auth/wechat/phone", json={"code": "anything"}, headers=bearer(technician), timeout=10)
    assert refused.status_code == 403


def test_a_new_wechat_resident_binds_the_number_wechat_gives(base, wechat):
    openid = f"o_bind_{next(_numbers)}"
    first = requests.post(f"{base}/auth/wechat", json={"code": f"wx-demo:{openid}"}, timeout=10)
    assert first.status_code == 200 and first.json()["needs_phone"] is True, first.text
    phone = new_phone()
    bad = requests.post(f"{base}/auth/wechat/phone", json={"code": "wx-phone:123"}, headers=bearer(first.json()), timeout=10)
    assert bad.status_code == 400 and error_code(bad) == "invalid_code"
    bound = requests.post(
        f"{base}/auth/wechat/phone", json={"code": f"wx-phone:{phone}"}, headers=bearer(first.json()), timeout=10
    )
    assert bound.status_code == 200, bound.text
    assert bound.json() == {"phone_masked": f"{phone[:3]}****{phone[-4:]}"}
    again = requests.post(f"{base}/auth/wechat", json={"code": f"wx-demo:{openid}:again"}, timeout=10)
    assert again.status_code == 200 and again.json()["needs_phone"] is False, again.text


# --- Nothing secret in the logs ----------------------------------------------------------------------------


def test_no_code_or_refresh_token_reaches_the_logs(base, sms_outbox):
    import io

    from shared.observability import logger

    _, phone = staff()
    # Given the handlers logging at INFO, with their events (POWERTOOLS_LOGGER_LOG_EVENT, as in this sandbox)
    captured = io.StringIO()
    stream, level = logger.registered_handler.setStream(captured), logger.log_level
    logger.setLevel("INFO")
    try:
        first = sign_in_by_sms(base, sms_outbox, phone)
        code = sent_code(base, sms_outbox, phone)
        second = requests.post(f"{base}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=10).json()
        requests.post(f"{base}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=10)  # reuse
        requests.post(f"{base}/auth/logout", json={"refresh_token": second["refresh_token"]}, headers=bearer(second), timeout=10)
    finally:
        logger.setLevel(level)
        logger.registered_handler.setStream(stream)
    text = captured.getvalue()
    assert "refresh token reused" in text, "the sign-in function did log"
    assert not re.search(rf"(?<![0-9]){code}(?![0-9])", text), "the one-time code"
    for secret in (first["refresh_token"], second["refresh_token"], first["access_token"], second["access_token"]):
        assert secret not in text


# --- A resident binds a phone number with an SMS code --------------------------------------------------------


def test_a_resident_binds_a_phone_number_with_an_sms_code(base, sms_outbox):
    from identity.domain.records import User
    from identity.store import accounts
    from local import tokens as sandbox_tokens

    user_id, phone = f"auth_res_{next(_numbers)}", new_phone()
    accounts.put_user(User(user_id=user_id, role="resident", name="微信用户"))  # as a first WeChat sign-in leaves it
    resident = {"Authorization": f"Bearer {sandbox_tokens.issue(user_id)}"}
    assert requests.post(f"{base}/auth/sms/code", json={"phone": phone}, headers=resident, timeout=10).status_code == 202
    code = sent_code(base, sms_outbox, phone)
    assert code is not None
    as_staff = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": code}, timeout=10)
    assert as_staff.status_code == 400 and error_code(as_staff) == "wrong_code", "a binding code signs nobody in"
    bound = requests.post(f"{base}/auth/sms/verify", json={"phone": phone, "code": code}, headers=resident, timeout=10)
    assert bound.status_code == 200 and bound.json()["needs_phone"] is False
    assert accounts.get_user(user_id).phone == f"+86{phone}"
    _, staff_phone = staff()
    taken = requests.post(f"{base}/auth/sms/code", json={"phone": staff_phone}, headers=resident, timeout=10)
    assert taken.status_code == 202 and sent_code(base, sms_outbox, staff_phone) is None, "another account's number"


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Basic abc"])
def test_a_bad_token_on_the_sms_routes_is_refused_not_ignored(base, header):
    answer = requests.post(f"{base}/auth/sms/code", json={"phone": new_phone()}, headers={"Authorization": header}, timeout=10)
    assert answer.status_code == 401 and error_code(answer) == "invalid_token"
