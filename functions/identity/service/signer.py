"""The token signer: a KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY, ECDSA_SHA_256). The private key never
leaves KMS; the public keys are read once per process (GetPublicKey) and published as the JWKS."""

from __future__ import annotations

import threading
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key

from identity.domain.claims import public_jwk, raw_signature

KMS_ALGORITHM = "ECDSA_SHA_256"


def jwk_of(public_key: ec.EllipticCurvePublicKey) -> dict:
    if not isinstance(public_key.curve, ec.SECP256R1):
        raise ValueError("signing keys are P-256 (ECC_NIST_P256)")
    numbers = public_key.public_numbers()
    return public_jwk(numbers.x, numbers.y)


class KmsSigner:
    def __init__(self, kms: Any, key_ids: list[str]) -> None:
        self._kms, self._key_ids = kms, key_ids
        self._jwks: list[dict] | None = None
        self._lock = threading.Lock()

    def public_jwks(self) -> list[dict]:
        if not self._key_ids:
            raise ValueError("no signing key configured (LINLI_TOKEN_SIGNING_KEY_IDS)")
        with self._lock:
            if self._jwks is None:
                found = []
                for key_id in self._key_ids:
                    answer = self._kms.get_public_key(KeyId=key_id)
                    if answer.get(
                        "KeySpec", answer.get("CustomerMasterKeySpec")
                    ) != "ECC_NIST_P256" or KMS_ALGORITHM not in answer.get("SigningAlgorithms", []):
                        raise ValueError(f"KMS key {key_id} is not an ECC_NIST_P256 signing key")
                    public = load_der_public_key(answer["PublicKey"])
                    assert isinstance(public, ec.EllipticCurvePublicKey)
                    found.append(jwk_of(public))
                self._jwks = found
            return self._jwks

    def kid(self) -> str:
        return self.public_jwks()[0]["kid"]

    def sign(self, message: bytes) -> bytes:
        answer = self._kms.sign(KeyId=self._key_ids[0], Message=message, MessageType="RAW", SigningAlgorithm=KMS_ALGORITHM)
        r, s = decode_dss_signature(answer["Signature"])  # KMS answers DER; JWS wants r || s
        return raw_signature(r, s)


class LocalSigner:
    """A P-256 key in this process (unit tests only: in AWS and in the sandbox the key is KMS's)."""

    def __init__(self, *others: ec.EllipticCurvePrivateKey) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._others = others

    def public_jwks(self) -> list[dict]:
        return [jwk_of(k.public_key()) for k in (self._key, *self._others)]

    def kid(self) -> str:
        return self.public_jwks()[0]["kid"]

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes

        return raw_signature(*decode_dss_signature(self._key.sign(message, ec.ECDSA(hashes.SHA256()))))
