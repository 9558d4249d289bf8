"""Signed calls from companies' own systems (the /partner paths), verified inside the function.

API Gateway's authorizers never see the request body, which the signature covers, so the check runs here,
before routing: the key is the company's and not revoked, the timestamp is fresh, the signature matches
the method, path and body (exactly one `v1=` value), its timestamp and nonce were never used with the key
before, the key has not expired and was given the operation's scope (`SCOPES`), and the staff member the call
acts for (`Linli-On-Behalf-Of`) enrolled the key himself and is an active technician or dispatcher of that
company. The request then carries that person's identity, as a JWT would (with the key's id, which the order's
timeline, the audit log and the log lines record), and every permission check applies to it unchanged.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from shared import signing
from shared.dal import api_keys, rate_limits
from shared.errors import DomainError, Forbidden
from shared.records import ApiKey
from shared.settings import get_settings

ACTING_ROLES = ("technician", "dispatcher")

# Company systems call these paths, signed with their API key instead of a person's JWT (docs/integrators.md).
PARTNER_PREFIX = "/partner"

# What a key may be allowed to do: each scope is a set of /partner operations. A company's own system may do
# these, acting for one of its staff: the same routes, the same handlers and the same permission checks as that
# person's app (the route table, deploy/routes.py, adds each under PARTNER_PREFIX).
SCOPES: dict[str, tuple[tuple[str, str], ...]] = {
    "offers.read": (("GET", "/offers"),),
    "offers.answer": (("POST", "/offers/{offer_id}/accept"), ("POST", "/offers/{offer_id}/decline")),
    "orders.read": (("GET", "/orders"), ("GET", "/orders/{order_id}")),
    "orders.dispatch": (("POST", "/orders/{order_id}/dispatch"),),
    "orders.progress": (("POST", "/orders/{order_id}/progress"),),
    "orders.complete": (("POST", "/orders/{order_id}/completion"),),
}
_PATTERNS = [
    (scope, method, re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", path) + "$"))
    for scope, operations in SCOPES.items()
    for method, path in operations
]
PARTNER_OPERATIONS: tuple[tuple[str, str], ...] = tuple(op for operations in SCOPES.values() for op in operations)


def scope_of(method: str, path: str) -> str | None:
    """The scope a /partner call needs (path with or without the prefix, without its query)."""
    bare = path.split("?", 1)[0].removeprefix(PARTNER_PREFIX)
    return next((scope for scope, m, pattern in _PATTERNS if m == method.upper() and pattern.match(bare)), None)


class BadSignature(DomainError):
    status = 401
    code = "invalid_signature"
    message_zh = "请求签名无效"
    message_en = "The request signature is not valid."


class StaleSignature(BadSignature):
    code = "stale_signature"
    message_zh = "请求时间戳已过期（须在 5 分钟内）"
    message_en = "The request timestamp is stale (it must be within 5 minutes)."


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    message_zh = "请求太频繁，请稍后再试"
    message_en = "Too many requests; slow down and retry in a minute."


class ExpiredKey(BadSignature):
    code = "key_expired"
    message_zh = "密钥已过期，请新建密钥"
    message_en = "This key has expired; create a new one."


class OutOfScope(Forbidden):
    code = "key_out_of_scope"
    message_zh = "该密钥无权进行此操作，或未获该员工本人登记"
    message_en = "This key may not do this, or the staff member has not enrolled it."


def _expired(key: ApiKey, now_s: int) -> bool:
    if not key.expires_at:
        return False
    return datetime.fromisoformat(key.expires_at.replace("Z", "+00:00")) <= datetime.fromtimestamp(now_s, UTC)


class ReusedSignature(BadSignature):
    code = "signature_reused"
    message_zh = "该签名已使用过：每次请求须重新签名"
    message_en = "This signature was used before: sign every request anew."


def claims_for(
    *, method: str, path: str, headers: dict[str, str], body: str, now: float | None = None, source_ip: str = ""
) -> dict:
    """The claims a verified signed request carries, or a DomainError saying why it is refused. A call without the
    signature headers is refused before any work; an address with too many failed verifications this minute, and a
    key past its calls this minute, get 429 (`LINLI_PARTNER_*_PER_MINUTE`)."""
    now_s = int(now if now is not None else time.time())
    _require_signature_headers(headers)  # no table read, no count: an unsigned call costs nothing more
    settings = get_settings()
    if source_ip and rate_limits.count(f"SOURCE#{source_ip}", now_epoch=now_s) >= settings.partner_failures_per_source_per_minute:
        raise RateLimited()
    try:
        claims = _verified_claims(method=method, path=path, headers=headers, body=body, now_s=now_s)
    except BadSignature:
        if source_ip:
            rate_limits.add(f"SOURCE#{source_ip}", now_epoch=now_s)
        raise
    if not rate_limits.take(f"KEY#{claims['linli:key_id']}", settings.partner_calls_per_key_per_minute, now_epoch=now_s):
        raise RateLimited()
    return claims


def _require_signature_headers(headers: dict[str, str]) -> None:
    timestamp = headers.get(signing.TIMESTAMP_HEADER.lower(), "")
    nonce = headers.get(signing.NONCE_HEADER.lower(), "")
    named = (signing.KEY_ID_HEADER, signing.SIGNATURE_HEADER, signing.ON_BEHALF_OF_HEADER)
    if not (all(headers.get(h.lower()) for h in named) and timestamp.isdigit() and 8 <= len(nonce) <= 64):
        raise BadSignature(
            "缺少签名请求头（Linli-Key-Id、Linli-Timestamp、Linli-Nonce、Linli-Signature、Linli-On-Behalf-Of）",
            "Signed calls need Linli-Key-Id, Linli-Timestamp, Linli-Nonce (8-64 characters), Linli-Signature "
            "and Linli-On-Behalf-Of headers.",
        )


def _verified_claims(*, method: str, path: str, headers: dict[str, str], body: str, now_s: int) -> dict:
    key_id = headers.get(signing.KEY_ID_HEADER.lower(), "")
    timestamp = headers.get(signing.TIMESTAMP_HEADER.lower(), "")
    signature = headers.get(signing.SIGNATURE_HEADER.lower(), "")
    acting_for = headers.get(signing.ON_BEHALF_OF_HEADER.lower(), "")
    nonce = headers.get(signing.NONCE_HEADER.lower(), "")
    key = api_keys.get(key_id)
    if key is None or key.revoked_at is not None:
        raise BadSignature("密钥不存在或已停用", "Unknown or revoked key.")
    if not signing.is_fresh(int(timestamp), now_s):
        raise StaleSignature()
    payload = signing.signed_request(int(timestamp), nonce, method, path, acting_for, body.encode())
    # Exactly one `v1=` value (a key has one secret): extra values could only make one request look like many.
    if (
        len(signing.signatures_in(signature)) != 1
        or signature.count(",")
        or not signing.matches(signature, [key.secret], payload)
    ):
        raise BadSignature()
    # What is used up is the signed timestamp and nonce under the key, not the header's text: a request can be sent
    # once, however its signature header is dressed.
    if not api_keys.first_use(key_id, f"{timestamp}.{nonce}", forget_at=now_s + 2 * signing.TOLERANCE_SECONDS):
        raise ReusedSignature()
    if _expired(key, now_s):
        raise ExpiredKey()
    # Only what the key was given, and only for staff who enrolled it themselves.
    if scope_of(method, path) not in key.operations or acting_for not in key.enrolled:
        raise OutOfScope()
    from identity.service import accounts  # the staff member's account, as shared.auth reads it

    staff = accounts.get_user(acting_for)
    if staff is None or staff.company_id != key.company_id or staff.role not in ACTING_ROLES or staff.status != "active":
        raise Forbidden(
            "只能代表本公司在岗的师傅或调度员操作", "A company may act only for its own active technicians and dispatchers."
        )
    return {"sub": staff.user_id, "linli:key_id": key_id, "linli:company_id": key.company_id}
