"""The compound store on the single table (its own items below; the shared ones in shared.dal.tables):

  COMPOUND#<id> / PROFILE                         the compound (every reader's `compound_records.get_compound`); imported
                                                  ones are listed on gsi3 COMPOUNDS / <district>#<name>#<id>
  COMPOUND#<id> / HOUSEHOLD#<building>#<unit>#<room>   one household
  COMPOUND#<id> / TERMS#<version>                 one version of the contract or the free-service period

Writes are transactions: households with their compound's count, a terms version with the profile's current
terms (conditional on the version read)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError

from compounds.domain.keys import Household
from compounds.domain.records import Compound, Contract, FreePeriod
from compounds.store import CHUNK, CompoundChange, ImportRaced, TermsVersion, compound_records
from compounds.store.compound_records import CompoundItem
from shared.dal.base import condition_failed, ensure_bound, transaction
from shared.dal.tables import TableItem


class HouseholdItem(TableItem):
    """COMPOUND#<id> / HOUSEHOLD#<building>#<unit>#<room>: one household of an imported compound."""

    compound_id = UnicodeAttribute()
    building = UnicodeAttribute()
    unit = UnicodeAttribute()
    room = UnicodeAttribute()


class CompoundTermsItem(TableItem):
    """COMPOUND#<id> / TERMS#<version>: one version of a compound's contract or free-service period."""

    compound_id = UnicodeAttribute()
    version = NumberAttribute()
    kind = UnicodeAttribute()  # contract | free_service
    value = JSONAttribute()
    changed_by = UnicodeAttribute()
    changed_at = UnicodeAttribute()


PROFILE = "PROFILE"
LISTED = compound_records.LISTED_COMPOUNDS


def _pk(compound_id: str) -> str:
    return f"COMPOUND#{compound_id}"


def _terms_key(version: int) -> str:
    return f"TERMS#{version:08d}"


class DynamoStore:
    def get(self, compound_id: str) -> Compound | None:
        return compound_records.get_compound(compound_id)

    def all(self) -> list[Compound]:
        ensure_bound()
        return [compound_records.compound_record(item) for item in CompoundItem.by_group.query(LISTED)]

    def households(self, compound_id: str) -> list[Household]:
        ensure_bound()
        items = HouseholdItem.query(_pk(compound_id), HouseholdItem.sk.startswith("HOUSEHOLD#"), consistent_read=True)
        return [Household(i.compound_id, i.building, i.unit, i.room) for i in items]

    def write_import(self, changes: list[CompoundChange]) -> None:
        ensure_bound()
        for change in changes:
            compound = change.compound
            chunks = [change.new_households[i : i + CHUNK - 1] for i in range(0, len(change.new_households), CHUNK - 1)]
            for index, chunk in enumerate(chunks or [[]]):
                try:
                    self._write_chunk(compound, chunk, first=index == 0, is_new=change.is_new)
                except TransactWriteError as exc:
                    if condition_failed(exc):
                        raise ImportRaced() from exc
                    raise

    def _write_chunk(self, compound: Compound, chunk: list[Household], *, first: bool, is_new: bool) -> None:
        pk = _pk(compound.compound_id)
        with transaction() as tx:
            if first and is_new:
                item = CompoundItem(
                    pk,
                    PROFILE,
                    **compound.model_dump(exclude={"household_count"}),
                    household_count=len(chunk),
                    **compound_records.compound_listing(compound),
                )
                tx.save(item, condition=CompoundItem.pk.does_not_exist())
            else:
                actions = [CompoundItem.household_count.add(len(chunk))]
                if first:
                    actions += [
                        CompoundItem.name.set(compound.name),
                        CompoundItem.name_en.set(compound.name_en),
                        CompoundItem.district.set(compound.district),
                        CompoundItem.street.set(compound.street),
                        CompoundItem.lat.set(compound.lat),
                        CompoundItem.lng.set(compound.lng),
                        CompoundItem.gsi3pk.set(LISTED),
                        CompoundItem.gsi3sk.set(compound_records.compound_listing(compound)["gsi3sk"]),
                    ]
                tx.update(CompoundItem(pk, PROFILE), actions=actions, condition=CompoundItem.pk.exists())
            for household in chunk:
                tx.save(
                    HouseholdItem(
                        pk,
                        f"HOUSEHOLD#{household.key}",
                        compound_id=compound.compound_id,
                        building=household.building,
                        unit=household.unit,
                        room=household.room,
                    ),
                    condition=HouseholdItem.pk.does_not_exist(),
                )

    def save_terms(self, version: TermsVersion, *, expected_version: int) -> bool:
        ensure_bound()
        pk = _pk(version.compound_id)
        if version.kind == "contract":
            contract = Contract(**version.value)
            actions = [
                CompoundItem.contract.set(contract.model_dump()),
                CompoundItem.contracted_company_id.set(contract.company_id),
            ]
        else:
            actions = [CompoundItem.free_period.set(FreePeriod(**version.value).model_dump())]
        actions.append(CompoundItem.terms_version.set(version.version))
        at_version = (
            CompoundItem.terms_version.does_not_exist() | (CompoundItem.terms_version == 0)
            if expected_version == 0
            else CompoundItem.terms_version == expected_version
        )
        try:
            with transaction() as tx:
                tx.save(
                    CompoundTermsItem(
                        pk,
                        _terms_key(version.version),
                        compound_id=version.compound_id,
                        version=version.version,
                        kind=version.kind,
                        value=version.value,
                        changed_by=version.changed_by,
                        changed_at=version.changed_at,
                    ),
                    condition=CompoundTermsItem.pk.does_not_exist(),
                )
                tx.update(CompoundItem(pk, PROFILE), actions=actions, condition=CompoundItem.pk.exists() & at_version)
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def versions(self, compound_id: str) -> list[TermsVersion]:
        ensure_bound()
        items = CompoundTermsItem.query(_pk(compound_id), CompoundTermsItem.sk.startswith("TERMS#"), consistent_read=True)
        return [TermsVersion(i.compound_id, int(i.version), i.kind, dict(i.value), i.changed_by, i.changed_at) for i in items]
