"""Admission (vetting) writes: status changes of companies and technicians, conditional on the status they
come from, with the index keys that follow (vetting queues; a technician's place in the spatial index)."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from pynamodb.exceptions import UpdateError

from identity.domain.records import User
from shared.dal.base import condition_failed, ensure_bound
from shared.dal.people import PROFILE, _cell_keys, _user
from shared.dal.tables import UserItem, item_of
from shared.errors import InvalidStatus, NotFound
from supervision.domain.records import Company
from supervision.store.company_records import CompanyItem, _company


class Document(BaseModel):
    """A qualification document uploaded to S3 through a pre-signed URL (the table keeps only its key)."""

    document_id: str
    company_id: str
    kind: str  # business_licence | qualification | certificate | identity
    filename: str
    content_type: str
    s3_key: str
    uploaded_by: str
    created_at: str


# pk COMPANY#<company>, sk DOC#<document id>: the S3 object's key and what it is.
DocumentItem = item_of(Document, "DocumentItem")


def _status_conflict() -> InvalidStatus:
    return InvalidStatus("当前状态不允许此操作", "The current status does not allow this.")


def set_company_status(company_id: str, to_status: str, from_statuses: Iterable[str], *, reason: str | None, at: str) -> Company:
    ensure_bound()
    try:
        item = CompanyItem.get(f"COMPANY#{company_id}", PROFILE, consistent_read=True)
    except CompanyItem.DoesNotExist as exc:
        raise NotFound("企业不存在", "No such company.") from exc
    try:
        item.update(
            actions=[
                CompanyItem.status.set(to_status),
                CompanyItem.gsi4pk.set(f"VETTING#company#{to_status}"),
                CompanyItem.status_changed_at.set(at),
                CompanyItem.status_reason.set(reason) if reason else CompanyItem.status_reason.remove(),
            ],
            condition=CompanyItem.status.is_in(*from_statuses),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise _status_conflict() from exc
        raise
    return _company(item)


def set_technician_status(user_id: str, to_status: str, from_statuses: Iterable[str], *, reason: str | None, at: str) -> User:
    """The status, the vetting queue key, and the spatial index keys (only active technicians are in it)."""
    ensure_bound()
    try:
        item = UserItem.get(f"USER#{user_id}", PROFILE, consistent_read=True)
    except UserItem.DoesNotExist as exc:
        raise NotFound("师傅不存在", "No such technician.") from exc
    if item.role != "technician":
        raise NotFound("师傅不存在", "No such technician.")
    after = _user(item).model_copy(update={"status": to_status, "status_reason": reason})
    cell = _cell_keys(after)
    index = (
        [UserItem.gsi1pk.set(cell["gsi1pk"]), UserItem.gsi1sk.set(cell["gsi1sk"])]
        if cell["gsi1pk"]
        else [UserItem.gsi1pk.remove(), UserItem.gsi1sk.remove()]
    )
    try:
        item.update(
            actions=[
                UserItem.status.set(to_status),
                UserItem.gsi4pk.set(f"VETTING#technician#{to_status}"),
                UserItem.status_reason.set(reason) if reason else UserItem.status_reason.remove(),
                *index,
            ],
            condition=UserItem.status.is_in(*from_statuses),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise _status_conflict() from exc
        raise
    return _user(item)


def set_skills(user_id: str, skills: list[str], suspended_skills: list[str]) -> None:
    """A technician's usable and suspended skills (the expiry job and reinstatement move them)."""
    ensure_bound()
    UserItem(f"USER#{user_id}", PROFILE).update(
        actions=[UserItem.skills.set(skills), UserItem.suspended_skills.set(suspended_skills or None)]
    )


def put_document(document: Document) -> None:
    ensure_bound()
    DocumentItem(f"COMPANY#{document.company_id}", f"DOC#{document.document_id}", **document.model_dump()).save()


def get_document(company_id: str, document_id: str) -> Document | None:
    ensure_bound()
    try:
        item = DocumentItem.get(f"COMPANY#{company_id}", f"DOC#{document_id}")
    except DocumentItem.DoesNotExist:
        return None
    return Document(**{k: getattr(item, k) for k in Document.model_fields})
