"""Credit events (one item per order and kind: recomputing an order overwrites, never duplicates) and scores."""

from __future__ import annotations

from pydantic import BaseModel
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.dal.base import ensure_bound
from shared.dal.tables import TableItem, item_of
from supervision.store.company_records import CompanyItem


class CreditEvent(BaseModel):
    """One fact from a finished order that counts for (or against) a company's and a technician's credit."""

    event_id: str  # <order_id>:<kind>: recomputing an order's events overwrites, never duplicates
    company_id: str
    technician_id: str | None = None
    order_id: str
    kind: str  # rating | response_deadline | arrival_deadline | dispute_lost | complaint_upheld | rework | deadline_missed
    value: float  # stars for a rating; 1 met / 0 missed for a deadline; 1 for a complaint, lost dispute, re-work
    at: str
    note: str | None = None


# pk CREDIT#COMPANY#<id> or CREDIT#TECH#<id>, sk EVT#<order>#<kind>.
CreditEventItem = item_of(CreditEvent, "CreditEventItem")


class CreditScoreItem(TableItem):
    """pk CREDIT#TECH#<id>, sk SCORE: a technician's computed score (the company's is on its profile)."""

    score = NumberAttribute()
    updated_at = UnicodeAttribute()


PROFILE = "PROFILE"


def _subject_pk(company_id: str | None = None, technician_id: str | None = None) -> str:
    return f"CREDIT#TECH#{technician_id}" if technician_id else f"CREDIT#COMPANY#{company_id}"


def put_events(events: list[CreditEvent]) -> None:
    """Each event under its company and (if any) its technician, keyed by order and kind."""
    ensure_bound()
    with CreditEventItem.batch_write() as batch:
        for event in events:
            data = event.model_dump()
            sk = f"EVT#{event.order_id}#{event.kind}"
            batch.save(CreditEventItem(_subject_pk(company_id=event.company_id), sk, **data))
            if event.technician_id:
                batch.save(CreditEventItem(_subject_pk(technician_id=event.technician_id), sk, **data))


def _event(item: CreditEventItem) -> CreditEvent:
    return CreditEvent(**{k: getattr(item, k) for k in CreditEvent.model_fields})


def company_events(company_id: str) -> list[CreditEvent]:
    ensure_bound()
    return [_event(i) for i in CreditEventItem.query(_subject_pk(company_id=company_id), CreditEventItem.sk.startswith("EVT#"))]


def technician_events(technician_id: str) -> list[CreditEvent]:
    ensure_bound()
    pk = _subject_pk(technician_id=technician_id)
    return [_event(i) for i in CreditEventItem.query(pk, CreditEventItem.sk.startswith("EVT#"))]


def set_company_score(company_id: str, score: float) -> None:
    ensure_bound()
    CompanyItem(f"COMPANY#{company_id}", PROFILE).update(actions=[CompanyItem.credit_score.set(score)])


def set_technician_score(technician_id: str, score: float, at: str) -> None:
    ensure_bound()
    CreditScoreItem(_subject_pk(technician_id=technician_id), "SCORE", score=score, updated_at=at).save()


def technician_score(technician_id: str) -> float | None:
    ensure_bound()
    try:
        return float(CreditScoreItem.get(_subject_pk(technician_id=technician_id), "SCORE").score)
    except CreditScoreItem.DoesNotExist:
        return None
