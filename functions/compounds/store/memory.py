"""The compound store in dicts, with the same all-or-nothing writes as the table (unit tests)."""

from __future__ import annotations

import copy

from compounds.domain.keys import Household
from compounds.domain.records import Compound, Contract, FreePeriod
from compounds.store import CHUNK, CompoundChange, ImportRaced, TermsVersion

FILE_FIELDS = ("name", "name_en", "district", "street", "lat", "lng")


class MemoryStore:
    def __init__(self) -> None:
        self.compounds: dict[str, Compound] = {}
        self.household_items: dict[str, dict[str, Household]] = {}
        self.terms: dict[str, list[TermsVersion]] = {}
        self.transactions = 0

    def get(self, compound_id: str) -> Compound | None:
        found = self.compounds.get(compound_id)
        return found.model_copy(deep=True) if found else None

    def all(self) -> list[Compound]:
        return [
            c.model_copy(deep=True) for c in sorted(self.compounds.values(), key=lambda c: (c.district, c.name, c.compound_id))
        ]

    def households(self, compound_id: str) -> list[Household]:
        return list(self.household_items.get(compound_id, {}).values())

    def write_import(self, changes: list[CompoundChange]) -> None:
        for change in changes:
            cid = change.compound.compound_id
            chunks = [change.new_households[i : i + CHUNK - 1] for i in range(0, len(change.new_households), CHUNK - 1)]
            for index, chunk in enumerate(chunks or [[]]):
                compounds, households = copy.deepcopy(self.compounds), copy.deepcopy(self.household_items)
                current = compounds.get(cid)
                if index == 0 and change.is_new:
                    if current is not None:
                        raise ImportRaced()
                    compounds[cid] = change.compound.model_copy(update={"household_count": len(chunk)})
                else:
                    if current is None:
                        raise ImportRaced()
                    update = {f: getattr(change.compound, f) for f in FILE_FIELDS} if index == 0 else {}
                    compounds[cid] = current.model_copy(
                        update={**update, "household_count": current.household_count + len(chunk)}
                    )
                mine = households.setdefault(cid, {})
                for household in chunk:
                    if household.key in mine:
                        raise ImportRaced()
                    mine[household.key] = household
                self.compounds, self.household_items = compounds, households
                self.transactions += 1

    def save_terms(self, version: TermsVersion, *, expected_version: int) -> bool:
        current = self.compounds.get(version.compound_id)
        if current is None or current.terms_version != expected_version:
            return False
        if any(v.version == version.version for v in self.terms.get(version.compound_id, [])):
            return False
        self.terms.setdefault(version.compound_id, []).append(version)
        self.compounds[version.compound_id] = current.model_copy(update=_profile_terms(version))
        return True

    def versions(self, compound_id: str) -> list[TermsVersion]:
        return sorted(self.terms.get(compound_id, []), key=lambda v: v.version)


def _profile_terms(version: TermsVersion) -> dict:
    if version.kind == "contract":
        contract = Contract(**version.value)
        return {"terms_version": version.version, "contract": contract, "contracted_company_id": contract.company_id}
    return {"terms_version": version.version, "free_period": FreePeriod(**version.value)}
