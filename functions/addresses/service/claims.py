"""The address use cases: a resident claims an address (pending, or verified at once with a household code),
the compound's property company verifies or refuses it, a resident leaves an address, and the property desk
hands out household codes and registers a resident without a smartphone."""

from __future__ import annotations

from addresses.domain import rules
from addresses.domain.records import Address
from addresses.store.ports import AddressStore, Claim, HouseholdCode, claim_position
from compounds.domain.records import Compound
from identity.domain.records import User
from shared import clock, ids, paging
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed


class PhoneTaken(Conflict):
    code = "phone_taken"
    message_zh = "该手机号已有账号，请让居民用此号码直接登录"
    message_en = "An account already has this phone number; the resident can sign in with it."


class NoPropertyCompany(Conflict):
    code = "no_property_company"
    message_zh = "这个小区现在没有签约的物业公司，暂时无法核实地址，请联系社区居委会"
    message_en = "No property company serves this compound now, so nobody can verify the address; ask the community office."


def _verifier(compound: Compound) -> str:
    """The property company that verifies claims in this compound: the one whose contract covers today."""
    company_id = compound.company_on(clock.beijing_today())
    if not company_id:
        raise NoPropertyCompany()
    return company_id


def _compound(store: AddressStore, compound_id: str) -> Compound:
    compound = store.compound(compound_id)
    if compound is None:
        raise ValidationFailed("小区不存在，请从列表中选择", "Unknown compound_id: choose a compound from the list.")
    return compound


def _desk_compound(store: AddressStore, company_id: str, compound_id: str) -> Compound:
    compound = _compound(store, compound_id)
    if compound.contracted_company_id != company_id:
        raise Forbidden("只有该小区的物业公司可以办理", "Only the compound's property company may do this.")
    return compound


def claim(store: AddressStore, resident_id: str, compound_id: str, building: str, unit: str, room: str) -> Address:
    """A claim waits for the compound's property company."""
    compound = _compound(store, compound_id)
    b, u, r = rules.household(building, unit, room)
    address = rules.claimed(resident_id, compound, b, u, r, status=rules.PENDING, at=clock.now_iso())
    if not store.add(Claim(resident_id=resident_id, company_id=_verifier(compound), address=address)):
        raise rules.AlreadyClaimed()
    return address


def claim_with_code(store: AddressStore, resident_id: str, household_code: str) -> Address:
    """The household code the property office handed out names the household: verified at once, the code spent."""
    key = rules.code_key(household_code)
    code = store.code(key)
    if code is None or code.used_by is not None:
        raise rules.InvalidHouseholdCode()
    compound = _compound(store, code.compound_id)
    at = clock.now_iso()
    address = rules.claimed(resident_id, compound, code.building, code.unit, code.room, status=rules.VERIFIED, at=at)
    if not store.add_with_code(Claim(resident_id=resident_id, company_id=_verifier(compound), address=address), key, at):
        held = store.get(address.address_id)
        if held is not None and held.address.status != rules.REJECTED:
            raise rules.AlreadyClaimed()
        raise rules.InvalidHouseholdCode()  # used by a parallel claim a moment ago
    return address


def decide(store: AddressStore, company_id: str, address_id: str, decision: str, reason: str | None) -> Address:
    found = store.get(address_id)
    if found is None or found.company_id != company_id:
        raise NotFound("地址申请不存在", "No such address claim for your company.")
    reason = (reason or "").strip() or None
    status = rules.decision_status(decision, reason)
    if found.address.status != rules.PENDING or not store.decide(found, status, reason):
        raise Conflict("该地址申请已处理", "This address claim was already decided.")
    return found.address.model_copy(update={"status": status, "status_reason": reason})


def pending(store: AddressStore, company_id: str, *, after: str | None, limit: int) -> tuple[list[Claim], str | None]:
    """A page of the claims waiting for the company, oldest first, and the position to continue after."""
    return paging.merge_oldest_first(
        [lambda start, count: store.pending_for(company_id, after=start, limit=count)],
        position_of=claim_position,
        after=after,
        limit=limit,
    )


def leave(store: AddressStore, resident_id: str, address_id: str) -> None:
    if not store.remove(resident_id, address_id):
        raise NotFound("地址不存在", "No such address of yours.")


def new_household_code(
    store: AddressStore, company_id: str, by: str, compound_id: str, building: str, unit: str, room: str
) -> tuple[str, HouseholdCode]:
    """A one-time code for a household of the company's compound (shown once; only its hash is kept)."""
    _desk_compound(store, company_id, compound_id)
    b, u, r = rules.household(building, unit, room)
    record = HouseholdCode(compound_id=compound_id, building=b, unit=u, room=r, created_by=by, created_at=clock.now_iso())
    for _ in range(5):
        code = rules.new_household_code()
        if store.put_code(rules.code_key(code), record):
            return code, record
    raise Conflict("生成住户码失败，请重试", "Could not make a household code; try again.")  # pragma: no cover


def register_resident(
    store: AddressStore, company_id: str, by: str, name: str, phone: str, compound_id: str, building: str, unit: str, room: str
) -> tuple[User, Address]:
    """The property desk registers a resident without a smartphone: her account (she later signs in by SMS
    code with this number) and her verified address, recorded as registered by the desk."""
    compound = _desk_compound(store, company_id, compound_id)
    b, u, r = rules.household(building, unit, room)
    if store.accounts_with_phone(phone):
        raise PhoneTaken()
    account = User(user_id=ids.new_id("res"), role="resident", name=name, phone=phone)
    address = rules.claimed(account.user_id, compound, b, u, r, status=rules.VERIFIED, at=clock.now_iso(), by=by)
    if not store.register_resident(account, Claim(resident_id=account.user_id, company_id=company_id, address=address)):
        raise Conflict()  # pragma: no cover - a fresh id
    return account, address
