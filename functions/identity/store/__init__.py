"""What the identity domain keeps: one-time codes and their daily counts, refresh tokens and their families, and
which WeChat openid is which account. `IdentityStore` is the port; `dynamodb.DynamoStore` keeps it in the single
table, `memory.MemoryStore` in a dict (unit tests). Both pass tests/contract/test_identity_store.py."""

from __future__ import annotations

from typing import Protocol

from identity.domain.codes import StoredCode
from identity.domain.records import User
from identity.domain.sessions import Family, RefreshToken, RevokedBecause


class IdentityStore(Protocol):
    # --- One-time codes (one current code per phone number) -------------------------------------------
    def get_code(self, phone: str) -> StoredCode | None: ...

    def put_code(self, code: StoredCode, *, unless_sent_after: int) -> bool:
        """Replace the number's code, unless its current code was sent after `unless_sent_after` (the cooldown,
        checked in the write: two parallel sends cannot both pass). False when nothing was written."""
        ...

    def count_wrong_try(self, phone: str, code_hash: str, *, max_attempts: int) -> bool:
        """One more wrong try on that very code, unless it has had `max_attempts` already (False then)."""
        ...

    def spend_code(self, phone: str, code_hash: str) -> bool:
        """Remove that very code (used); False when it was gone or replaced meanwhile (another try won)."""
        ...

    def take_daily(self, phone: str, day: str, *, limit: int, now: int) -> bool:
        """Count one more code for the number on that day; False (nothing counted) once `limit` were counted."""
        ...

    # --- Refresh tokens ---------------------------------------------------------------------------------
    def start_family(self, family: Family, first: RefreshToken) -> None: ...

    def get_refresh(self, token_hash: str) -> RefreshToken | None: ...

    def get_family(self, user_id: str, family_id: str) -> Family | None: ...

    def rotate(self, spent: RefreshToken, successor: RefreshToken) -> bool:
        """In one write: `spent` is marked used (if it was not), `successor` stored, the family (if still active)
        extended to the successor's expiry. False, and nothing written, when any of that did not hold."""
        ...

    def revoke_family(self, user_id: str, family_id: str, because: RevokedBecause, *, now: int) -> None: ...

    def active_families(self, user_id: str) -> list[Family]: ...

    # --- WeChat ------------------------------------------------------------------------------------------
    def account_of_openid(self, openid: str) -> str | None: ...

    def link_openid(self, openid: str, user_id: str, *, unionid: str | None, now: int) -> bool:
        """Link an existing account; False when the openid was linked already."""
        ...

    def create_resident(self, account: User, openid: str, *, unionid: str | None, now: int) -> bool:
        """A new resident account and its openid link, both or neither; False when the openid was linked
        meanwhile (a parallel first sign-in)."""
        ...
