"""One-time sign-in codes sent by SMS: 6 digits, stored only as an HMAC with a salt of their own, valid a few
minutes, a few tries, a wait between two sends to one number and a cap per number and Beijing day."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

DIGITS = 6
BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class CodePolicy:
    lifetime_seconds: int = 300
    max_attempts: int = 5
    cooldown_seconds: int = 60
    per_day: int = 10


@dataclass(frozen=True)
class StoredCode:
    """What is kept of a code sent to a number (never the code itself)."""

    phone: str
    salt: str
    code_hash: str
    sent_at: int  # epoch seconds
    expires_at: int
    attempts: int = 0  # wrong tries so far
    deliverable: bool = True  # False: the number has no account, nothing was sent (the answer was the same)
    bind_to: str | None = None  # a resident binding this number to their account (else: a staff sign-in)


class Verdict(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY = "too_many"


def new_code() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def digest(code: str, salt: str) -> str:
    return hmac.new(bytes.fromhex(salt), code.encode(), hashlib.sha256).hexdigest()


def issue(
    phone: str, code: str, *, now: int, policy: CodePolicy, deliverable: bool = True, bind_to: str | None = None
) -> StoredCode:
    salt = secrets.token_hex(16)
    return StoredCode(
        phone=phone,
        salt=salt,
        code_hash=digest(code, salt),
        sent_at=now,
        expires_at=now + policy.lifetime_seconds,
        deliverable=deliverable,
        bind_to=bind_to,
    )


def cooling_down(previous: StoredCode | None, *, now: int, policy: CodePolicy) -> bool:
    """True while the number waits before another code may be sent."""
    return previous is not None and now < previous.sent_at + policy.cooldown_seconds


def judge(stored: StoredCode | None, code: str, *, now: int, policy: CodePolicy, for_user: str | None = None) -> Verdict:
    """What a try of `code` against the number's current code is worth. No code at all (never sent, used, or
    gone) is a wrong code, as is a code of a number without an account, and a code asked for another purpose
    (a staff sign-in's code tried to bind a resident's number, or another resident's binding code)."""
    if stored is None:
        return Verdict.WRONG
    if stored.attempts >= policy.max_attempts:
        return Verdict.TOO_MANY
    if now >= stored.expires_at:
        return Verdict.EXPIRED
    well_formed = len(code) == DIGITS and code.isdigit() and stored.bind_to == for_user
    if well_formed and stored.deliverable and hmac.compare_digest(digest(code, stored.salt), stored.code_hash):
        return Verdict.OK
    return Verdict.WRONG


def beijing_day(now: int) -> str:
    """The Beijing calendar day of an instant (daily caps)."""
    return datetime.fromtimestamp(now, UTC).astimezone(BEIJING).date().isoformat()


def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits."""
    digits = "".join(c for c in phone if c.isdigit())
    digits = digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"
