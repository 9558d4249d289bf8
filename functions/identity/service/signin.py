"""The sign-in use cases: WeChat sign-in and phone binding, one-time codes by SMS, refresh, logout, revoking an
account's sessions, and the published keys. Every collaborator is injected (`SignIn`); `wiring.sign_in()` builds
the real one."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import jwt

from identity.domain import claims, sessions
from identity.domain import codes as one_time
from identity.domain.codes import CodePolicy
from identity.domain.errors import (
    AccountUnavailable,
    CodeExpired,
    DailyLimitReached,
    InvalidCode,
    InvalidRefreshToken,
    InvalidToken,
    NotForThisAccount,
    PhoneTaken,
    RequestTooSoon,
    SignInUnavailable,
    TokenReused,
    TooManyAttempts,
    WrongCode,
)
from identity.domain.records import User
from identity.domain.sessions import RevokedBecause
from identity.service.ports import Accounts, Signer, Sms, WeChat, WeChatCodeInvalid, WeChatUnavailable
from identity.store import IdentityStore
from shared.observability import logger
from shared.roles import USABLE_ACCOUNT_STATUSES, Role
from shared.sms import e164

STAFF_ROLES = frozenset({Role.TECHNICIAN, Role.DISPATCHER, Role.SUPERVISOR})
SMS_SIGN_IN_ROLES = STAFF_ROLES | {Role.RESIDENT}
NEW_RESIDENT_NAME = "微信用户"


@dataclass(frozen=True)
class TokenPolicy:
    issuer: str
    audience: str = "linli"
    access_seconds: int = 900
    refresh_seconds: int = 30 * 24 * 3600


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    needs_phone: bool = False
    token_type: str = "Bearer"


def usable(account: User | None) -> bool:
    return account is not None and account.status in USABLE_ACCOUNT_STATUSES and account.role in set(Role)


@dataclass
class SignIn:
    store: IdentityStore
    accounts: Accounts
    signer: Signer
    wechat: WeChat | None
    sms: Sms | None
    tokens: TokenPolicy
    codes: CodePolicy = field(default_factory=CodePolicy)
    clock: Callable[[], float] = time.time
    new_user_id: Callable[[], str] = lambda: "res_" + secrets.token_hex(8)

    def _now(self) -> int:
        return int(self.clock())

    # --- Tokens -----------------------------------------------------------------------------------------
    def access_token(self, user_id: str, *, lifetime: int | None = None, session: str | None = None) -> str:
        """A signed access token naming the account (`sub`) and, issued in a session, its family (`sid`): the API
        refuses it once that family is revoked. Nothing else in it is trusted (the role is the account's)."""
        access = claims.access_claims(
            session=session,
            issuer=self.tokens.issuer,
            audience=self.tokens.audience,
            subject=user_id,
            now=self._now(),
            lifetime=self.tokens.access_seconds if lifetime is None else lifetime,
        )
        message = claims.signing_input(access, self.signer.kid())
        return claims.compact(message, self.signer.sign(message))

    def start_session(self, account: User) -> Tokens:
        """A new session family for a usable account: an access token and the family's first refresh token."""
        if not usable(account):
            raise AccountUnavailable()
        refresh, family, first = sessions.start(account.user_id, now=self._now(), lifetime=self.tokens.refresh_seconds)
        self.store.start_family(family, first)
        return Tokens(
            self.access_token(account.user_id, session=family.family_id),
            refresh,
            self.tokens.access_seconds,
            needs_phone=account.role == Role.RESIDENT and not account.phone,
        )

    def refresh(self, refresh_token: str) -> Tokens:
        now = self._now()
        record = self.store.get_refresh(sessions.hash_token(refresh_token))
        family = self.store.get_family(record.user_id, record.family_id) if record else None
        verdict = sessions.judge(record, family, now=now)
        if verdict == sessions.Verdict.REUSED:
            return self._reused(record)
        if verdict != sessions.Verdict.ROTATE or record is None:
            raise InvalidRefreshToken()
        account = self.accounts.get(record.user_id)
        if not usable(account):
            self.store.revoke_family(record.user_id, record.family_id, RevokedBecause.SUSPENDED, now=now)
            raise AccountUnavailable()
        assert account is not None
        token, successor = sessions.successor(record, now=now, lifetime=self.tokens.refresh_seconds)
        if not self.store.rotate(record, successor):
            # Spent or revoked between the read and the write: a parallel use of the same token.
            again = self.store.get_refresh(record.token_hash)
            if again is not None and again.used:
                return self._reused(again)
            raise InvalidRefreshToken()
        return Tokens(
            self.access_token(account.user_id, session=record.family_id),
            token,
            self.tokens.access_seconds,
            needs_phone=account.role == Role.RESIDENT and not account.phone,
        )

    def _reused(self, record: sessions.RefreshToken | None) -> Tokens:
        assert record is not None
        self.store.revoke_family(record.user_id, record.family_id, RevokedBecause.REUSE, now=self._now())
        logger.warning("refresh token reused: session family revoked", extra={"user_id": record.user_id})
        raise TokenReused()

    def logout(self, user_id: str, refresh_token: str) -> None:
        """Ends the session the refresh token belongs to, if it is the caller's (else nothing happens)."""
        record = self.store.get_refresh(sessions.hash_token(refresh_token))
        if record is not None and record.user_id == user_id:
            self.store.revoke_family(user_id, record.family_id, RevokedBecause.LOGOUT, now=self._now())

    def revoke_all(self, user_id: str, because: RevokedBecause = RevokedBecause.SUSPENDED) -> int:
        """Every active session of the account ends (suspension); returns how many there were."""
        families = self.store.active_families(user_id)
        for family in families:
            self.store.revoke_family(user_id, family.family_id, because, now=self._now())
        return len(families)

    def caller_of(self, access_token: str) -> str:
        """The account an access token of this service names (the routes API Gateway leaves unguarded check it
        here, as its JWT authorizer would: signature by a published key, issuer, audience, expiry)."""
        try:
            header = jwt.get_unverified_header(access_token)
            key = next(k for k in self.signer.public_jwks() if k["kid"] == header.get("kid"))
            found = jwt.decode(
                access_token,
                jwt.PyJWK.from_dict(key).key,
                algorithms=[claims.ALGORITHM],
                issuer=self.tokens.issuer,
                audience=self.tokens.audience,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except (jwt.PyJWTError, StopIteration) as exc:
            raise InvalidToken() from exc
        if not isinstance(found.get("sub"), str) or not found["sub"]:
            raise InvalidToken()
        session = found.get("sid")
        if session is not None:
            family = self.store.get_family(found["sub"], str(session))
            if family is None or family.status != sessions.FamilyStatus.ACTIVE:
                raise InvalidToken()  # a session that has ended, as the API refuses it
        return found["sub"]

    def jwks(self) -> dict:
        return {"keys": self.signer.public_jwks()}

    def discovery(self) -> dict:
        issuer = self.tokens.issuer
        return {
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "token_endpoint": f"{issuer}/auth/refresh",
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [claims.ALGORITHM],
            "token_endpoint_auth_methods_supported": ["none"],
            "grant_types_supported": ["refresh_token"],
            "claims_supported": ["iss", "aud", "sub", "iat", "exp", "jti"],
        }

    # --- WeChat -----------------------------------------------------------------------------------------
    @contextmanager
    def _wechat(self) -> Iterator[WeChat]:
        """WeChat, its refusals as the API's: an invalid or used code is 400 invalid_code, no answer 503."""
        if self.wechat is None:
            raise SignInUnavailable()
        try:
            yield self.wechat
        except WeChatCodeInvalid as exc:
            raise InvalidCode() from exc
        except WeChatUnavailable as exc:
            raise SignInUnavailable() from exc

    def wechat_sign_in(self, code: str) -> Tokens:
        """The resident's WeChat login: a known openid signs in as its account, an unknown one gets a new
        resident account (which binds a phone number next)."""
        with self._wechat() as wechat:
            session = wechat.code_to_session(code)
        now = self._now()
        user_id = self.store.account_of_openid(session.openid)
        if user_id is None:
            # The openid on the account is where her WeChat subscription messages go (notify reads it).
            account = User(
                user_id=self.new_user_id(), role=Role.RESIDENT.value, name=NEW_RESIDENT_NAME, wechat_openid=session.openid
            )
            if self.store.create_resident(account, session.openid, unionid=session.unionid, now=now):
                logger.info("resident account created by WeChat sign-in", extra={"user_id": account.user_id})
            user_id = self.store.account_of_openid(session.openid)  # a parallel first sign-in may have won
        account = self.accounts.get(user_id) if user_id else None
        return self.start_session(account)  # type: ignore[arg-type] - refused inside when None

    def bind_phone(self, user_id: str, code: str) -> str:
        """The phone number of WeChat's phone-number button, bound to the resident's account; the masked number."""
        account = self.accounts.get(user_id)
        if account is None or account.role != Role.RESIDENT:
            raise NotForThisAccount()
        with self._wechat() as wechat:
            phone = wechat.phone_number(code)
        if any(other.user_id != user_id for other in self.accounts.with_phone(phone)):
            raise PhoneTaken()
        self.accounts.save(account.model_copy(update={"phone": phone}))
        return one_time.mask_phone(phone)

    # --- One-time codes by SMS ----------------------------------------------------------------------------
    def _phone_account(self, phone: str) -> User | None:
        """The registered, usable account of this number that signs in by SMS code: staff (companies and the
        district register them; nobody signs up into a staff role) and residents whose number is on their
        account (bound with a code, or registered by the property desk for a resident without a smartphone)."""
        found = [a for a in self.accounts.with_phone(phone) if a.role in SMS_SIGN_IN_ROLES and usable(a)]
        return found[0] if len(found) == 1 else None

    def _binding_resident(self, user_id: str) -> User:
        account = self.accounts.get(user_id)
        if not usable(account) or account is None or account.role != Role.RESIDENT:
            raise NotForThisAccount()
        return account

    def send_code(self, phone: str, *, for_user: str | None = None) -> None:
        """Sends a one-time code if the number belongs to a staff or resident account (a sign-in) or, for a signed-in
        resident (`for_user`), if no other account holds it (binding it to theirs). The answer is the same
        either way (a code that was never sent is kept too, so a try fails as a wrong code), and the cooldown
        and the daily cap count every number."""
        phone, now, policy = e164(phone), self._now(), self.codes
        if for_user is not None:
            self._binding_resident(for_user)
        if one_time.cooling_down(self.store.get_code(phone), now=now, policy=policy):
            raise RequestTooSoon()
        if not self.store.take_daily(phone, one_time.beijing_day(now), limit=policy.per_day, now=now):
            raise DailyLimitReached()
        if for_user is None:
            deliverable = self._phone_account(phone) is not None
        else:
            deliverable = all(a.user_id == for_user for a in self.accounts.with_phone(phone))
        code = one_time.new_code()
        stored = one_time.issue(phone, code, now=now, policy=policy, deliverable=deliverable, bind_to=for_user)
        if not self.store.put_code(stored, unless_sent_after=now - policy.cooldown_seconds):
            raise RequestTooSoon()  # a parallel send won
        if not deliverable:
            return
        try:
            if self.sms is None:
                raise SignInUnavailable()
            self.sms.send_login_code(phone, code)
        except Exception as exc:
            # Not sent: the code goes (no cooldown to wait out for a message that never came); asking again works.
            self.store.spend_code(phone, stored.code_hash)
            logger.warning("login code not sent", extra={"error": type(exc).__name__})
            raise SignInUnavailable() from exc

    def verify_code(self, phone: str, code: str, *, for_user: str | None = None) -> Tokens:
        """A sign-in (staff or resident) with the code sent to the number; or, for a signed-in resident (`for_user`), the number
        bound to their account (and a new session)."""
        phone, now, policy = e164(phone), self._now(), self.codes
        if for_user is not None:
            self._binding_resident(for_user)
        stored = self.store.get_code(phone)
        verdict = one_time.judge(stored, code, now=now, policy=policy, for_user=for_user)
        if verdict == one_time.Verdict.TOO_MANY:
            raise TooManyAttempts()
        if verdict == one_time.Verdict.EXPIRED:
            raise CodeExpired()
        if verdict == one_time.Verdict.WRONG:
            if stored is not None and not self.store.count_wrong_try(phone, stored.code_hash, max_attempts=policy.max_attempts):
                raise TooManyAttempts()  # the last try was used up by a parallel one
            raise WrongCode()
        assert stored is not None
        if not self.store.spend_code(phone, stored.code_hash):
            raise WrongCode()  # used by a parallel try a moment ago
        if for_user is not None:
            resident = self._binding_resident(for_user)
            if any(other.user_id != for_user for other in self.accounts.with_phone(phone)):
                raise PhoneTaken()  # taken since the code was sent
            self.accounts.save(resident.model_copy(update={"phone": phone}))
            return self.start_session(resident.model_copy(update={"phone": phone}))
        account = self._phone_account(phone)
        if account is None:
            raise AccountUnavailable()
        return self.start_session(account)
