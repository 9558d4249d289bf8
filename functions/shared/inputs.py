"""Rules for what the API accepts from outside, as pure functions: JSON bodies, ids, text, dates, CSV cells.

Every domain's input models and the resolver plumbing (`shared.api`) use these, so a rule is written once.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator

# --- JSON bodies --------------------------------------------------------------------------------------------

# The largest body any operation needs is a bill or a catalogue item: a few kilobytes.
MAX_BODY_BYTES = 64 * 1024
# The deepest body any operation takes is 4 levels (a bill's lines' parts); beyond this nothing is legitimate.
MAX_JSON_DEPTH = 16


class BodyRefused(ValueError):
    """The body is not JSON this API would parse: too large, too deep, or not valid JSON."""


def _no_constants(name: str) -> Any:
    raise BodyRefused(f"{name} is not a JSON number")


def parse_json_body(text: str) -> Any:
    """The body as JSON, or BodyRefused: at most MAX_BODY_BYTES, MAX_JSON_DEPTH deep, numbers within Python's
    int-conversion limit, no NaN or Infinity."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise BodyRefused(f"the body is larger than {MAX_BODY_BYTES} bytes")
    if json_depth_of_text(text) > MAX_JSON_DEPTH:
        raise BodyRefused(f"the body is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_no_constants)
    except BodyRefused:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, integers over the digit limit
        raise BodyRefused("the body is not valid JSON") from exc


def json_depth_of_text(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it (brackets in strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


# --- Ids in paths -------------------------------------------------------------------------------------------

# Every id this platform makes (ord_…, tech_…, lk_<company>.<hex>, <order>-<round>-<n>) fits this.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
_ID = re.compile(ID_PATTERN)


def is_valid_id(value: str) -> bool:
    return bool(_ID.fullmatch(value))


# --- Text people type ---------------------------------------------------------------------------------------

# Bidirectional embeddings, overrides and isolates: they make a text display other than it is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = frozenset("\n\t")


def clean_text(value: str) -> str:
    """Free text as stored: stripped, with some content, no control characters (but line breaks and tabs) and no
    bidirectional overrides. ValueError (a 422 through the models) otherwise."""
    value = value.replace("\r\n", "\n").strip()
    if not value:
        raise ValueError("must not be empty or only spaces")
    for ch in value:
        if ch in _BIDI_CONTROLS:
            raise ValueError(f"must not contain the direction-control character U+{ord(ch):04X}")
        if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS:
            raise ValueError(f"must not contain the control character U+{ord(ch):04X}")
    return value


def clean_optional_text(value: str) -> str:
    """As clean_text, but an empty text (the field's default) stays empty."""
    return clean_text(value) if value.strip() else ""


# Use in input models: `description: Text = Field(min_length=1, max_length=500)`.
Text = Annotated[str, AfterValidator(clean_text)]
OptionalText = Annotated[str, AfterValidator(clean_optional_text)]


# --- Dates --------------------------------------------------------------------------------------------------

# Dates this platform has any use for: certificates, statistics, bookings.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def bounded_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


BoundedDate = Annotated[date, AfterValidator(bounded_date)]


# --- CSV ----------------------------------------------------------------------------------------------------

# A spreadsheet treats a cell starting with one of these as a formula (OWASP: CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: Any) -> Any:
    """A cell for a CSV export: text that a spreadsheet would run as a formula gets a leading `'`, so it shows as
    text; numbers and everything else are left as they are."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell
