"""Refresh tokens: opaque, random, stored only as a SHA-256 hash, each usable once. A sign-in starts a family;
each refresh spends the token and gives the next one of the same family. A spent token shown again means that
two parties hold the family (a stolen token): the whole family is revoked. Logout and suspension revoke too."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from enum import StrEnum

TOKEN_BYTES = 32


class FamilyStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class RevokedBecause(StrEnum):
    LOGOUT = "logout"
    REUSE = "reuse"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class RefreshToken:
    """What is kept of one refresh token."""

    token_hash: str
    family_id: str
    user_id: str
    issued_at: int
    expires_at: int
    used: bool = False


@dataclass(frozen=True)
class Family:
    family_id: str
    user_id: str
    created_at: int
    expires_at: int  # the latest expiry of its tokens
    status: FamilyStatus = FamilyStatus.ACTIVE
    revoked_because: RevokedBecause | None = None
    revoked_at: int | None = None


class Verdict(StrEnum):
    ROTATE = "rotate"  # spend it, give the next one
    REUSED = "reused"  # spent already: revoke the family
    INVALID = "invalid"  # unknown, expired, or its family revoked


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_family_id() -> str:
    return "fam_" + secrets.token_hex(12)


def start(user_id: str, *, now: int, lifetime: int) -> tuple[str, Family, RefreshToken]:
    """A new family with its first token: (the token to hand out, the family, what is stored of the token)."""
    token, family_id = new_token(), new_family_id()
    record = RefreshToken(hash_token(token), family_id, user_id, issued_at=now, expires_at=now + lifetime)
    return token, Family(family_id, user_id, created_at=now, expires_at=record.expires_at), record


def successor(current: RefreshToken, *, now: int, lifetime: int) -> tuple[str, RefreshToken]:
    token = new_token()
    return token, RefreshToken(hash_token(token), current.family_id, current.user_id, issued_at=now, expires_at=now + lifetime)


def judge(record: RefreshToken | None, family: Family | None, *, now: int) -> Verdict:
    if record is None or family is None or family.status != FamilyStatus.ACTIVE:
        return Verdict.INVALID
    if record.used:
        return Verdict.REUSED
    if now >= record.expires_at:
        return Verdict.INVALID
    return Verdict.ROTATE


def revoked(family: Family, because: RevokedBecause, *, now: int) -> Family:
    return replace(family, status=FamilyStatus.REVOKED, revoked_because=because, revoked_at=now)
