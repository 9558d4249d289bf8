"""Residents' addresses (pure): what a claim names, its label, its id, and which addresses may take orders."""

from __future__ import annotations

import hashlib
import re
import secrets

from addresses.domain.records import Address
from compounds.domain.records import Compound
from shared.errors import Conflict, ValidationFailed

PENDING, VERIFIED, REJECTED = "pending", "verified", "rejected"
_PART = re.compile(r"^[0-9A-Za-z\-]{1,8}$")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by older residents
CODE_LENGTH = 8


class AddressNotVerified(Conflict):
    code = "address_not_verified"
    message_zh = "该地址还在等待物业核实，核实后才能下单、报价或预约"
    message_en = (
        "This address is waiting for the property company's verification; orders, quotes and slots need a verified address."
    )


class AddressRejected(Conflict):
    code = "address_not_verified"
    message_zh = "物业未能核实该地址，请联系物业服务中心"
    message_en = "The property company could not verify this address; please contact the property office."


class AlreadyClaimed(Conflict):
    code = "already_claimed"
    message_zh = "您已登记过这个地址"
    message_en = "You have already claimed this address."


class InvalidHouseholdCode(ValidationFailed):
    code = "invalid_household_code"
    message_zh = "住户码不正确或已使用，请核对物业给您的住户码"
    message_en = "The household code is wrong or already used; check the code the property office gave you."


def household(building: str, unit: str, room: str) -> tuple[str, str, str]:
    """Building, unit and room as written on the door (digits, letters, '-'; up to 8 characters each)."""
    parts = tuple(p.strip().upper() for p in (building, unit, room))
    for name, value in zip(("building", "unit", "room"), parts, strict=True):
        if not _PART.match(value):
            raise ValidationFailed(f"{name} 填写有误：{value or '（空）'}", f"{name} is not valid: {value or '(empty)'}")
    return parts  # type: ignore[return-value]


def label(compound: Compound, building: str, unit: str, room: str) -> tuple[str, str]:
    return (
        f"{compound.name}{building}号楼{unit}单元{room}",
        f"{compound.name_en or compound.name} Bldg {building}, Unit {unit}, Flat {room}",
    )


def address_id(resident_id: str, compound_id: str, building: str, unit: str, room: str) -> str:
    """One address per resident and household: the same claim twice is the same address."""
    digest = hashlib.sha256(f"{resident_id}|{compound_id}|{building}|{unit}|{room}".encode()).hexdigest()
    return f"addr_{digest[:16]}"


def claimed(
    resident_id: str, compound: Compound, building: str, unit: str, room: str, *, status: str, at: str, by: str | None = None
) -> Address:
    zh, en = label(compound, building, unit, room)
    return Address(
        address_id=address_id(resident_id, compound.compound_id, building, unit, room),
        compound_id=compound.compound_id,
        label=zh,
        label_en=en,
        lat=compound.lat,
        lng=compound.lng,
        status=status,
        building=building,
        unit=unit,
        room=room,
        claimed_at=at,
        registered_by=by,
    )


def ensure_verified(address: Address) -> None:
    """Orders, quotes and slots take only a verified address."""
    if address.status == PENDING:
        raise AddressNotVerified()
    if address.status != VERIFIED:
        raise AddressRejected()


def decision_status(decision: str, reason: str | None) -> str:
    if decision == "reject" and not (reason or "").strip():
        raise ValidationFailed("驳回须填写原因", "A refusal needs a reason.")
    return VERIFIED if decision == "approve" else REJECTED


def new_household_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_key(code: str) -> str:
    """The stored form of a household code (its SHA-256; upper-cased, spaces and dashes dropped)."""
    cleaned = re.sub(r"[\s\-]", "", code).upper()
    return hashlib.sha256(cleaned.encode()).hexdigest()
