"""The WebSocket $connect's JWT check (shared.identity) as AWS runs it: RS256 tokens of a Cognito-like issuer
whose public keys come from its JWKS, never an algorithm the token picks for itself."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://cognito-idp.ap-east-1.amazonaws.com/ap-east-1_Test"
CLIENT = "apps-client-id"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def cognito(tmp_path, monkeypatch, key):
    from shared import identity
    from shared.settings import get_settings

    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}))
    monkeypatch.setenv("LINLI_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("LINLI_JWT_AUDIENCE", CLIENT)
    monkeypatch.setenv("LINLI_JWKS_URL", (tmp_path / "jwks.json").as_uri())
    get_settings.cache_clear()
    identity.reset()
    yield identity
    get_settings.cache_clear()
    identity.reset()


def _claims(**changes) -> dict:
    now = int(time.time())
    claims = {"sub": "u1", "cognito:groups": ["resident"], "iss": ISSUER, "iat": now, "exp": now + 600}
    return {**claims, **changes}


def test_an_id_token_and_an_access_token_of_the_apps_client_pass(cognito, key):
    id_token = jwt.encode(_claims(aud=CLIENT, token_use="id"), key, algorithm="RS256", headers={"kid": "k1"})
    access = jwt.encode(_claims(client_id=CLIENT, token_use="access"), key, algorithm="RS256", headers={"kid": "k1"})
    assert cognito.verify(id_token)["sub"] == "u1"
    assert cognito.verify(access)["sub"] == "u1"


def test_refused_tokens(cognito, key):
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = {
        "expired": jwt.encode(_claims(aud=CLIENT, exp=int(time.time()) - 5), key, algorithm="RS256", headers={"kid": "k1"}),
        "other client": jwt.encode(_claims(aud="another-client"), key, algorithm="RS256", headers={"kid": "k1"}),
        "other issuer": jwt.encode(
            _claims(aud=CLIENT, iss="https://evil.example"), key, algorithm="RS256", headers={"kid": "k1"}
        ),
        "other key": jwt.encode(_claims(aud=CLIENT), other, algorithm="RS256", headers={"kid": "k1"}),
        "unknown key id": jwt.encode(_claims(aud=CLIENT), key, algorithm="RS256", headers={"kid": "k2"}),
        "no subject": jwt.encode(_claims(aud=CLIENT, sub=""), key, algorithm="RS256", headers={"kid": "k1"}),
    }
    # Algorithm confusion: HMAC with the public key as the secret must not pass as the RSA key's token.
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    payload = jwt.utils.base64url_encode(json.dumps(_claims(aud=CLIENT)).encode())
    signature = jwt.utils.base64url_encode(hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest())
    bad["HS256 with the public key"] = (header + b"." + payload + b"." + signature).decode()
    for name, token in bad.items():
        with pytest.raises(jwt.PyJWTError):
            cognito.verify(token)
            pytest.fail(name)


def test_nothing_passes_without_a_configured_issuer(monkeypatch, key):
    from shared import identity
    from shared.settings import get_settings

    monkeypatch.delenv("LINLI_JWT_ISSUER", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(jwt.PyJWTError):
            identity.verify(jwt.encode(_claims(aud=CLIENT), key, algorithm="RS256", headers={"kid": "k1"}))
    finally:
        get_settings.cache_clear()
