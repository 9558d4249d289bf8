"""Compounds on the single table (`COMPOUND#<id>` / `PROFILE`, every imported one listed under gsi3 `COMPOUNDS`): the
profile every domain reads."""

from __future__ import annotations

from pynamodb.attributes import (
    UnicodeAttribute,
)

from compounds.domain.records import Compound
from shared import clock
from shared.dal.base import ensure_bound, get_record
from shared.dal.tables import Gsi3, item_of

CompoundItem = item_of(
    Compound,
    "CompoundItem",
    gsi3pk=UnicodeAttribute(null=True),  # COMPOUNDS: every imported compound
    gsi3sk=UnicodeAttribute(null=True),  # <district>#<name>#<compound id>
    by_group=Gsi3(),
)


PROFILE = "PROFILE"
LISTED_COMPOUNDS = "COMPOUNDS"  # gsi3: every compound, sorted by district and name


def compound_listing(compound: Compound) -> dict:
    """The gsi3 keys that list a compound among all of them."""
    return {"gsi3pk": LISTED_COMPOUNDS, "gsi3sk": f"{compound.district}#{compound.name}#{compound.compound_id}"}


def put_compound(compound: Compound) -> None:
    ensure_bound()
    data = compound.model_dump()
    CompoundItem(pk=f"COMPOUND#{compound.compound_id}", sk=PROFILE, **data, **compound_listing(compound)).save()


def compounds_of(company_id: str) -> list[Compound]:
    """The compounds a company is contracted to serve now (the listing of every compound, gsi3 COMPOUNDS, read
    and kept where the company of the current contract is this one)."""
    ensure_bound()
    today = clock.beijing_today()
    listed = (compound_record(i) for i in CompoundItem.by_group.query(LISTED_COMPOUNDS))
    return [c for c in listed if c.company_on(today) == company_id]


def get_compound(compound_id: str) -> Compound | None:
    return get_record(CompoundItem, Compound, f"COMPOUND#{compound_id}", PROFILE)


def compound_record(item: CompoundItem) -> Compound:
    return Compound(**{k: getattr(item, k) for k in Compound.model_fields})
