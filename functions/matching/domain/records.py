"""Why matching chose a technician: the terms of his score, as the order and its offers keep them."""

from __future__ import annotations

from pydantic import BaseModel


class ScoreTerm(BaseModel):
    """One term of a match score: the raw value, its normalised 0–1 term, the weight and the points."""

    value: float | None
    unit: str
    term: float
    weight: float
    points: float


class MatchReason(BaseModel):
    """Why this technician was offered the order: every score term and the total (shown to supervisors)."""

    technician_id: str
    round: int
    radius_m: int
    mode: str  # single | grab
    rank: int
    total: float
    terms: dict[str, ScoreTerm]
    considered: int  # technicians read from the spatial index
    eligible: int  # of which passed every hard filter
