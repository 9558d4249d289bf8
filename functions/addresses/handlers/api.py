"""HTTP routes of residents' addresses (served by the orders function, which already answers /me): thin,
each parses, checks the caller's role, calls one use case and shapes the answer."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from addresses.service import claims
from addresses.service.wiring import store
from addresses.store import address_book
from identity.service import accounts
from shared import paging
from shared.api import current_caller
from shared.auth import company_of, require_role
from shared.errors import ValidationFailed
from shared.roles import Role

router = Router()
_STRICT = ConfigDict(extra="forbid")
_PART = Field(min_length=1, max_length=8, description="as written on the door: digits, letters, '-'")


class ClaimIn(BaseModel):
    """Either the household (compound_id, building, unit, room) or a household code from the property office."""

    model_config = _STRICT
    compound_id: str | None = Field(default=None, min_length=1, max_length=60)
    building: str | None = Field(default=None, min_length=1, max_length=8)
    unit: str | None = Field(default=None, min_length=1, max_length=8)
    room: str | None = Field(default=None, min_length=1, max_length=8)
    household_code: str | None = Field(default=None, min_length=4, max_length=20)

    @model_validator(mode="after")
    def _one_way(self) -> ClaimIn:
        parts = (self.compound_id, self.building, self.unit, self.room)
        if self.household_code is None and not all(parts):
            raise ValueError("compound_id, building, unit and room are required (or a household_code)")
        return self


class ClaimedAddress(BaseModel):
    address_id: str
    compound_id: str
    label: str
    label_en: str
    building: str
    unit: str
    room: str
    status: Literal["pending", "verified", "rejected"]
    status_reason: str | None = None
    claimed_at: str | None = None
    registered_by: str | None = None


class PendingClaim(ClaimedAddress):
    resident_id: str
    resident_name: str


class PendingList(BaseModel):
    claims: list[PendingClaim]
    next_cursor: paging.NextCursor = None


class DecisionIn(BaseModel):
    model_config = _STRICT
    decision: Literal["approve", "reject"]
    reason: str | None = Field(default=None, max_length=500)


class HouseholdCodeIn(BaseModel):
    model_config = _STRICT
    building: str = _PART
    unit: str = _PART
    room: str = _PART


class HouseholdCodeView(BaseModel):
    code: str = Field(description="shown once: only its hash is stored")
    compound_id: str
    building: str
    unit: str
    room: str


class ResidentIn(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1, max_length=60)
    phone: str = Field(pattern=r"^1\d{10}$")
    compound_id: str = Field(min_length=1, max_length=60)
    building: str = _PART
    unit: str = _PART
    room: str = _PART


class RegisteredResident(BaseModel):
    user_id: str
    name: str
    phone: str
    address: ClaimedAddress


def _view(address) -> ClaimedAddress:
    return ClaimedAddress(**address.model_dump(include=set(ClaimedAddress.model_fields)))


@router.post("/me/addresses", status_code=201)
def claim_address(body: ClaimIn) -> tuple[ClaimedAddress, int]:
    """A resident claims an address: `pending` until the property company verifies it; with a household code,
    `verified` at once."""
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    if body.household_code is not None:
        address = claims.claim_with_code(store(), caller.user_id, body.household_code)
    else:
        assert body.compound_id and body.building and body.unit and body.room
        address = claims.claim(store(), caller.user_id, body.compound_id, body.building, body.unit, body.room)
    return _view(address), 201


class MyAddresses(BaseModel):
    addresses: list[ClaimedAddress]


@router.delete("/me/addresses/<address_id>")
def leave_address(address_id: str) -> MyAddresses:
    """The resident leaves an address (moved out, or claimed by mistake): her addresses that remain."""
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    claims.leave(store(), caller.user_id, address_id)
    return MyAddresses(addresses=[_view(a) for a in address_book.list_addresses(caller.user_id)])


@router.get("/addresses")
def address_claims(
    status: Annotated[Literal["pending"], Query()] = "pending",
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> PendingList:
    """The address claims waiting for the caller's property company, oldest first."""
    company_id = company_of(current_caller(router), Role.DISPATCHER)
    found, last = claims.pending(store(), company_id, after=paging.decode("address_claims", cursor), limit=limit)
    names = accounts.get_users({c.resident_id for c in found}) if found else {}
    return PendingList(
        claims=[
            PendingClaim(
                **_view(c.address).model_dump(),
                resident_id=c.resident_id,
                resident_name=names[c.resident_id].name if c.resident_id in names else "",
            )
            for c in found
        ],
        next_cursor=paging.encode("address_claims", last) if last else None,
    )


@router.post("/addresses/<address_id>/verify")
def verify_address(address_id: str, body: DecisionIn) -> ClaimedAddress:
    company_id = company_of(current_caller(router), Role.DISPATCHER)
    return _view(claims.decide(store(), company_id, address_id, body.decision, body.reason))


@router.post("/compounds/<compound_id>/household-codes", status_code=201)
def household_code(compound_id: str, body: HouseholdCodeIn) -> tuple[HouseholdCodeView, int]:
    caller = current_caller(router)
    company_id = company_of(caller, Role.DISPATCHER)
    code, record = claims.new_household_code(
        store(), company_id, caller.user_id, compound_id, body.building, body.unit, body.room
    )
    return HouseholdCodeView(code=code, **record.model_dump(include={"compound_id", "building", "unit", "room"})), 201


@router.post("/residents", status_code=201)
def register_resident(body: ResidentIn) -> tuple[RegisteredResident, int]:
    """The property desk registers a resident without a smartphone (recorded as registered by the desk)."""
    caller = current_caller(router)
    company_id = company_of(caller, Role.DISPATCHER)
    if not body.name.strip():
        raise ValidationFailed("请填写姓名", "The name is required.")
    account, address = claims.register_resident(
        store(), company_id, caller.user_id, body.name.strip(), body.phone, body.compound_id, body.building, body.unit, body.room
    )
    return RegisteredResident(user_id=account.user_id, name=account.name, phone=account.phone, address=_view(address)), 201
