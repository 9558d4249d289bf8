"""The JWT check of the WebSocket API's $connect, and of the sandbox's gateway: what the HTTP API's JWT authorizer
checks of the platform's access tokens (signature by a key of the issuer's JWKS, issuer, audience, expiry). Only
ES256 is accepted, whatever the token's header claims; only `sub` is used afterwards (the role is the account's)."""

from __future__ import annotations

from functools import lru_cache

import jwt

from shared.settings import get_settings

ALGORITHMS = ["ES256"]


@lru_cache(maxsize=1)
def _keys() -> jwt.PyJWKClient:
    settings = get_settings()
    return jwt.PyJWKClient(settings.jwks_url or f"{settings.token_issuer}/.well-known/jwks.json", lifespan=300, timeout=5)


def reset() -> None:
    _keys.cache_clear()


def verify(token: str) -> dict:
    """The token's claims; raises jwt.PyJWTError for any token the HTTP API's authorizer would refuse."""
    settings = get_settings()
    if not settings.token_issuer or not settings.token_audience:
        raise jwt.InvalidTokenError("no issuer configured")
    key = _keys().get_signing_key_from_jwt(token)  # an unknown kid fetches the JWKS again (a key rotation)
    if key.algorithm_name not in ALGORITHMS:
        raise jwt.InvalidAlgorithmError("not a platform signing key")
    claims = jwt.decode(
        token,
        key.key,
        algorithms=ALGORITHMS,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        options={"require": ["exp", "iat", "sub", "iss", "aud"]},
    )
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise jwt.MissingRequiredClaimError("sub")
    return claims
