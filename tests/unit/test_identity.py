"""The access-token check of the WebSocket $connect and the sandbox's gateway (shared.identity), as API Gateway's
JWT authorizer checks the platform's tokens: ES256 signatures by a key of the issuer's JWKS (fetched from its URL),
issuer, audience, expiry; never an algorithm the token picks for itself."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from identity.domain import claims as tokens
from identity.service.signer import LocalSigner
from identity.service.signin import SignIn, TokenPolicy
from identity.store.memory import MemoryStore

ISSUER = "https://api.linli.example"
AUDIENCE = "linli"


@pytest.fixture(scope="module")
def old_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def signer(old_key):
    return LocalSigner(old_key)  # two published keys, as during a rotation


@pytest.fixture
def verifier(tmp_path, monkeypatch, signer):
    from shared import identity
    from shared.settings import reset_settings

    (tmp_path / "jwks.json").write_text(json.dumps({"keys": signer.public_jwks()}))
    monkeypatch.setenv("LINLI_TOKEN_ISSUER", ISSUER)
    monkeypatch.setenv("LINLI_TOKEN_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("LINLI_JWKS_URL", (tmp_path / "jwks.json").as_uri())
    reset_settings()
    identity.reset()
    yield identity
    reset_settings()
    identity.reset()


def _service(signer) -> SignIn:
    return SignIn(store=MemoryStore(), accounts=None, signer=signer, wechat=None, sms=None, tokens=TokenPolicy(issuer=ISSUER))  # type: ignore[arg-type]


def _signed(signer, kid: str | None = None, **changes) -> str:
    """A token with these claims, signed ES256 by `signer` (its own kid unless told)."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "iat": now, "exp": now + 600, "jti": "at_1", **changes}
    header = {"alg": "ES256", "typ": "JWT", "kid": kid or signer.kid()}
    message = ".".join(tokens.b64url(json.dumps(p).encode()) for p in (header, claims)).encode()
    return tokens.compact(message, signer.sign(message))


def test_the_token_services_tokens_pass(verifier, signer):
    assert verifier.verify(_service(signer).access_token("u1"))["sub"] == "u1"


def test_a_token_of_the_second_published_key_passes_during_a_rotation(verifier, signer, old_key):
    class OldSigner(LocalSigner):
        def __init__(self) -> None:
            self._key, self._others = old_key, ()

    old = OldSigner()
    assert old.kid() in [k["kid"] for k in signer.public_jwks()] and old.kid() != signer.kid()
    assert verifier.verify(_signed(old))["sub"] == "u1"


def test_refused_tokens(verifier, signer):
    other = LocalSigner()
    bad = {
        "expired": _signed(signer, exp=int(time.time()) - 5),
        "not yet valid": _signed(signer, nbf=int(time.time()) + 600),
        "other audience": _signed(signer, aud="someone-else"),
        "no audience": _signed(signer, aud=None),
        "other issuer": _signed(signer, iss="https://evil.example"),
        "other key, our kid": _signed(other, kid=signer.kid()),
        "unknown key id": _signed(other),
        "no subject": _signed(signer, sub=""),
        "tampered": _signed(signer)[:-6] + "AAAAAA",
        "alg none": jwt.encode(
            {"sub": "u1", "iss": ISSUER, "aud": AUDIENCE, "iat": int(time.time()), "exp": int(time.time()) + 600},
            None,
            algorithm="none",
            headers={"kid": signer.kid()},
        ),
    }
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad["RS256 of a key not published"] = jwt.encode(
        {"sub": "u1", "iss": ISSUER, "aud": AUDIENCE, "iat": int(time.time()), "exp": int(time.time()) + 600},
        rsa_key,
        algorithm="RS256",
        headers={"kid": signer.kid()},
    )
    # Algorithm confusion: HMAC keyed with the published public key must not pass as the EC key's token.
    jwk = jwt.PyJWK.from_dict(signer.public_jwks()[0])
    pem = jwk.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    now = int(time.time())
    header = tokens.b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": signer.kid()}).encode())
    payload = tokens.b64url(json.dumps({"sub": "u1", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600}).encode())
    mac = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    bad["HS256 with the public key"] = f"{header}.{payload}.{tokens.b64url(mac)}"
    for name, token in bad.items():
        with pytest.raises(jwt.PyJWTError):
            verifier.verify(token)
            pytest.fail(name)


def test_nothing_passes_without_a_configured_issuer(monkeypatch, signer):
    from shared import identity
    from shared.settings import reset_settings

    monkeypatch.delenv("LINLI_TOKEN_ISSUER", raising=False)
    reset_settings()
    try:
        with pytest.raises(jwt.PyJWTError):
            identity.verify(_signed(signer))
    finally:
        reset_settings()
