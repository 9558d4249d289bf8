"""The SMS port: Amazon SNS direct publish to a phone number (moto's SNS in the sandbox)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3

from shared.settings import get_settings


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("sns", region_name=get_settings().aws_region)


def reset() -> None:
    _client.cache_clear()


def e164(phone: str) -> str:
    """Mainland China mobile numbers as SNS wants them: +86 and 11 digits."""
    digits = "".join(c for c in phone if c.isdigit())
    return f"+{digits}" if digits.startswith("86") and len(digits) == 13 else f"+86{digits}"


def send(phone: str, text: str) -> str:
    response = _client().publish(
        PhoneNumber=e164(phone),
        Message=text,
        MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Linli"},
        },
    )
    return response["MessageId"]
