"""Deterministic keys: the same compound (name + district) and the same household (building, unit, room) get the
same key in every import, so importing a file again finds what it stored the first time."""

from __future__ import annotations

import hashlib
import unicodedata


def normal(text: str) -> str:
    """Full-width digits and letters as Excel may export them become ASCII; surrounding spaces go."""
    return unicodedata.normalize("NFKC", text).strip()


def compound_id(name: str, district: str) -> str:
    digest = hashlib.sha256(f"{normal(district)}|{normal(name)}".encode()).hexdigest()
    return f"cp_{digest[:12]}"


def household_key(building: str, unit: str, room: str) -> str:
    return f"{normal(building)}#{normal(unit)}#{normal(room)}"


class Household:
    """One household of a compound, by its building, unit and room."""

    __slots__ = ("building", "compound_id", "room", "unit")

    def __init__(self, compound_id: str, building: str, unit: str, room: str) -> None:
        self.compound_id, self.building, self.unit, self.room = compound_id, building, unit, room

    @property
    def key(self) -> str:
        return household_key(self.building, self.unit, self.room)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Household) and (self.compound_id, self.key) == (other.compound_id, other.key)

    def __hash__(self) -> int:
        return hash((self.compound_id, self.key))

    def __repr__(self) -> str:
        return f"Household({self.compound_id!r}, {self.building!r}, {self.unit!r}, {self.room!r})"
