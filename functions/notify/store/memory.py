"""The WeChat subscription store in memory (unit tests): the same behaviour as the DynamoDB one, under a lock."""

from __future__ import annotations

import threading

from notify.store import CachedToken, WeChatDeadLetter


class MemoryStore:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        self.token: CachedToken | None = None
        self.lease: tuple[str, float] | None = None  # (owner, until)
        self.letters: list[WeChatDeadLetter] = []
        self._lock = threading.Lock()

    def add_consents(self, user_id: str, template_ids: list[str], *, now: str) -> None:
        with self._lock:
            for template_id in template_ids:
                self.counts[(user_id, template_id)] = self.counts.get((user_id, template_id), 0) + 1

    def consents(self, user_id: str) -> dict[str, int]:
        with self._lock:
            return {t: n for (u, t), n in sorted(self.counts.items()) if u == user_id}

    def spend_consent(self, user_id: str, template_id: str) -> bool:
        with self._lock:
            left = self.counts.get((user_id, template_id), 0)
            if left <= 0:
                return False
            self.counts[(user_id, template_id)] = left - 1
            return True

    def return_consent(self, user_id: str, template_id: str) -> None:
        with self._lock:
            self.counts[(user_id, template_id)] = self.counts.get((user_id, template_id), 0) + 1

    def clear_consents(self, user_id: str, template_id: str) -> None:
        with self._lock:
            if (user_id, template_id) in self.counts:
                self.counts[(user_id, template_id)] = 0

    def cached_token(self) -> CachedToken | None:
        return self.token

    def put_token(self, token: CachedToken) -> None:
        with self._lock:
            self.token = token

    def take_lease(self, owner: str, *, now: float, seconds: float) -> bool:
        with self._lock:
            if self.lease is not None and self.lease[0] != owner and self.lease[1] > now:
                return False
            self.lease = (owner, now + seconds)
            return True

    def release_lease(self, owner: str) -> None:
        with self._lock:
            if self.lease is not None and self.lease[0] == owner:
                self.lease = None

    def add_dead_letter(self, letter: WeChatDeadLetter) -> None:
        with self._lock:
            if all(existing.message_id != letter.message_id for existing in self.letters):
                self.letters.append(letter)

    def dead_letters(self, limit: int = 50) -> list[WeChatDeadLetter]:
        with self._lock:
            return sorted(self.letters, key=lambda x: (x.at, x.message_id), reverse=True)[:limit]
