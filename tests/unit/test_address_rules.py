"""Residents' addresses: the pure rules and the use cases on the in-memory store."""

from __future__ import annotations

import pytest

from addresses.domain import rules
from addresses.domain.records import Address
from addresses.service import claims
from addresses.store.memory import MemoryAddressStore
from compounds.domain.records import Compound
from identity.domain.records import User
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

XYQ = Compound(compound_id="cp_x", name="西营前街", name_en="Xiyingqian St.", lat=39.9, lng=116.6, contracted_company_id="co_t")
OTHER = Compound(compound_id="cp_o", name="中仓小区", lat=39.9, lng=116.6, contracted_company_id="co_j")


def _store() -> MemoryAddressStore:
    return MemoryAddressStore(
        compounds=[XYQ, OTHER], accounts=[User(user_id="res_old", role="resident", name="王", phone="13800000001")]
    )


@pytest.mark.parametrize("parts", [("", "2", "301"), ("5", "2 ", "3 01"), ("5", "2", "<b>"), ("5", "2", "123456789")])
def test_a_household_is_written_as_on_the_door(parts):
    with pytest.raises(ValidationFailed):
        rules.household(*parts)


def test_household_parts_are_trimmed_and_upper_cased_and_the_label_reads_naturally():
    assert rules.household(" 5 ", "2", "301a") == ("5", "2", "301A")
    assert rules.label(XYQ, "5", "2", "301") == ("西营前街5号楼2单元301", "Xiyingqian St. Bldg 5, Unit 2, Flat 301")


def test_one_address_per_resident_and_household():
    assert rules.address_id("r1", "cp_x", "5", "2", "301") == rules.address_id("r1", "cp_x", "5", "2", "301")
    assert rules.address_id("r1", "cp_x", "5", "2", "301") != rules.address_id("r2", "cp_x", "5", "2", "301")


def test_only_a_verified_address_takes_orders():
    address = Address(address_id="a", compound_id="cp_x", label="x", lat=0, lng=0)
    rules.ensure_verified(address)  # demo and imported addresses are verified
    for status in ("pending", "rejected"):
        with pytest.raises(Conflict) as refused:
            rules.ensure_verified(address.model_copy(update={"status": status}))
        assert refused.value.code == "address_not_verified" and refused.value.status == 409


def test_household_codes_are_read_forgivingly_and_stored_as_a_hash():
    code = rules.new_household_code()
    assert len(code) == 8 and set(code) <= set(rules.CODE_ALPHABET)
    assert rules.code_key("xyq-52 302") == rules.code_key("XYQ52302") != rules.code_key("XYQ52303")
    assert "XYQ" not in rules.code_key("XYQ52302")


def test_a_claim_waits_for_the_compounds_company_which_decides_once():
    store = _store()
    address = claims.claim(store, "res_new", "cp_x", "5", "2", "301")
    assert address.status == "pending"
    with pytest.raises(rules.AlreadyClaimed):
        claims.claim(store, "res_new", "cp_x", "5", "2", "301")
    with pytest.raises(NotFound):
        claims.decide(store, "co_j", address.address_id, "approve", None)
    with pytest.raises(ValidationFailed):
        claims.decide(store, "co_t", address.address_id, "reject", "  ")
    assert [c.address.address_id for c in claims.pending(store, "co_t", after=None, limit=50)[0]] == [address.address_id]
    assert claims.decide(store, "co_t", address.address_id, "approve", None).status == "verified"
    with pytest.raises(Conflict):
        claims.decide(store, "co_t", address.address_id, "approve", None)
    assert claims.pending(store, "co_t", after=None, limit=50) == ([], None)


def test_an_unknown_compound_is_a_clear_error():
    with pytest.raises(ValidationFailed, match="compound"):
        claims.claim(_store(), "res_new", "cp_nowhere", "5", "2", "301")


def test_a_household_code_verifies_once_for_the_company_that_made_it():
    store = _store()
    with pytest.raises(Forbidden):
        claims.new_household_code(store, "co_j", "disp_j", "cp_x", "5", "2", "301")
    code, _ = claims.new_household_code(store, "co_t", "disp_t", "cp_x", "5", "2", "301")
    address = claims.claim_with_code(store, "res_a", code.lower())
    assert (address.status, address.label) == ("verified", "西营前街5号楼2单元301")
    with pytest.raises(rules.InvalidHouseholdCode):
        claims.claim_with_code(store, "res_b", code)
    with pytest.raises(rules.InvalidHouseholdCode):
        claims.claim_with_code(store, "res_b", "WRONG234")


def test_the_desk_registers_a_resident_once_per_phone_number():
    store = _store()
    account, address = claims.register_resident(store, "co_t", "disp_t", "赵奶奶", "13700000001", "cp_x", "5", "2", "402")
    assert account.role == "resident" and account.phone == "13700000001"
    assert (address.status, address.registered_by) == ("verified", "disp_t")
    with pytest.raises(claims.PhoneTaken):
        claims.register_resident(store, "co_t", "disp_t", "另一人", "+86 138-0000-0001", "cp_x", "5", "2", "403")
    with pytest.raises(Forbidden):
        claims.register_resident(store, "co_j", "disp_j", "钱", "13700000002", "cp_x", "5", "2", "404")


def test_a_resident_leaves_her_own_address_only():
    store = _store()
    address = claims.claim(store, "res_a", "cp_x", "5", "2", "301")
    with pytest.raises(NotFound):
        claims.leave(store, "res_b", address.address_id)
    claims.leave(store, "res_a", address.address_id)
    assert store.get(address.address_id) is None


def test_a_claim_in_a_compound_no_company_serves_now_is_a_clear_conflict_and_stores_nothing():
    unserved = Compound(compound_id="cp_u", name="无物业小区", lat=39.9, lng=116.6, contracted_company_id=None)
    store = MemoryAddressStore(compounds=[unserved])
    with pytest.raises(claims.NoPropertyCompany) as refused:
        claims.claim(store, "res_u", "cp_u", "1", "1", "101")
    assert refused.value.status == 409 and refused.value.code == "no_property_company"
    assert store.pending_for("") == [] and store.pending_for(None) == []  # type: ignore[arg-type]
