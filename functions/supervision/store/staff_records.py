"""Technicians as persons (one per identity card number) and their certificate renewals."""

from __future__ import annotations

from pydantic import BaseModel
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError

from identity.domain.records import Certificate, User
from shared.dal.base import Change, commit, condition_failed, ensure_bound, query_page
from shared.dal.tables import Gsi4, TableItem, item_of
from shared.errors import Conflict


class PersonItem(TableItem):
    """pk PERSON#<sha-256 of the identity card number>, sk TECHNICIAN: the one technician this person is."""

    user_id = UnicodeAttribute()
    company_id = UnicodeAttribute(null=True)
    registered_at = UnicodeAttribute()


class Holder(BaseModel):
    user_id: str
    company_id: str | None


class Renewal(BaseModel):
    renewal_id: str
    technician_id: str
    company_id: str | None
    certificate: Certificate
    issued_on: str | None = None
    status: str
    submitted_by: str
    submitted_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None


RenewalItem = item_of(
    Renewal,
    "RenewalItem",
    "pk USER#<tech>, sk RENEWAL#<renewal id>: a new certificate waiting for a supervisor (gsi4 VETTING#renewal#<status>).",
    gsi4pk=UnicodeAttribute(),
    gsi4sk=UnicodeAttribute(),
    by_status=Gsi4(),
)


def holder(person: str) -> Holder | None:
    """The technician this person already is, or None."""
    ensure_bound()
    try:
        item = PersonItem.get(f"PERSON#{person}", "TECHNICIAN", consistent_read=True)
    except PersonItem.DoesNotExist:
        return None
    return Holder(user_id=item.user_id, company_id=item.company_id)


def register(person: str, tech: User, account: list[Change]) -> bool:
    """The person's marker and the technician's new account (`account`: identity.service.accounts.
    new_account_changes), in one transaction: False (nothing written) if the person is already a technician."""
    ensure_bound()
    marker = PersonItem(
        f"PERSON#{person}", "TECHNICIAN", user_id=tech.user_id, company_id=tech.company_id, registered_at=tech.registered_at
    )
    try:
        commit([Change(marker, condition=PersonItem.pk.does_not_exist()), *account])
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _renewal(item: RenewalItem) -> Renewal:
    return Renewal(
        **{k: getattr(item, k) for k in Renewal.model_fields if k != "certificate"},
        certificate=Certificate(**item.certificate),
    )


def _renewal_item(r: Renewal) -> RenewalItem:
    return RenewalItem(
        f"USER#{r.technician_id}",
        f"RENEWAL#{r.renewal_id}",
        **r.model_dump(exclude={"certificate"}),
        certificate=r.certificate.model_dump(),
        gsi4pk=f"VETTING#renewal#{r.status}",
        gsi4sk=f"{r.submitted_at}#{r.renewal_id}",
    )


def put_renewal(renewal: Renewal) -> None:
    ensure_bound()
    _renewal_item(renewal).save()


def get_renewal(technician_id: str, renewal_id: str) -> Renewal | None:
    ensure_bound()
    try:
        return _renewal(RenewalItem.get(f"USER#{technician_id}", f"RENEWAL#{renewal_id}", consistent_read=True))
    except RenewalItem.DoesNotExist:
        return None


def renewals_by_status(
    status: str, *, after: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[Renewal], dict[str, str] | None]:
    """A page of the supervisors' queue of renewals (pending), oldest first: one Query on gsi4."""
    ensure_bound()
    items, resume = query_page(RenewalItem.by_status, f"VETTING#renewal#{status}", after=after, limit=limit)
    return [_renewal(i) for i in items], resume


def decide_renewal(renewal: Renewal, credentials: list[Change], *, status: str, by: str, at: str, reason: str | None) -> Renewal:
    """The decision on a pending renewal and, if approved, the technician's new certificates and skills
    (`credentials`: identity.service.accounts.credentials_changes), in one transaction (a renewal decided twice, or a
    technician gone meanwhile, is a conflict)."""
    ensure_bound()
    decided = renewal.model_copy(update={"status": status, "decided_by": by, "decided_at": at, "reason": reason})
    decision = Change(_renewal_item(decided), condition=RenewalItem.status == "pending")
    try:
        commit([decision, *(credentials if status == "approved" else [])])
    except (TransactWriteError, UpdateError) as exc:
        if condition_failed(exc):
            raise Conflict("该换证申请已处理", "This renewal was already decided.") from exc
        raise
    return decided
