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
- `POST /cgi-bin/message/subscribe/send?access_token=` `{"touser", "template_id", "page", "data", "miniprogram_state",
  "lang"}`: the token as above; 40003 for an openid that is not one, 40037 for a template the app has not registered
  (`templates`: id → its field keys, as in the admin console), 43101 when the resident refused it (`refuse`), 41030
  for a page the mini-program does not have (`pages`), 47003 for a missing field or a value breaking WeChat's rules
  for its type (thing ≤ 20 characters; character_string ≤ 32 digits, letters or symbols; phrase ≤ 5 Chinese
  characters; time a 24-hour time, with the date optionally, or two joined by ~; amount a currency sign and ≤ 10
  digits, decimals and 元 allowed). What it took is kept: `sent(openid)` (the sandbox's GET /dev/wechat/sent).
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
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

PREFIX = "/wechat-api"
CODE_SECONDS = 300  # a wx.login() code lives five minutes
TOKEN_SECONDS = 7200
_OPENID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PHONE = re.compile(r"^1\d{10}$")
# subscribeMessage.send's value rules by field type (订阅消息参数值内容限制).
_TIME_POINT = (
    r"(?:\d{4}年\d{1,2}月\d{1,2}日 |\d{4}-\d{2}-\d{2} )?(?:[01]\d|2[0-3]):[0-5]\d|\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}"
)
_FIELD_RULES = {
    "thing": lambda v: len(v) <= 20,
    "character_string": lambda v: len(v) <= 32 and all("!" <= c <= "~" for c in v),
    "phrase": lambda v: re.fullmatch(r"[\u4e00-\u9fff]{1,5}", v) is not None,
    "time": lambda v: re.fullmatch(rf"(?:{_TIME_POINT})(?:~(?:{_TIME_POINT}))?", v) is not None,
    "amount": lambda v: re.fullmatch(r"[¥￥$]?\d{1,10}(?:\.\d+)?元?", v) is not None,
}
_STATES = ("developer", "trial", "formal")
_LANGS = ("zh_CN", "en_US", "zh_HK", "zh_TW")


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
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # subscription template id → field keys
    pages: tuple[str, ...] | None = None  # the mini-program's pages (None: any)
    _refused: set[tuple[str, str | None]] = field(default_factory=set)
    _sent: list[dict[str, Any]] = field(default_factory=list)

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
            if route == "/cgi-bin/message/subscribe/send" and method == "POST":
                return 200, self._subscribe_send(query, _json(body), now)
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

    def _token_refused(self, query: dict[str, str], now: float) -> dict[str, Any] | None:
        token = query.get("access_token", "")
        if token not in self._tokens:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if self._tokens[token] <= now:
            return _error(42001, "access_token expired")
        return None

    def _subscribe_send(self, query: dict[str, str], body: dict[str, Any], now: float) -> dict[str, Any]:
        refused = self._token_refused(query, now)
        if refused:
            return refused
        touser, template_id = body.get("touser"), body.get("template_id")
        if not isinstance(touser, str) or not _OPENID.match(touser):
            return _error(40003, "invalid openid")
        if not isinstance(template_id, str) or template_id not in self.templates:
            return _error(40037, "invalid template_id")
        if (touser, template_id) in self._refused or (touser, None) in self._refused:
            return _error(43101, "user refuse to accept the msg")
        page = body.get("page")
        if page is not None and (
            not isinstance(page, str) or (self.pages is not None and page.split("?", 1)[0] not in self.pages)
        ):
            return _error(41030, "invalid page")
        if body.get("miniprogram_state", "formal") not in _STATES or body.get("lang", "zh_CN") not in _LANGS:
            return _error(47003, "argument invalid! miniprogram_state or lang invalid")
        data = body.get("data")
        if not isinstance(data, dict):
            return _error(47003, "argument invalid! data invalid")
        for key in self.templates[template_id]:
            entry = data.get(key)
            value = entry.get("value") if isinstance(entry, dict) else None
            if value is None or value == "":
                return _error(47003, f"argument invalid! data.{key}.value is empty")
            rule = _FIELD_RULES.get(key.rstrip("0123456789"))
            if not isinstance(value, str) or rule is None or not rule(value):
                return _error(47003, f"argument invalid! data.{key}.value invalid")
        self._sent.append({"touser": touser, "template_id": template_id, "page": page, "data": data, "sent_at": _iso(now)})
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self._sent)}

    def refuse(self, openid: str, template_id: str | None = None) -> None:
        """Tests: the resident refused that template (any template: None) in WeChat → 43101."""
        with self._lock:
            self._refused.add((openid, template_id))

    def sent(self, openid: str | None = None) -> list[dict[str, Any]]:
        """The subscription messages taken, oldest first (one openid's)."""
        with self._lock:
            return [dict(m) for m in self._sent if openid is None or m["touser"] == openid]

    def _phone_number(self, query: dict[str, str], body: dict[str, Any], now: float) -> dict[str, Any]:
        refused = self._token_refused(query, now)
        if refused:
            return refused
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


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
