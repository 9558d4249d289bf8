"""Access tokens: ES256 JWTs of at most 15 minutes, built here and signed by a key the caller holds (KMS). Only
`sub` is trusted by the API; the role is read from the account on every call."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass

ALGORITHM = "ES256"
MAX_LIFETIME_SECONDS = 900
COORDINATE_BYTES = 32  # P-256


@dataclass(frozen=True)
class AccessClaims:
    iss: str
    aud: str
    sub: str
    iat: int
    exp: int
    jti: str
    sid: str | None = None  # the session family it was issued in: the API refuses it once the family is revoked

    def as_dict(self) -> dict:
        found = {"iss": self.iss, "aud": self.aud, "sub": self.sub, "iat": self.iat, "exp": self.exp, "jti": self.jti}
        return found | ({"sid": self.sid} if self.sid else {})


def access_claims(
    *, issuer: str, audience: str, subject: str, now: int, lifetime: int, session: str | None = None
) -> AccessClaims:
    if not issuer or not audience or not subject:
        raise ValueError("an access token needs an issuer, an audience and a subject")
    if lifetime > MAX_LIFETIME_SECONDS:
        raise ValueError(f"access tokens live at most {MAX_LIFETIME_SECONDS} s")
    return AccessClaims(issuer, audience, subject, now, now + lifetime, "at_" + secrets.token_hex(12), session)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signing_input(claims: AccessClaims, kid: str) -> bytes:
    """`<header>.<payload>` as JWS compact serialization signs it."""
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": kid}
    parts = (json.dumps(p, separators=(",", ":"), sort_keys=True).encode() for p in (header, claims.as_dict()))
    return ".".join(b64url(p) for p in parts).encode()


def compact(signing_input_: bytes, raw_signature: bytes) -> str:
    if len(raw_signature) != 2 * COORDINATE_BYTES:
        raise ValueError("an ES256 signature is r || s, 64 bytes")
    return f"{signing_input_.decode()}.{b64url(raw_signature)}"


def raw_signature(r: int, s: int) -> bytes:
    """JWS wants r || s, each 32 bytes big-endian (KMS and most libraries give a DER sequence of the two)."""
    return r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")


def public_jwk(x: int, y: int) -> dict:
    """The P-256 public key as a JWK, its `kid` the RFC 7638 thumbprint (the same key always has the same id)."""
    coords = {"crv": "P-256", "kty": "EC", "x": b64url(x.to_bytes(32, "big")), "y": b64url(y.to_bytes(32, "big"))}
    thumbprint = b64url(hashlib.sha256(json.dumps(coords, separators=(",", ":"), sort_keys=True).encode()).digest())
    return {**coords, "kid": thumbprint, "alg": ALGORITHM, "use": "sig"}
