"""The sandbox's provider (`LINLI_SMS_PROVIDER=fake`): an outbox in memory, read at `GET /dev/outbox`."""

from __future__ import annotations

import re
import threading
import uuid
from collections import deque
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from shared.sms.config import SIGN_NAME, template_code
from shared.sms.errors import SmsUnavailable
from shared.sms.phones import digits
from shared.sms.template import SmsTemplate


class FakeOutbox:
    """The sandbox's SMS provider: what Aliyun would have sent (the signature, the template filled in), the newest
    last, and what was refused and why. Bounded, so a long-running sandbox does not grow without end."""

    def __init__(self, limit: int = 5000) -> None:
        self._lock = threading.Lock()
        self._sent: deque[dict[str, Any]] = deque(maxlen=limit)
        self._refused: deque[dict[str, Any]] = deque(maxlen=limit)

    def send(self, phone: str, tpl: SmsTemplate, params: dict[str, str], *, sign_name: str = SIGN_NAME) -> str:
        number = digits(phone)
        if not re.fullmatch(r"1\d{10}", number):
            raise SmsUnavailable("not a mainland mobile number", "isv.MOBILE_NUMBER_ILLEGAL")
        message_id = uuid.uuid4().hex
        entry = {
            "phone": number,
            "template": tpl.key,
            "template_code": template_code(tpl),
            "params": dict(params),
            "text": f"【{sign_name}】" + tpl.render(params),
            "sent_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "message_id": message_id,
        }
        with self._lock:
            self._sent.append(entry)
        return message_id

    def refuse(self, phone: str, tpl: SmsTemplate, params: dict[str, str], reason: str) -> None:
        entry = {
            "phone": digits(phone),
            "template": tpl.key,
            "params": dict(params),
            "reason": reason,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        with self._lock:
            self._refused.append(entry)

    def messages(self, phone: str | None = None) -> list[dict[str, Any]]:
        number = digits(phone) if phone else None
        with self._lock:
            return [dict(m) for m in self._sent if number is None or m["phone"] == number]

    def refused(self, phone: str | None = None) -> list[dict[str, Any]]:
        number = digits(phone) if phone else None
        with self._lock:
            return [dict(m) for m in self._refused if number is None or m["phone"] == number]


@lru_cache(maxsize=1)
def fake_outbox() -> FakeOutbox:
    return FakeOutbox()
