"""The compound store's contract, run against the in-memory fake and the DynamoDB store (moto's table, through
the session sandbox): the same answers, counts that match the households stored, and terms versions written only
on the version read."""

from __future__ import annotations

import itertools
import time

import pytest

from compounds.domain.keys import Household, compound_id
from compounds.domain.records import Compound
from compounds.store import CHUNK, CompoundChange, ImportRaced, TermsVersion

_numbers = itertools.count(int(time.time() * 1000) % 10_000_000)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    if request.param == "memory":
        from compounds.store.memory import MemoryStore

        return MemoryStore()
    request.getfixturevalue("sandbox")
    from compounds.store.dynamodb import DynamoStore

    return DynamoStore()


def _compound(**changes) -> Compound:
    name = f"契约测试小区{next(_numbers)}"
    base = {
        "compound_id": compound_id(name, "测试区"),
        "name": name,
        "district": "测试区",
        "street": "测试街道",
        "lat": 39.9,
        "lng": 116.6,
    }
    return Compound(**{**base, **changes})


def _households(cid: str, n: int) -> list[Household]:
    return [Household(cid, str(1 + i // 20), str(1 + (i // 10) % 2), str(101 + i % 10)) for i in range(n)]


def test_an_import_stores_the_profile_and_households_with_their_count(store):
    compound = _compound()
    households = _households(compound.compound_id, 2 * CHUNK + 5)  # three transactions
    store.write_import([CompoundChange(compound, households, is_new=True)])
    stored = store.get(compound.compound_id)
    assert stored is not None and stored.household_count == len(households)
    assert (stored.name, stored.street, stored.lat, stored.lng) == (compound.name, "测试街道", 39.9, 116.6)
    assert {h.key for h in store.households(compound.compound_id)} == {h.key for h in households}
    assert compound.compound_id in {c.compound_id for c in store.all()}


def test_a_later_import_updates_the_profile_and_adds_only_new_households(store):
    compound = _compound()
    store.write_import([CompoundChange(compound, _households(compound.compound_id, 3), is_new=True)])
    moved = compound.model_copy(update={"street": "新街道", "lat": 39.91})
    store.write_import([CompoundChange(moved, [Household(compound.compound_id, "9", "1", "101")], is_new=False)])
    stored = store.get(compound.compound_id)
    assert (stored.street, stored.lat, stored.household_count) == ("新街道", 39.91, 4)
    assert len(store.households(compound.compound_id)) == 4


def test_a_household_stored_already_fails_its_transaction_and_changes_nothing(store):
    compound = _compound()
    store.write_import([CompoundChange(compound, _households(compound.compound_id, 2), is_new=True)])
    again = [Household(compound.compound_id, "8", "1", "101"), *_households(compound.compound_id, 1)]
    with pytest.raises(ImportRaced):
        store.write_import([CompoundChange(compound, again, is_new=False)])
    assert store.get(compound.compound_id).household_count == 2
    assert len(store.households(compound.compound_id)) == 2


def test_a_new_profile_for_an_existing_compound_is_refused(store):
    compound = _compound()
    store.write_import([CompoundChange(compound, [], is_new=True)])
    with pytest.raises(ImportRaced):
        store.write_import([CompoundChange(compound, _households(compound.compound_id, 1), is_new=True)])
    assert store.households(compound.compound_id) == []


def test_terms_versions_are_written_only_on_the_version_read(store):
    compound = _compound()
    store.write_import([CompoundChange(compound, [], is_new=True)])
    cid = compound.compound_id
    contract = {"company_id": "co_x", "starts_on": "2026-01-01", "ends_on": None}
    free = {"starts_on": "2026-01-01", "ends_on": "2026-12-31", "funded_by": "区住建委"}
    assert store.save_terms(TermsVersion(cid, 1, "contract", contract, "sup", "t1"), expected_version=0)
    assert not store.save_terms(TermsVersion(cid, 1, "free_service", free, "sup", "t2"), expected_version=0), "stale"
    assert store.save_terms(TermsVersion(cid, 2, "free_service", free, "sup", "t2"), expected_version=1)
    stored = store.get(cid)
    assert stored.terms_version == 2 and stored.contracted_company_id == "co_x"
    assert stored.contract.company_id == "co_x" and stored.contract.ends_on is None
    assert stored.free_period.funded_by == "区住建委" and stored.free_period.ends_on == "2026-12-31"
    assert [(v.version, v.kind, v.value) for v in store.versions(cid)] == [(1, "contract", contract), (2, "free_service", free)]


def test_terms_of_a_missing_compound_are_refused(store):
    assert not store.save_terms(
        TermsVersion("cp_missing_x", 1, "contract", {"company_id": "c", "starts_on": "2026-01-01"}, "s", "t"), expected_version=0
    )
    assert store.get("cp_missing_x") is None
