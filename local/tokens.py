"""Sandbox sign-in: JWTs shaped like Cognito's, signed with a local key (the sandbox's own issuer)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import jwt

ISSUER = "https://linli.local/sandbox"
AUDIENCE = "linli-sandbox-client"
_SECRET = secrets.token_bytes(32)
TOKEN_SECONDS = 12 * 3600
KEY_ID = "sandbox"


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
    return jwt.encode(claims, _SECRET, algorithm="HS256", headers={"kid": KEY_ID})


def verify(token: str) -> dict:
    """What API Gateway's JWT authorizer checks: signature, algorithm, issuer, audience, times."""
    return jwt.decode(
        token, _SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER, options={"require": ["exp", "iat", "sub"]}
    )


@lru_cache(maxsize=1)
def jwks_url() -> str:
    """The sandbox issuer's key set, as Cognito publishes its JWKS, for the WebSocket $connect's check
    (shared.identity). A file readable by this user only, not an HTTP endpoint: the sandbox's key is symmetric."""
    folder = Path(tempfile.mkdtemp(prefix="linli-jwks-"))
    path = folder / "jwks.json"
    key = base64.urlsafe_b64encode(_SECRET).rstrip(b"=").decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"keys": [{"kty": "oct", "kid": KEY_ID, "alg": "HS256", "use": "sig", "k": key}]}, out)
    return path.as_uri()


def claims_as_api_gateway_passes_them(claims: dict) -> dict:
    # HTTP API hands claims to Lambda as strings; arrays become "[a b]".
    return {k: (f"[{' '.join(map(str, v))}]" if isinstance(v, list) else str(v)) for k, v in claims.items()}
