"""The identity store in memory (unit tests): the same behaviour as the DynamoDB one, under a lock."""

from __future__ import annotations

import threading
from dataclasses import replace

from identity.domain.codes import StoredCode
from identity.domain.records import User
from identity.domain.sessions import Family, FamilyStatus, RefreshToken, RevokedBecause, revoked


class MemoryStore:
    def __init__(self, accounts: dict[str, User] | None = None) -> None:
        self.codes: dict[str, StoredCode] = {}
        self.daily: dict[tuple[str, str], int] = {}
        self.refresh: dict[str, RefreshToken] = {}
        self.families: dict[tuple[str, str], Family] = {}
        self.openids: dict[str, str] = {}
        # Shared with the accounts fake, so that a created resident is an account at once.
        self.accounts: dict[str, User] = accounts if accounts is not None else {}
        self._lock = threading.Lock()

    def get_code(self, phone: str) -> StoredCode | None:
        return self.codes.get(phone)

    def put_code(self, code: StoredCode, *, unless_sent_after: int) -> bool:
        with self._lock:
            current = self.codes.get(code.phone)
            if current is not None and current.sent_at > unless_sent_after:
                return False
            self.codes[code.phone] = code
            return True

    def count_wrong_try(self, phone: str, code_hash: str, *, max_attempts: int) -> bool:
        with self._lock:
            current = self.codes.get(phone)
            if current is None or current.code_hash != code_hash or current.attempts >= max_attempts:
                return False
            self.codes[phone] = replace(current, attempts=current.attempts + 1)
            return True

    def spend_code(self, phone: str, code_hash: str) -> bool:
        with self._lock:
            current = self.codes.get(phone)
            if current is None or current.code_hash != code_hash:
                return False
            del self.codes[phone]
            return True

    def take_daily(self, phone: str, day: str, *, limit: int, now: int) -> bool:
        with self._lock:
            count = self.daily.get((phone, day), 0)
            if count >= limit:
                return False
            self.daily[(phone, day)] = count + 1
            return True

    def start_family(self, family: Family, first: RefreshToken) -> None:
        with self._lock:
            self.families[(family.user_id, family.family_id)] = family
            self.refresh[first.token_hash] = first

    def get_refresh(self, token_hash: str) -> RefreshToken | None:
        return self.refresh.get(token_hash)

    def get_family(self, user_id: str, family_id: str) -> Family | None:
        return self.families.get((user_id, family_id))

    def rotate(self, spent: RefreshToken, successor: RefreshToken) -> bool:
        with self._lock:
            current = self.refresh.get(spent.token_hash)
            family = self.families.get((spent.user_id, spent.family_id))
            if current is None or current.used or family is None or family.status != FamilyStatus.ACTIVE:
                return False
            self.refresh[spent.token_hash] = replace(current, used=True)
            self.refresh[successor.token_hash] = successor
            self.families[(family.user_id, family.family_id)] = replace(
                family, expires_at=max(family.expires_at, successor.expires_at)
            )
            return True

    def revoke_family(self, user_id: str, family_id: str, because: RevokedBecause, *, now: int) -> None:
        with self._lock:
            family = self.families.get((user_id, family_id))
            if family is not None and family.status == FamilyStatus.ACTIVE:
                self.families[(user_id, family_id)] = revoked(family, because, now=now)

    def active_families(self, user_id: str) -> list[Family]:
        return [f for (u, _), f in sorted(self.families.items()) if u == user_id and f.status == FamilyStatus.ACTIVE]

    def account_of_openid(self, openid: str) -> str | None:
        return self.openids.get(openid)

    def link_openid(self, openid: str, user_id: str, *, unionid: str | None, now: int) -> bool:
        with self._lock:
            if openid in self.openids:
                return False
            self.openids[openid] = user_id
            return True

    def create_resident(self, account: User, openid: str, *, unionid: str | None, now: int) -> bool:
        with self._lock:
            if openid in self.openids or account.user_id in self.accounts:
                return False
            self.openids[openid] = account.user_id
            self.accounts[account.user_id] = account
            return True
