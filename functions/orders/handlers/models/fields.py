"""What the input shapes of the orders domain share: no unknown field, and the shape of an id this API issued."""

from __future__ import annotations

from pydantic import ConfigDict

STRICT = ConfigDict(extra="forbid")
ISSUED_ID = r"^[a-z0-9_]{1,64}$"
