"""Why a message was not sent."""

from __future__ import annotations


class SmsNotSent(Exception):
    """Nothing was sent: `reason` is `daily_cap` (the number's messages for today are used up)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"SMS not sent: {reason}")


class SmsUnavailable(Exception):
    """The provider could not be reached, or refused the message (its code in `code`)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        self.code = code
        super().__init__(message)
