"""Admission (vetting) writes: status changes of companies and technicians, conditional on the status they
come from, with the index keys that follow (vetting queues; a technician's place in the spatial index)."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from pynamodb.exceptions import UpdateError

from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import item_of
from shared.errors import InvalidStatus, NotFound
from supervision.domain.records import Company
from supervision.store.company_records import PROFILE, CompanyItem, _company


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
