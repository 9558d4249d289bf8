"""Sandbox sign-in: the platform's own token service (functions/identity), with its signing key in moto's KMS, as in
AWS. `issue` signs an access token for a demo person or a test (as /dev/login does, through the same service);
`verify` is what API Gateway's JWT authorizer checks (the local gateway uses it)."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

ISSUER = "https://linli.local/sandbox"
AUDIENCE = "linli"
SIGNING_KEY_ALIAS = "alias/linli-token-signing"


def create_signing_key(kms: Any) -> str:
    """The token signing key, as CDK creates it: ECC_NIST_P256 for SIGN_VERIFY; its alias names it."""
    key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", Description="Linli access token signing (sandbox)")[
        "KeyMetadata"
    ]["KeyId"]
    kms.create_alias(AliasName=SIGNING_KEY_ALIAS, TargetKeyId=key_id)
    return key_id


def write_jwks(document: dict) -> str:
    """The published keys as a file (public keys only), for the verifiers' JWKS client (shared.identity)."""
    folder = Path(tempfile.mkdtemp(prefix="linli-jwks-"))
    path = folder / "jwks.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(document, out)
    return path.as_uri()


def issue(user_id: str, role: str | None = None, *, lifetime: int | None = None) -> str:
    """An access token for the account, signed by the token service (`role` is not in it: the account's role
    counts). A negative `lifetime` gives an expired token (tests)."""
    from identity.service.wiring import sign_in

    return sign_in().access_token(user_id, lifetime=lifetime)


def sign_in_session(user_id: str) -> dict:
    """A full session (access and refresh token) for a usable account, as a real sign-in starts it."""
    from identity.service.wiring import sign_in
    from identity.store import accounts

    service = sign_in()
    account = accounts.get_user(user_id)
    tokens = service.start_session(account)  # type: ignore[arg-type] - refused inside when None
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "token_type": tokens.token_type,
        "expires_in": tokens.expires_in,
        "needs_phone": tokens.needs_phone,
    }


def verify(token: str) -> dict:
    """What API Gateway's JWT authorizer checks: signature by a key of the JWKS, issuer, audience, times."""
    from shared import identity

    return identity.verify(token)


def link_demo_residents(resident_ids: list[str]) -> None:
    """Every demo resident signs in with WeChat code `wx-demo:<their user id>`: the openid is the user id."""
    from identity.store.dynamodb import DynamoStore

    store, now = DynamoStore(), int(time.time())
    for user_id in resident_ids:
        store.link_openid(user_id, user_id, unionid=None, now=now)


def claims_as_api_gateway_passes_them(claims: dict) -> dict:
    # HTTP API hands claims to Lambda as strings; arrays become "[a b]".
    return {k: (f"[{' '.join(map(str, v))}]" if isinstance(v, list) else str(v)) for k, v in claims.items()}


def sign_claims(claims: dict, *, kid: str | None = None, header: dict | None = None) -> str:
    """Any claims, signed ES256 by the sandbox's real signing key (security tests: a well-signed token with a wrong
    issuer, audience or expiry must still be refused)."""
    from identity.domain.claims import b64url
    from identity.service.wiring import sign_in

    signer = sign_in().signer
    head = {"alg": "ES256", "typ": "JWT", "kid": kid or signer.kid(), **(header or {})}
    message = ".".join(b64url(json.dumps(part).encode()) for part in (head, claims)).encode()
    return f"{message.decode()}.{b64url(signer.sign(message))}"


def key_id() -> str:
    """The kid of the sandbox's signing key, as its JWKS names it."""
    from identity.service.wiring import sign_in

    return sign_in().signer.kid()
