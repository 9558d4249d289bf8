"""Sandbox sign-in: JWTs shaped like Cognito's, signed with a local key (the sandbox's own issuer)."""

from __future__ import annotations

import secrets
import time

import jwt

ISSUER = "https://linli.local/sandbox"
AUDIENCE = "linli-sandbox-client"
_SECRET = secrets.token_bytes(32)
TOKEN_SECONDS = 12 * 3600


def issue(user_id: str, role: str, *, lifetime: int = TOKEN_SECONDS) -> str:
    now = int(time.time())
    claims = {
        "sub": user_id,
        "cognito:groups": [role],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "token_use": "id",
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, _SECRET, algorithm="HS256")


def verify(token: str) -> dict:
    """What API Gateway's JWT authorizer checks: signature, algorithm, issuer, audience, times."""
    return jwt.decode(
        token, _SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER, options={"require": ["exp", "iat", "sub"]}
    )


def claims_as_api_gateway_passes_them(claims: dict) -> dict:
    # HTTP API hands claims to Lambda as strings; arrays become "[a b]".
    return {k: (f"[{' '.join(map(str, v))}]" if isinstance(v, list) else str(v)) for k, v in claims.items()}
