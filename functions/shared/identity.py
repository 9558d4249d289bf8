"""The JWT check of the WebSocket API's $connect: what the HTTP API's JWT authorizer checks (signature by a key
of the issuer's JWKS, issuer, audience or client id, expiry), for the one route API Gateway cannot guard with a
JWT authorizer. The key's own algorithm is the only one accepted, never the token's claim of one."""

from __future__ import annotations

from functools import lru_cache

import jwt

from shared.settings import get_settings


@lru_cache(maxsize=1)
def _keys() -> jwt.PyJWKClient:
    settings = get_settings()
    return jwt.PyJWKClient(settings.jwks_url or f"{settings.jwt_issuer}/.well-known/jwks.json", lifespan=3600)


def reset() -> None:
    _keys.cache_clear()


def verify(token: str) -> dict:
    """The token's claims; raises jwt.PyJWTError for any token the HTTP API's authorizer would refuse."""
    settings = get_settings()
    if not settings.jwt_issuer or not settings.jwt_audience:
        raise jwt.InvalidTokenError("no issuer configured")
    key = _keys().get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=[key.algorithm_name],
        issuer=settings.jwt_issuer,
        options={"require": ["exp", "iat", "sub"], "verify_aud": False},
    )
    if not claims.get("sub"):
        raise jwt.MissingRequiredClaimError("sub")
    # An ID token names the app client as its audience, an access token as its client_id (as the authorizer takes).
    if settings.jwt_audience not in (claims.get("aud"), claims.get("client_id")):
        raise jwt.InvalidAudienceError("not issued for this app")
    return claims
