"""The WeChat access token that every notify function instance shares: kept in the table (notify.store), renewed
shortly before it expires by one caller at a time. The renewer holds a lease (a conditional write); the others
use the current token while it still lives, or wait briefly for the new one. After WeChat calls a token invalid or
expired (40001/42001) the token is replaced with `force_refresh`, unless another caller replaced it meanwhile."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from functools import lru_cache

from notify.domain.settings import notify_settings
from notify.store import CachedToken, WeChatStore
from shared import wechat

POLL_SECONDS = 0.05


class TokenSource:
    def __init__(
        self,
        store: WeChatStore,
        *,
        fetch: Callable[..., tuple[str, float]] = wechat.stable_token,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        lease_seconds: float | None = None,
        wait_seconds: float | None = None,
        margin_seconds: float = wechat.TOKEN_MARGIN_SECONDS,
    ) -> None:
        self.store, self.fetch, self.clock, self.sleep = store, fetch, clock, sleep
        self.lease_seconds = lease_seconds or notify_settings().wechat_token_lease_seconds
        # Wait for another caller's renewal about as long as its lease lasts (a renewer that died frees it then).
        self.wait_seconds = wait_seconds if wait_seconds is not None else self.lease_seconds + 1
        self.margin_seconds = margin_seconds
        self._memo: CachedToken | None = None
        self._lock = threading.Lock()

    def token(self) -> str:
        """A live token: this instance's copy, the table's, or a renewed one."""
        now = self.clock()
        memo = self._memo
        if memo is not None and now < memo.renew_at:
            return memo.token
        cached = self.store.cached_token()
        if cached is not None and now < cached.renew_at:
            self._memo = cached
            return cached.token
        usable = cached if cached is not None and now < cached.expires_at else None
        return self._renew(force=False, stale=None, meanwhile=usable)

    def refreshed(self, stale: str) -> str:
        """A token other than `stale`, which WeChat refused (40001/42001)."""
        self._memo = None
        return self._renew(force=True, stale=stale, meanwhile=None)

    def _fresh(self, cached: CachedToken | None, stale: str | None, now: float) -> bool:
        return cached is not None and cached.token != stale and now < cached.renew_at

    def _renew(self, *, force: bool, stale: str | None, meanwhile: CachedToken | None) -> str:
        deadline = self.clock() + self.wait_seconds
        while True:
            now = self.clock()
            owner = uuid.uuid4().hex
            if self.store.take_lease(owner, now=now, seconds=self.lease_seconds):
                try:
                    cached = self.store.cached_token()  # renewed by another caller since we looked?
                    if self._fresh(cached, stale, now) or (
                        force and cached is not None and cached.token != stale and now < cached.expires_at
                    ):
                        self._memo = cached
                        return cached.token
                    token, expires_in = self.fetch(force_refresh=force)
                    now = self.clock()
                    renewed = CachedToken(token, now + max(0.0, expires_in - self.margin_seconds), now + expires_in)
                    self.store.put_token(renewed)
                    self._memo = renewed
                    return token
                finally:
                    self.store.release_lease(owner)
            if meanwhile is not None:  # another caller renews it; the current token still lives
                return meanwhile.token
            self.sleep(POLL_SECONDS)
            cached = self.store.cached_token()
            if self._fresh(cached, stale, self.clock()):
                self._memo = cached
                return cached.token
            if self.clock() > deadline:
                raise wechat.WeChatUnavailable(None, "the access token's renewal did not finish in time")


@lru_cache(maxsize=1)
def shared_source() -> TokenSource:
    from notify.store.dynamodb import DynamoStore

    return TokenSource(DynamoStore())
