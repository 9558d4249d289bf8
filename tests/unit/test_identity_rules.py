"""The identity domain's rules and use cases on in-memory fakes: one-time codes (6 digits, hashed, 5 minutes, 5 tries,
cooldown, daily cap, the same answer for a number without an account), access tokens (ES256, ≤ 15 minutes, verified
with PyJWT against the published keys), refresh rotation and reuse detection, logout, suspension."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import jwt
import pytest

from identity.domain import claims, codes, sessions
from identity.domain.codes import CodePolicy
from identity.domain.errors import (
    AccountUnavailable,
    CodeExpired,
    DailyLimitReached,
    InvalidCode,
    InvalidRefreshToken,
    PhoneTaken,
    RequestTooSoon,
    SignInUnavailable,
    TokenReused,
    TooManyAttempts,
    WrongCode,
)
from identity.domain.records import User
from identity.service.ports import WeChatCodeInvalid, WeChatSession, WeChatUnavailable
from identity.service.signer import LocalSigner
from identity.service.signin import SignIn, TokenPolicy
from identity.store.memory import MemoryStore
from shared.sms import e164

ISSUER = "https://api.linli.example"
TECH_PHONE = "13900000001"
RESIDENT_PHONE = "13800000001"


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeSms:
    sent: list[tuple[str, str]] = field(default_factory=list)
    fail: bool = False

    def send_login_code(self, phone: str, code: str) -> None:
        if self.fail:
            raise ConnectionError("provider down")
        self.sent.append((phone, code))

    def last(self, phone: str) -> str:
        return [c for p, c in self.sent if p == e164(phone)][-1]


@dataclass
class FakeWeChat:
    """`wx-ok:<openid>` is a valid login code (once), `phone:<number>` a valid phone code; anything else is invalid."""

    used: set[str] = field(default_factory=set)
    down: bool = False

    def _take(self, code: str) -> None:
        if self.down:
            raise WeChatUnavailable()
        if code in self.used:
            raise WeChatCodeInvalid()  # errcode 40163
        self.used.add(code)

    def code_to_session(self, code: str) -> WeChatSession:
        self._take(code)
        if not code.startswith("wx-ok:"):
            raise WeChatCodeInvalid()  # errcode 40029
        return WeChatSession(code.removeprefix("wx-ok:"), None)

    def phone_number(self, code: str) -> str:
        self._take(code)
        if not code.startswith("phone:"):
            raise WeChatCodeInvalid()
        return code.removeprefix("phone:")


class FakeAccounts:
    def __init__(self, accounts: dict[str, User]) -> None:
        self.accounts = accounts

    def get(self, user_id: str) -> User | None:
        return self.accounts.get(user_id)

    def with_phone(self, phone: str) -> list[User]:
        return [a for a in self.accounts.values() if a.phone and e164(a.phone) == e164(phone)]

    def save(self, account: User) -> None:
        self.accounts[account.user_id] = account


@dataclass
class World:
    service: SignIn
    store: MemoryStore
    accounts: FakeAccounts
    sms: FakeSms
    wechat: FakeWeChat
    clock: Clock
    signer: LocalSigner

    def verify(self, token: str) -> dict:
        keys = jwt.PyJWKSet.from_dict(self.service.jwks())
        header = jwt.get_unverified_header(token)
        key = next(k for k in keys.keys if k.key_id == header["kid"])
        return jwt.decode(
            token,
            key.key,
            algorithms=["ES256"],
            issuer=ISSUER,
            audience="linli",
            options={"verify_exp": False, "verify_iat": False},
        )


@pytest.fixture
def world() -> World:
    people = {
        "res_wang": User(user_id="res_wang", role="resident", name="王奶奶", phone=RESIDENT_PHONE),
        "tech_zhao": User(user_id="tech_zhao", role="technician", name="赵师傅", phone=TECH_PHONE, company_id="co"),
        "tech_pending": User(user_id="tech_pending", role="technician", name="新师傅", phone="13900000009", status="pending"),
    }
    store = MemoryStore(people)
    accounts, sms, wechat, clock, signer = FakeAccounts(store.accounts), FakeSms(), FakeWeChat(), Clock(), LocalSigner()
    service = SignIn(
        store=store,
        accounts=accounts,
        signer=signer,
        wechat=wechat,
        sms=sms,
        tokens=TokenPolicy(issuer=ISSUER),
        codes=CodePolicy(lifetime_seconds=300, max_attempts=5, cooldown_seconds=60, per_day=10),
        clock=clock,
    )
    store.link_openid("res_wang", "res_wang", unionid=None, now=0)
    return World(service, store, accounts, sms, wechat, clock, signer)


# --- One-time code rules (pure) ------------------------------------------------------------------------


def test_codes_are_six_random_digits_kept_only_as_a_salted_hmac():
    made = {codes.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in made) and len(made) > 150
    a = codes.issue("13900000001", "123456", now=0, policy=CodePolicy())
    b = codes.issue("13900000001", "123456", now=0, policy=CodePolicy())
    assert "123456" not in repr(a) and a.salt != b.salt and a.code_hash != b.code_hash
    assert codes.judge(a, "123456", now=1, policy=CodePolicy()) == codes.Verdict.OK


@pytest.mark.parametrize(
    "at, tries, given, verdict",
    [
        (299, 0, "123456", codes.Verdict.OK),
        (300, 0, "123456", codes.Verdict.EXPIRED),  # valid 5 minutes, not a second more
        (10, 0, "123457", codes.Verdict.WRONG),
        (10, 0, "12345", codes.Verdict.WRONG),
        (10, 4, "123456", codes.Verdict.OK),  # the fifth try may still be right
        (10, 5, "123456", codes.Verdict.TOO_MANY),  # five wrong tries: even the right code is refused
    ],
)
def test_a_code_is_judged(at, tries, given, verdict):
    policy = CodePolicy()
    stored = codes.issue("13900000001", "123456", now=0, policy=policy)
    stored = stored.__class__(**{**stored.__dict__, "attempts": tries})
    assert codes.judge(stored, given, now=at, policy=policy) == verdict


def test_no_code_and_an_undeliverable_code_are_wrong_codes():
    policy = CodePolicy()
    assert codes.judge(None, "123456", now=0, policy=policy) == codes.Verdict.WRONG
    never_sent = codes.issue("13900000009", "123456", now=0, policy=policy, deliverable=False)
    assert codes.judge(never_sent, "123456", now=1, policy=policy) == codes.Verdict.WRONG


def test_cooldown_and_beijing_days():
    policy = CodePolicy(cooldown_seconds=60)
    sent = codes.issue("1", "123456", now=1000, policy=policy)
    assert codes.cooling_down(sent, now=1059, policy=policy) and not codes.cooling_down(sent, now=1060, policy=policy)
    assert codes.beijing_day(1_796_400_000 - 1_796_400_000 % 86400 + 16 * 3600) != codes.beijing_day(
        1_796_400_000 - 1_796_400_000 % 86400 + 15 * 3600
    ), "a Beijing day starts at 16:00 UTC"
    assert codes.mask_phone("+8613812345678") == "138****5678" == codes.mask_phone("13812345678")


# --- Access tokens -----------------------------------------------------------------------------------


def test_access_tokens_are_es256_of_at_most_15_minutes_with_only_the_agreed_claims(world):
    token = world.service.access_token("tech_zhao")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "ES256", "typ": "JWT", "kid": world.signer.kid()}
    found = world.verify(token)
    assert set(found) == {"iss", "aud", "sub", "iat", "exp", "jti"}
    assert found["sub"] == "tech_zhao" and found["exp"] - found["iat"] == 900
    with pytest.raises(ValueError):
        claims.access_claims(issuer=ISSUER, audience="linli", subject="u", now=0, lifetime=901)


def test_a_token_signed_by_another_key_or_altered_fails_verification(world):
    token = world.service.access_token("res_wang")
    other = LocalSigner()
    message = token.rsplit(".", 1)[0].encode()
    forged = f"{message.decode()}.{claims.b64url(other.sign(message))}"
    with pytest.raises(jwt.InvalidSignatureError):
        world.verify(forged)
    head, payload, signature = token.split(".")
    altered = claims.b64url(b'{"aud":"linli","exp":9999999999,"iat":1,"iss":"' + ISSUER.encode() + b'","jti":"x","sub":"sup"}')
    with pytest.raises(jwt.InvalidSignatureError):
        world.verify(f"{head}.{altered}.{signature}")


def test_two_keys_during_a_rotation_are_both_published_and_the_first_signs():
    from cryptography.hazmat.primitives.asymmetric import ec

    old = ec.generate_private_key(ec.SECP256R1())
    signer = LocalSigner(old)
    kids = [k["kid"] for k in signer.public_jwks()]
    assert len(set(kids)) == 2 and signer.kid() == kids[0]
    assert all(k["kty"] == "EC" and k["crv"] == "P-256" and k["alg"] == "ES256" and "d" not in k for k in signer.public_jwks())


# --- SMS one-time codes (use cases) --------------------------------------------------------------------


def test_staff_sign_in_with_a_code_sent_by_sms(world):
    world.service.send_code(TECH_PHONE)
    tokens = world.service.verify_code(TECH_PHONE, world.sms.last(TECH_PHONE))
    assert world.verify(tokens.access_token)["sub"] == "tech_zhao" and not tokens.needs_phone
    assert tokens.refresh_token and tokens.expires_in == 900
    with pytest.raises(WrongCode):  # a code works once
        world.service.verify_code(TECH_PHONE, world.sms.last(TECH_PHONE))


def test_the_number_may_be_written_in_any_usual_way(world):
    world.service.send_code("139-0000-0001")
    with pytest.raises(RequestTooSoon):
        world.service.send_code("+86 13900000001")  # the same number
    code = world.sms.last(TECH_PHONE)
    assert world.sms.sent[-1][0] == "+8613900000001"
    assert world.verify(world.service.verify_code("8613900000001", code).access_token)["sub"] == "tech_zhao"


def test_a_number_without_a_usable_account_gets_the_same_answer_and_no_message(world):
    for phone in ("13700000000", "13900000009"):  # nobody, a pending technician
        world.service.send_code(phone)  # no error: the same 202
        with pytest.raises(RequestTooSoon):  # the cooldown counts for every number
            world.service.send_code(phone)
        with pytest.raises(WrongCode):
            world.service.verify_code(phone, "123456")
    assert world.sms.sent == []


def test_a_resident_whose_number_is_on_her_account_signs_in_with_an_sms_code(world):
    # A resident registered by the property desk (no smartphone, no WeChat) signs in with her number.
    world.service.send_code(RESIDENT_PHONE)
    tokens = world.service.verify_code(RESIDENT_PHONE, world.sms.last(RESIDENT_PHONE))
    assert world.verify(tokens.access_token)["sub"] == "res_wang"


def test_cooldown_then_a_new_code_replaces_the_old_one(world):
    world.service.send_code(TECH_PHONE)
    first = world.sms.last(TECH_PHONE)
    world.clock.now += 59
    with pytest.raises(RequestTooSoon):
        world.service.send_code(TECH_PHONE)
    world.clock.now += 1
    world.service.send_code(TECH_PHONE)
    second = world.sms.last(TECH_PHONE)
    if first != second:
        with pytest.raises(WrongCode):
            world.service.verify_code(TECH_PHONE, first)
    assert world.service.verify_code(TECH_PHONE, second).access_token


def test_five_wrong_tries_void_the_code(world):
    world.service.send_code(TECH_PHONE)
    right = world.sms.last(TECH_PHONE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(WrongCode):
            world.service.verify_code(TECH_PHONE, wrong)
    with pytest.raises(TooManyAttempts):
        world.service.verify_code(TECH_PHONE, right)


def test_a_code_expires_after_five_minutes(world):
    world.service.send_code(TECH_PHONE)
    world.clock.now += 300
    with pytest.raises(CodeExpired):
        world.service.verify_code(TECH_PHONE, world.sms.last(TECH_PHONE))


def test_daily_cap_per_number(world):
    for _ in range(10):
        world.service.send_code(TECH_PHONE)
        world.clock.now += 61
    with pytest.raises(DailyLimitReached):
        world.service.send_code(TECH_PHONE)
    assert len(world.sms.sent) == 10
    world.clock.now += 86400
    world.service.send_code(TECH_PHONE)
    assert len(world.sms.sent) == 11


def test_a_failed_send_leaves_no_cooldown_and_answers_503(world):
    world.sms.fail = True
    with pytest.raises(SignInUnavailable):
        world.service.send_code(TECH_PHONE)
    world.sms.fail = False
    world.service.send_code(TECH_PHONE)  # at once: nothing was sent the first time
    assert len(world.sms.sent) == 1


# --- WeChat --------------------------------------------------------------------------------------------


def test_a_known_openid_signs_in_as_its_account(world):
    tokens = world.service.wechat_sign_in("wx-ok:res_wang")
    assert world.verify(tokens.access_token)["sub"] == "res_wang" and tokens.needs_phone is False


def test_an_unknown_openid_gets_a_new_resident_who_binds_a_phone(world):
    tokens = world.service.wechat_sign_in("wx-ok:o_new")
    user_id = world.verify(tokens.access_token)["sub"]
    assert tokens.needs_phone and world.accounts.get(user_id).role == "resident"
    assert world.accounts.get(user_id).wechat_openid == "o_new", "her WeChat messages go to this openid"
    assert world.service.bind_phone(user_id, "phone:13612345678") == "136****5678"
    assert world.accounts.get(user_id).phone == "13612345678"
    world.wechat.used.clear()
    assert world.verify(world.service.wechat_sign_in("wx-ok:o_new").access_token)["sub"] == user_id
    assert world.service.wechat_sign_in("wx-ok:o_new2").needs_phone, "another new resident"


def test_invalid_and_used_wechat_codes(world):
    with pytest.raises(InvalidCode):
        world.service.wechat_sign_in("garbage")
    world.service.wechat_sign_in("wx-ok:res_wang")
    with pytest.raises(InvalidCode):
        world.service.wechat_sign_in("wx-ok:res_wang")
    world.wechat.down = True
    with pytest.raises(SignInUnavailable):
        world.service.wechat_sign_in("wx-ok:res_wang")


def test_a_phone_number_of_another_account_cannot_be_bound(world):
    user_id = world.verify(world.service.wechat_sign_in("wx-ok:o_other").access_token)["sub"]
    with pytest.raises(PhoneTaken):
        world.service.bind_phone(user_id, f"phone:{RESIDENT_PHONE}")


# --- Refresh, reuse, logout, suspension ----------------------------------------------------------------


def test_refresh_rotates_and_a_reused_token_revokes_the_whole_family(world):
    first = world.service.wechat_sign_in("wx-ok:res_wang")
    second = world.service.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token and world.verify(second.access_token)["sub"] == "res_wang"
    third = world.service.refresh(second.refresh_token)
    with pytest.raises(TokenReused):
        world.service.refresh(first.refresh_token)  # the thief (or the victim) shows a spent token
    with pytest.raises(InvalidRefreshToken):
        world.service.refresh(third.refresh_token)  # every token of the family stops working


def test_an_unknown_or_expired_refresh_token_is_refused(world):
    with pytest.raises(InvalidRefreshToken):
        world.service.refresh("not-a-token")
    tokens = world.service.wechat_sign_in("wx-ok:res_wang")
    world.clock.now += 30 * 24 * 3600
    with pytest.raises(InvalidRefreshToken):
        world.service.refresh(tokens.refresh_token)


def test_logout_ends_only_that_session_and_only_for_its_owner(world):
    world.service.send_code(TECH_PHONE)
    phone_session = world.service.verify_code(TECH_PHONE, world.sms.last(TECH_PHONE))
    wechat_session = world.service.wechat_sign_in("wx-ok:res_wang")
    world.service.logout("tech_zhao", wechat_session.refresh_token)  # not theirs: nothing happens
    world.service.logout("tech_zhao", phone_session.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        world.service.refresh(phone_session.refresh_token)
    assert world.service.refresh(wechat_session.refresh_token).access_token


def test_suspension_revokes_every_session_and_a_suspended_account_cannot_refresh(world):
    sessions_ = []
    for _ in range(2):
        world.service.send_code(TECH_PHONE)
        sessions_.append(world.service.verify_code(TECH_PHONE, world.sms.last(TECH_PHONE)))
        world.clock.now += 61
    assert world.service.revoke_all("tech_zhao") == 2
    for s in sessions_:
        with pytest.raises(InvalidRefreshToken):
            world.service.refresh(s.refresh_token)
    # Suspended without the revocation (e.g. a write in between): refresh checks the account itself.
    world.service.send_code(TECH_PHONE)
    late = world.service.verify_code(TECH_PHONE, world.sms.last(TECH_PHONE))
    world.accounts.save(world.accounts.get("tech_zhao").model_copy(update={"status": "suspended"}))
    with pytest.raises(AccountUnavailable):
        world.service.refresh(late.refresh_token)
    world.accounts.save(world.accounts.get("tech_zhao").model_copy(update={"status": "active"}))
    with pytest.raises(InvalidRefreshToken):
        world.service.refresh(late.refresh_token)  # its family was revoked when it was refused


def test_session_families_are_judged():
    token, family, first = sessions.start("u", now=0, lifetime=100)
    assert first.token_hash == sessions.hash_token(token) and token not in repr(first)
    assert sessions.judge(first, family, now=99) == sessions.Verdict.ROTATE
    assert sessions.judge(first, family, now=100) == sessions.Verdict.INVALID
    spent = first.__class__(**{**first.__dict__, "used": True})
    assert sessions.judge(spent, family, now=1) == sessions.Verdict.REUSED
    gone = sessions.revoked(family, sessions.RevokedBecause.LOGOUT, now=5)
    assert sessions.judge(first, gone, now=1) == sessions.Verdict.INVALID


def test_der_signatures_become_jws_r_and_s_of_32_bytes_each(world):
    """KMS answers DER; JWS wants r || s, each 32 bytes even when a value is shorter (1 in 128 signatures)."""
    assert claims.raw_signature(1, 2) == b"\0" * 31 + b"\1" + b"\0" * 31 + b"\2"
    for n in range(300):
        assert world.verify(world.service.access_token(f"u{n}"))["sub"] == f"u{n}"


# --- A resident binds a phone number by SMS code ------------------------------------------------------------


def _new_resident(world) -> str:
    return world.verify(world.service.wechat_sign_in(f"wx-ok:o_{len(world.wechat.used)}").access_token)["sub"]


def test_a_signed_in_resident_binds_a_number_with_an_sms_code(world):
    user_id = _new_resident(world)
    world.service.send_code("13612345678", for_user=user_id)
    tokens = world.service.verify_code("13612345678", world.sms.last("13612345678"), for_user=user_id)
    assert world.accounts.get(user_id).phone == "+8613612345678" and tokens.needs_phone is False
    assert world.verify(tokens.access_token)["sub"] == user_id


def test_a_binding_code_is_not_sent_for_another_accounts_number_and_purposes_do_not_mix(world):
    user_id = _new_resident(world)
    world.service.send_code(RESIDENT_PHONE, for_user=user_id)  # 王奶奶's number: the same answer, nothing sent
    assert world.sms.sent == []
    with pytest.raises(WrongCode):
        world.service.verify_code(RESIDENT_PHONE, "123456", for_user=user_id)
    world.service.send_code(TECH_PHONE)  # a staff sign-in code cannot bind
    world.clock.now += 61
    with pytest.raises(WrongCode):
        world.service.verify_code(TECH_PHONE, world.sms.last(TECH_PHONE), for_user=user_id)
    world.service.send_code("13612345670", for_user=user_id)  # a binding code cannot sign anyone in
    with pytest.raises(WrongCode):
        world.service.verify_code("13612345670", world.sms.last("13612345670"))
    other = _new_resident(world)
    with pytest.raises(WrongCode):  # nor bind another resident
        world.service.verify_code("13612345670", world.sms.last("13612345670"), for_user=other)


def test_only_a_usable_resident_binds_by_sms(world):
    from identity.domain.errors import NotForThisAccount

    with pytest.raises(NotForThisAccount):
        world.service.send_code("13612345678", for_user="tech_zhao")
    with pytest.raises(NotForThisAccount):
        world.service.send_code("13612345678", for_user="nobody")


def test_the_service_checks_its_own_tokens_for_the_unguarded_routes(world):
    from identity.domain.errors import InvalidToken

    assert world.service.caller_of(world.service.access_token("res_wang")) == "res_wang"
    other = SignIn(
        store=MemoryStore(), accounts=world.accounts, signer=LocalSigner(), wechat=None, sms=None, tokens=TokenPolicy(ISSUER)
    )
    session = world.service.wechat_sign_in("wx-ok:res_wang")
    assert world.service.caller_of(session.access_token) == "res_wang"
    world.service.logout("res_wang", session.refresh_token)
    ended = session.access_token
    for bad in (other.access_token("res_wang"), world.service.access_token("res_wang", lifetime=-5), "garbage", "", ended):
        with pytest.raises(InvalidToken):
            world.service.caller_of(bad)
