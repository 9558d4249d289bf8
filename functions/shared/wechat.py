"""The WeChat server-API port: mini-program sign-in (`jscode2session`), the phone number a resident shares
(`getuserphonenumber`) and the stable access token those calls need (`stable_token`).

WeChat answers HTTP 200 with an `errcode` on errors. The AppID and AppSecret come from Secrets Manager
(`LINLI_WECHAT_SECRET_ARN`, JSON `{"app_id", "app_secret"}`), read on first use and kept; neither they, the access
token nor a user's code is ever logged. Every call has a timeout (`LINLI_WECHAT_TIMEOUT_SECONDS`).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.observability import logger

# errcodes (developers.weixin.qq.com): a bad or used login code; a spent access token; rate limit; system busy.
INVALID_CODE, CODE_USED = 40029, 40163
TOKEN_INVALID, TOKEN_EXPIRED = 40001, 42001
RATE_LIMITED, SYSTEM_BUSY = 45011, -1
# A cached token is replaced this long before WeChat's `expires_in` runs out (WeChat itself renews a stable token
# five minutes ahead).
TOKEN_MARGIN_SECONDS = 300


class WeChatSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINLI_WECHAT_", extra="ignore")

    secret_arn: str = ""
    api_base: str = "https://api.weixin.qq.com"
    timeout_seconds: float = 5


class WeChatError(Exception):
    """WeChat refused the call (`errcode`, `errmsg`) or could not be reached (`errcode` None)."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        self.errcode, self.errmsg = errcode, errmsg
        super().__init__(f"WeChat errcode {errcode}: {errmsg}" if errcode is not None else f"WeChat unreachable: {errmsg}")


class WeChatCodeInvalid(WeChatError):
    """The code from the mini program is unknown (40029) or was used already (40163)."""


class WeChatUnavailable(WeChatError):
    """WeChat did not answer, was busy (-1), rate-limited the app (45011) or refused for another reason."""


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    unionid: str | None = None


@dataclass(frozen=True)
class _Credentials:
    app_id: str
    app_secret: str

    def __repr__(self) -> str:  # never print the secret, even in a traceback's locals
        return f"_Credentials(app_id={self.app_id!r}, app_secret=***)"


@lru_cache(maxsize=1)
def _settings() -> WeChatSettings:
    return WeChatSettings()


@lru_cache(maxsize=1)
def _credentials() -> _Credentials:
    arn = _settings().secret_arn
    if not arn:
        raise WeChatUnavailable(None, "LINLI_WECHAT_SECRET_ARN is not set")
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=arn)
    values = json.loads(secret["SecretString"])
    return _Credentials(app_id=values["app_id"], app_secret=values["app_secret"])


class _TokenCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.token: str | None = None
        self.renew_at = 0.0


_token = _TokenCache()


def reset() -> None:
    """Forget the settings, the credentials and the access token (after the environment changed)."""
    _settings.cache_clear()
    _credentials.cache_clear()
    with _token.lock:
        _token.token, _token.renew_at = None, 0.0


def _call(method: str, path: str, *, query: dict[str, str] | None = None, body: dict | None = None) -> dict[str, Any]:
    """One call; the answer's JSON when `errcode` is absent or 0, else WeChatCodeInvalid / WeChatUnavailable."""
    settings = _settings()
    url = settings.api_base.rstrip("/") + path + ("?" + urllib.parse.urlencode(query) if query else "")
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    operation = path.rsplit("/", 1)[-1]
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as response:  # noqa: S310 - https in AWS
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        logger.warning("WeChat answered an HTTP error", extra={"operation": operation, "status": exc.code})
        raise WeChatUnavailable(None, f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = type(getattr(exc, "reason", exc)).__name__
        logger.warning("WeChat unreachable", extra={"operation": operation, "reason": reason})
        raise WeChatUnavailable(None, reason) from None
    if not isinstance(answer, dict):
        raise WeChatUnavailable(None, "not a JSON object")
    errcode = int(answer.get("errcode") or 0)
    if errcode:
        errmsg = str(answer.get("errmsg", ""))[:200]
        logger.warning("WeChat refused a call", extra={"operation": operation, "errcode": errcode, "errmsg": errmsg})
        kind = WeChatCodeInvalid if errcode in (INVALID_CODE, CODE_USED) else WeChatUnavailable
        raise kind(errcode, errmsg)
    return answer


def code_to_session(code: str) -> WeChatSession:
    """The mini program's `wx.login()` code → the resident's openid (and unionid, when the app is bound to an
    open-platform account). A code works once."""
    credentials = _credentials()
    answer = _call(
        "GET",
        "/sns/jscode2session",
        query={
            "appid": credentials.app_id,
            "secret": credentials.app_secret,
            "js_code": code,
            "grant_type": "authorization_code",
        },
    )
    openid = answer.get("openid")
    if not isinstance(openid, str) or not openid:
        raise WeChatUnavailable(None, "no openid in the answer")
    return WeChatSession(openid=openid, unionid=answer.get("unionid") or None)


def access_token(*, force_refresh: bool = False) -> str:
    """The stable access token, kept until shortly before it expires. `force_refresh` asks WeChat for a new one
    (after a 40001/42001: WeChat limits that to 20 a day)."""
    with _token.lock:
        if not force_refresh and _token.token and time.monotonic() < _token.renew_at:
            return _token.token
        token, expires_in = stable_token(force_refresh=force_refresh)
        _token.token = token
        _token.renew_at = time.monotonic() + max(0.0, expires_in - TOKEN_MARGIN_SECONDS)
        return token


def stable_token(*, force_refresh: bool = False) -> tuple[str, float]:
    """One `stable_token` call, uncached: (the access token, seconds it lives). Callers that share a token between
    processes (notify's subscription messages) keep it themselves."""
    credentials = _credentials()
    answer = _call(
        "POST",
        "/cgi-bin/stable_token",
        body={
            "grant_type": "client_credential",
            "appid": credentials.app_id,
            "secret": credentials.app_secret,
            "force_refresh": force_refresh,
        },
    )
    token, expires_in = answer.get("access_token"), answer.get("expires_in")
    if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
        raise WeChatUnavailable(None, "no access_token in the answer")
    return token, float(expires_in)


def post(path: str, body: dict, *, token: str) -> dict[str, Any]:
    """POST `body` to a server API with the given access token (`?access_token=`); WeChatUnavailable carries
    WeChat's errcode when it refused."""
    return _call("POST", path, query={"access_token": token}, body=body)


def call_with_token(path: str, body: dict) -> dict[str, Any]:
    """POST `body` to a server API that takes `?access_token=`; a token WeChat calls invalid or expired
    (40001/42001) is replaced once with `force_refresh` and the call repeated."""
    try:
        return _call("POST", path, query={"access_token": access_token()}, body=body)
    except WeChatUnavailable as exc:
        if exc.errcode not in (TOKEN_INVALID, TOKEN_EXPIRED):
            raise
    return _call("POST", path, query={"access_token": access_token(force_refresh=True)}, body=body)


def phone_number(code: str) -> str:
    """The mini program's `getPhoneNumber` code → the phone number the resident agreed to share (without the
    country code)."""
    answer = call_with_token("/wxa/business/getuserphonenumber", {"code": code})
    info = answer.get("phone_info") or {}
    number = info.get("purePhoneNumber") if isinstance(info, dict) else None
    if not isinstance(number, str) or not number:
        raise WeChatUnavailable(None, "no phone_info in the answer")
    return number
