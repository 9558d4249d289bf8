"""Mainland mobile numbers as the providers and the logs want them."""

from __future__ import annotations


def digits(phone: str) -> str:
    """A mainland mobile number as its 11 digits (+86, spaces and dashes dropped)."""
    only = "".join(c for c in phone if c.isdigit())
    return only[2:] if len(only) == 13 and only.startswith("86") else only


def e164(phone: str) -> str:
    """Mainland China mobile numbers as SNS wants them: +86 and 11 digits."""
    return f"+86{digits(phone)}"


def masked(phone: str) -> str:
    d = digits(phone)
    return f"{d[:3]}****{d[-4:]}" if len(d) >= 7 else "****"
