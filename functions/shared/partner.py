"""Signed calls from companies' own systems (the /partner paths), verified inside the function.

API Gateway's authorizers never see the request body, which the signature covers, so the check runs here,
before routing: the key is the company's and not revoked, the timestamp is fresh, the signature matches
the method, path and body (exactly one `v1=` value), its timestamp and nonce were never used with the key
before, and the staff member the call acts for (`Linli-On-Behalf-Of`) is an active technician or dispatcher
of that company. The request then carries
that person's identity, as a JWT would, and every permission check applies to it unchanged.
"""

from __future__ import annotations

import time

from shared import signing
from shared.dal import api_keys, people
from shared.errors import DomainError, Forbidden

ACTING_ROLES = ("technician", "dispatcher")


class BadSignature(DomainError):
    status = 401
    code = "invalid_signature"
    message_zh = "请求签名无效"
    message_en = "The request signature is not valid."


class StaleSignature(BadSignature):
    code = "stale_signature"
    message_zh = "请求时间戳已过期（须在 5 分钟内）"
    message_en = "The request timestamp is stale (it must be within 5 minutes)."


class ReusedSignature(BadSignature):
    code = "signature_reused"
    message_zh = "该签名已使用过：每次请求须重新签名"
    message_en = "This signature was used before: sign every request anew."


def claims_for(*, method: str, path: str, headers: dict[str, str], body: str, now: float | None = None) -> dict:
    """The claims a verified signed request carries, or a DomainError saying why it is refused."""
    now_s = int(now if now is not None else time.time())
    key_id = headers.get(signing.KEY_ID_HEADER.lower(), "")
    timestamp = headers.get(signing.TIMESTAMP_HEADER.lower(), "")
    signature = headers.get(signing.SIGNATURE_HEADER.lower(), "")
    acting_for = headers.get(signing.ON_BEHALF_OF_HEADER.lower(), "")
    nonce = headers.get(signing.NONCE_HEADER.lower(), "")
    if not (key_id and timestamp.isdigit() and signature and acting_for and 8 <= len(nonce) <= 64):
        raise BadSignature(
            "缺少签名请求头（Linli-Key-Id、Linli-Timestamp、Linli-Nonce、Linli-Signature、Linli-On-Behalf-Of）",
            "Signed calls need Linli-Key-Id, Linli-Timestamp, Linli-Nonce (8-64 characters), Linli-Signature "
            "and Linli-On-Behalf-Of headers.",
        )
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
    staff = people.get_user(acting_for)
    if staff is None or staff.company_id != key.company_id or staff.role not in ACTING_ROLES or staff.status != "active":
        raise Forbidden(
            "只能代表本公司在岗的师傅或调度员操作", "A company may act only for its own active technicians and dispatchers."
        )
    return {"sub": staff.user_id, "cognito:groups": f"[{staff.role}]", "linli:key_id": key_id, "linli:company_id": key.company_id}
