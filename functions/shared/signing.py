"""HMAC-SHA256 signatures over a timestamp and a body: on the webhooks we send and the calls companies make.

    signature = hex(HMAC-SHA256(secret, f"{timestamp}." + body))          # webhooks (body = the JSON bytes)
    signature = hex(HMAC-SHA256(secret, f"{timestamp}.{nonce}.{METHOD}.{path}.{acting_for}." + body))  # inbound calls

The header carries one `v1=` value per secret in use: during a rotation, the new and the old one, so a
receiver that still has only the old secret keeps accepting deliveries until it switches.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Linli-Signature"
TIMESTAMP_HEADER = "Linli-Timestamp"
EVENT_ID_HEADER = "Linli-Event-Id"
EVENT_TYPE_HEADER = "Linli-Event-Type"
KEY_ID_HEADER = "Linli-Key-Id"
NONCE_HEADER = "Linli-Nonce"  # unique per request: two identical calls in one second still sign differently
ON_BEHALF_OF_HEADER = "Linli-On-Behalf-Of"
TOLERANCE_SECONDS = 300  # a signature older (or newer) than this is stale


def signed_payload(timestamp: int, body: bytes) -> bytes:
    """What a webhook delivery's signature covers."""
    return f"{timestamp}.".encode() + body


def signed_request(timestamp: int, nonce: str, method: str, path: str, acting_for: str, body: bytes) -> bytes:
    """What a company's call's signature covers: everything that decides what the call does, and for whom."""
    return f"{timestamp}.{nonce}.{method.upper()}.{path}.{acting_for}.".encode() + body


def sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], payload: bytes) -> str:
    return ",".join(f"v1={sign(s, payload)}" for s in secrets)


def signatures_in(header: str) -> list[str]:
    return [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]


def is_fresh(timestamp: int, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    return abs(now - timestamp) <= tolerance


def matches(header: str, secrets: list[str], payload: bytes) -> bool:
    """True if any signature in the header was made with any of the secrets (compared in constant time)."""
    expected = [sign(s, payload) for s in secrets]
    return any(hmac.compare_digest(given, want) for given in signatures_in(header) for want in expected)
