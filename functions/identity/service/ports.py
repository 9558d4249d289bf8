"""What the sign-in use cases need from the world, as small Protocols (fakes in the unit tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from identity.domain.records import User


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    unionid: str | None = None


class WeChatCodeInvalid(Exception):
    """The login or phone code is invalid or was used (WeChat's errcode 40029, 40163)."""


class WeChatUnavailable(Exception):
    """WeChat did not answer, or asked to slow down."""


class WeChat(Protocol):
    def code_to_session(self, code: str) -> WeChatSession: ...

    def phone_number(self, code: str) -> str: ...


class Sms(Protocol):
    def send_login_code(self, phone: str, code: str) -> None: ...


class Signer(Protocol):
    """An asymmetric P-256 key that never leaves its keeper (KMS): signs, and shows its public halves."""

    def kid(self) -> str: ...

    def sign(self, message: bytes) -> bytes:
        """The raw (r || s) ES256 signature of `message`."""
        ...

    def public_jwks(self) -> list[dict]:
        """Every published key (the signing one first) as a JWK with its `kid`."""
        ...


class Accounts(Protocol):
    """The platform's accounts (the user records): the role and status are read from here, never from a token."""

    def get(self, user_id: str) -> User | None: ...

    def with_phone(self, phone: str) -> list[User]: ...

    def save(self, account: User) -> None: ...
