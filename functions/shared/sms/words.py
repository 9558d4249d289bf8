"""What an SMS template variable may hold: its kinds, each kind's pattern, and the fixed words a CHOICE takes."""

from __future__ import annotations

import re
from enum import StrEnum

MAX_PARAM_CHARS = 35  # Aliyun: an ordinary template variable holds at most 35 characters


class Param(StrEnum):
    """What a template variable may hold. Every value is a string of at most 35 characters."""

    CODE = "code"  # a one-time code: 4 to 6 digits
    NUMBER = "number"  # digits only (a count, minutes)
    TAIL = "tail"  # the last four digits of a phone number, or 无 when there is none on record
    AMOUNT = "amount"  # yuan, e.g. 120 or 35.5
    REF = "ref"  # an order id or order code: letters, digits, - and _
    WHEN = "when"  # a Beijing time as the messages write it: 今天 14:30, 12月5日 14:30, 2026-12-31
    NAME = "name"  # a person's or company's name: letters (Chinese or Latin), · and brackets, nothing else
    CHOICE = "choice"  # one of the template's fixed words


PATTERNS = {
    Param.CODE: re.compile(r"^\d{4,6}$"),
    Param.NUMBER: re.compile(r"^\d{1,10}$"),
    Param.TAIL: re.compile(r"^(\d{4}|无)$"),
    Param.AMOUNT: re.compile(r"^\d{1,9}(\.\d{1,2})?$"),
    Param.REF: re.compile(r"^[A-Za-z0-9_-]{1,35}$"),
    Param.WHEN: re.compile(r"^(今天 |\d{1,2}月\d{1,2}日 )?(\d{2}:\d{2})?$|^\d{4}-\d{2}-\d{2}$"),
    Param.NAME: re.compile(r"^[\u4e00-\u9fffA-Za-z·•（）() ]{1,20}$"),
}


def fits(kind: Param, value: str) -> bool:
    """Whether `value` may fill a variable of this kind (CHOICE: see the template's words)."""
    return isinstance(value, str) and 0 < len(value) <= MAX_PARAM_CHARS and bool(PATTERNS[kind].match(value))
