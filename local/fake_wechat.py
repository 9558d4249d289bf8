"""The sandbox's WeChat server API, served by `make run` under `/wechat-api` (LINLI_WECHAT_API_BASE points at it).

Same requests, answers and error codes as api.weixin.qq.com for the calls the platform makes:
- `GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code` → `{"openid", "session_key",
  "unionid"}`. A code is `wx-demo:<openid>`, optionally `wx-demo:<openid>:<anything>` (the apps add a random tail,
  as every `wx.login()` gives a new code); it signs in as that openid. A code works once: used again within five
  minutes (how long a real code lives) → 40163; anything else → 40029.
- `POST /cgi-bin/stable_token` `{"grant_type": "client_credential", "appid", "secret", "force_refresh"}` →
  `{"access_token", "expires_in"}`; the same token until it expires, a new one (the old one dead) on force_refresh.
- `POST /wxa/business/getuserphonenumber?access_token=` `{"code"}`: a code `wx-phone:<11 digits>` gives that
  number in `phone_info`; a dead token → 40001, an expired one → 42001.
More calls per minute than `calls_per_minute` → 45011, as WeChat limits an app.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PREFIX = "/wechat-api"
CODE_SECONDS = 300  # a wx.login() code lives five minutes
TOKEN_SECONDS = 7200
_OPENID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PHONE = re.compile(r"^1\d{10}$")


def _error(errcode: int, errmsg: str) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": f"{errmsg} rid: {secrets.token_hex(4)}-{secrets.token_hex(4)}"}


@dataclass
class FakeWeChat:
    app_id: str
    app_secret: str
    calls_per_minute: int = 600
    token_seconds: int = TOKEN_SECONDS
    clock: Any = time.time
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _used: dict[str, float] = field(default_factory=dict)  # code → when it was used
    _calls: deque = field(default_factory=deque)
    _tokens: dict[str, float] = field(default_factory=dict)  # token → when it expires (only the current one lives)
    _dead: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of every call, for tests

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """One request under PREFIX → (HTTP status, JSON answer). WeChat answers 200 even for its errors."""
        parts = urlsplit(path)
        route = parts.path.removeprefix(PREFIX)
        query = dict(parse_qsl(parts.query))
        with self._lock:
            self.calls.append((method, route))
            now = self.clock()
            while self._calls and self._calls[0] <= now - 60:
                self._calls.popleft()
            if len(self._calls) >= self.calls_per_minute:
                return 200, _error(45011, "api minute-quota reach limit  mustslower  retry next minute")
            self._calls.append(now)
            for code, used_at in list(self._used.items()):
                if used_at <= now - CODE_SECONDS:
                    del self._used[code]
            if route == "/sns/jscode2session" and method == "GET":
                return 200, self._jscode2session(query, now)
            if route == "/cgi-bin/stable_token" and method == "POST":
                return 200, self._stable_token(_json(body), now)
            if route == "/wxa/business/getuserphonenumber" and method == "POST":
                return 200, self._phone_number(query, _json(body), now)
        return 404, {"errcode": 404, "errmsg": "not found"}

    def _app(self, appid: Any, secret: Any) -> dict[str, Any] | None:
        if appid != self.app_id:
            return _error(40013, "invalid appid")
        if secret != self.app_secret:
            return _error(40125, "invalid appsecret")
        return None

    def _take_code(self, code: str, now: float) -> dict[str, Any] | None:
        if code in self._used:
            return _error(40163, "code been used")
        self._used[code] = now
        return None

    def _jscode2session(self, query: dict[str, str], now: float) -> dict[str, Any]:
        refused = self._app(query.get("appid"), query.get("secret"))
        if refused:
            return refused
        if query.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        code = query.get("js_code", "")
        kind, _, rest = code.partition(":")
        openid = rest.split(":", 1)[0]
        if kind != "wx-demo" or not _OPENID.match(openid):
            return _error(40029, "invalid code")
        used = self._take_code(code, now)
        if used:
            return used
        return {"openid": openid, "session_key": secrets.token_urlsafe(16), "unionid": f"union_{openid}"}

    def _stable_token(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        if body.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        refused = self._app(body.get("appid"), body.get("secret"))
        if refused:
            return refused
        current = next((t for t, expires in self._tokens.items() if expires > now), None)
        if current is None or body.get("force_refresh") is True:
            self._dead.update(self._tokens)
            self._tokens = {}
            current = secrets.token_urlsafe(32)
            self._tokens[current] = now + self.token_seconds
        return {"access_token": current, "expires_in": int(self._tokens[current] - now)}

    def _phone_number(self, query: dict[str, str], body: dict[str, Any], now: float) -> dict[str, Any]:
        token = query.get("access_token", "")
        if token not in self._tokens:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if self._tokens[token] <= now:
            return _error(42001, "access_token expired")
        code = str(body.get("code", ""))
        kind, _, number = code.partition(":")
        number = number.split(":", 1)[0]
        if kind != "wx-phone" or not _PHONE.match(number):
            return _error(40029, "invalid code")
        used = self._take_code(code, now)
        if used:
            return used
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": number,
                "purePhoneNumber": number,
                "countryCode": "86",
                "watermark": {"timestamp": int(now), "appid": self.app_id},
            },
        }

    def expire_tokens(self) -> None:
        """Tests: make the current token expired (as two hours later)."""
        with self._lock:
            self._tokens = {t: 0.0 for t in self._tokens}


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
