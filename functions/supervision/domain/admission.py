"""Admission decisions (pure): which decision moves which status where, and what must come with it."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import InvalidStatus, ValidationFailed


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"


class Kind(StrEnum):
    COMPANY = "company"
    TECHNICIAN = "technician"


PENDING, REJECTED, SUSPENDED = "pending", "rejected", "suspended"
# Matching takes admitted companies and active technicians (matching.domain.eligibility).
ADMITTED = {Kind.COMPANY: "admitted", Kind.TECHNICIAN: "active"}


def transition(kind: Kind, decision: Decision) -> tuple[frozenset[str], str]:
    """(the statuses the decision may be taken from, the status after it)."""
    admitted = ADMITTED[kind]
    return {
        Decision.APPROVE: (frozenset({PENDING, REJECTED}), admitted),
        Decision.REJECT: (frozenset({PENDING}), REJECTED),
        Decision.SUSPEND: (frozenset({admitted}), SUSPENDED),
        Decision.REINSTATE: (frozenset({SUSPENDED}), admitted),
    }[decision]


def check_reason(decision: Decision, reason: str | None) -> None:
    if decision in (Decision.REJECT, Decision.SUSPEND) and not (reason or "").strip():
        raise ValidationFailed("驳回或暂停须填写原因", "A rejection or suspension needs a reason.")


def check_application(status: str | None) -> None:
    """A company may apply (again) unless it is admitted or suspended."""
    if status in (ADMITTED[Kind.COMPANY], SUSPENDED):
        raise InvalidStatus("贵公司已准入，无需重复申请", "Your company is already admitted; no new application needed.")


def mask_id_number(id_number: str) -> str:
    """Keep the region (6) and the last 4 characters of an identity card number; the rest is not stored."""
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"
