"""Time-ordered, URL-safe identifiers (ULID-like: 10 chars of time, 16 of randomness)."""

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _encode(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, rem = divmod(number, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    return f"{prefix}_{_encode(int(time.time() * 1000), 10)}{_encode(secrets.randbits(80), 16)}"


def order_code() -> str:
    """A short code the resident can read out at the door to check the technician."""
    return f"{secrets.randbelow(10**6):06d}"
