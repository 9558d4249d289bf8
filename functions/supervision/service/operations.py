"""What the supervision handlers share: each step reads through the data layer, decides with `logic`, writes
through the data layer (audit entries, credit events and scores, admission decisions, their domain events)."""

from __future__ import annotations

from identity.domain.records import User
from identity.service import accounts
from orders.domain.records import Order
from orders.service import queries as orders
from shared import clock, events
from shared.errors import InvalidStatus, NotFound, ValidationFailed
from shared.events import DomainEvent, EventType, SubjectSnapshot
from shared.observability import logger
from supervision.domain import admission, staff_records
from supervision.domain import audit as chain
from supervision.domain import credit as formula
from supervision.domain.admission import Decision, Kind
from supervision.domain.expiry import beijing_today
from supervision.domain.records import Company
from supervision.domain.settings import supervision_settings
from supervision.store import admission as admission_dal
from supervision.store import audit, company_records, credit
from supervision.store import staff_records as staff_dal
from supervision.store.audit import AuditEntry
from supervision.store.audit_ports import AuditStore
from supervision.store.credit import CreditEvent
from supervision.store.staff_records import Renewal

CREDIT_TRIGGERS = frozenset(
    {EventType.ORDER_CLOSED, EventType.ORDER_DISPUTE_RESOLVED, EventType.ORDER_ESCALATED, EventType.ORDER_SUBMITTED}
)


# --- Audit log ----------------------------------------------------------------------------------------


def append(
    chain_id: str, *, source_id: str, kind: str, actor: str, at: str, detail: dict, store: AuditStore = audit
) -> AuditEntry | None:
    """Append one entry to a chain (once per source)."""
    return store.append(
        chain_id,
        source_id,
        lambda seq, prev: chain.link(
            chain_id=chain_id, seq=seq, prev_hash=prev, at=at, kind=kind, actor=actor, detail=detail, source_id=source_id
        ),
    )


def _actor(order: Order | None, status: str) -> str:
    if order is None:
        return "workflow"
    return next((t.actor for t in reversed(order.timeline) if t.status == status), "workflow")


def event_detail(event: DomainEvent, order: Order | None) -> dict:
    """What the audit entry of a domain event records: the status change, the offer, bill lines, approval,
    rating, dispute, as they were when the event was handled."""
    snap = event.order
    detail: dict = {"event_id": event.event_id, "status": snap.status if snap else None}
    if event.previous_status:
        detail["previous_status"] = event.previous_status
    for key in ("technician_id", "company_id", "escalation_reason", "cancel_reason", "rating_stars", "bill_total"):
        value = getattr(snap, key, None) if snap else None
        if value is not None:
            detail[key] = value
    if order is not None and snap is not None:
        via = next((t.via for t in reversed(order.timeline) if t.status == snap.status), None)
        if via:
            detail["via_api_key"] = via  # a company's system did it, with this key, for the actor
    if event.offer_id:
        detail |= {"offer_id": event.offer_id, "offer_technician_id": event.offer_technician_id}
    if event.deadline_at:
        detail |= {"deadline_step": event.deadline_step, "deadline_at": event.deadline_at}
    if order is not None and event.type in (EventType.ORDER_COMPLETED, EventType.ORDER_APPROVAL_NEEDED):
        detail["bill_lines"] = [
            {"line_id": line.line_id, "item_id": line.item_id, "amount": line.amount, "decision": line.decision}
            for line in order.bill + order.extra_lines
        ]
        if order.approval_outcome:
            detail["approval"] = {"outcome": order.approval_outcome, "by": order.approval_by, "at": order.approval_at}
    if order is not None and event.type == EventType.ORDER_DISPUTE_RESOLVED and order.dispute:
        detail["dispute"] = order.dispute.model_dump(include={"outcome", "refund", "resolved_by", "resolution_note"})
    return detail


def audit_event(event: DomainEvent, order: Order | None) -> AuditEntry | None:
    if event.order is None:
        return None  # supervision events: their chains are written where they are decided
    # Offers and deadline warnings are the workflow's doing, not that of whoever set the order's status.
    actor = "workflow" if event.offer_id or event.deadline_at else _actor(order, event.order.status)
    return append(
        event.order.order_id,
        source_id=event.event_id,
        kind=event.type.value,
        actor=actor,
        at=event.occurred_at,
        detail=event_detail(event, order),
    )


# --- Credit -------------------------------------------------------------------------------------------


def credit_events_for(event: DomainEvent, order: Order) -> list[CreditEvent]:
    settings = supervision_settings()
    if event.type == EventType.ORDER_ESCALATED:
        missed = formula.escalation_event(order, order.escalation_reason, event.occurred_at)
        return [missed] if missed else []
    if event.type == EventType.ORDER_SUBMITTED:  # a re-work under warranty counts against the original repair
        rework = formula.rework_event(order, orders.get(order.rework_of)) if order.rework_of else None
        return [rework] if rework else []
    return formula.finished_order_events(order, settings)


def record_credit(event: DomainEvent, order: Order) -> list[CreditEvent]:
    """Store the order's credit events and recompute the scores of everyone they concern."""
    found = [e for e in credit_events_for(event, order) if e.company_id]
    if not found:
        return []
    credit.put_events(found)
    at = event.occurred_at
    for company_id in sorted({e.company_id for e in found}):
        recompute_company(company_id, at=at, cause=event.event_id)
    for technician_id in sorted({e.technician_id for e in found if e.technician_id}):
        breakdown = formula.score(
            credit.technician_events(technician_id), formula.CreditParams.from_settings(supervision_settings())
        )
        credit.set_technician_score(technician_id, breakdown.score, at)
    return found


def recompute_company(company_id: str, *, at: str, cause: str) -> formula.Score:
    """The company's score from all its credit events (`cause`: the id of the event that changed them).

    A changed score is published (`credit.changed`, its id derived from the cause) before it is stored, so a
    retry after a failure in between still finds the old score and publishes the same event again. Below the
    threshold an admitted company is suspended from matching and the supervisors are alerted."""
    settings = supervision_settings()
    breakdown = formula.score(credit.company_events(company_id), formula.CreditParams.from_settings(settings))
    company = company_records.get_company(company_id)
    if company is not None and company.credit_score != breakdown.score:
        events.publish([credit_changed(company, breakdown.score, at=at, cause=cause)])
    credit.set_company_score(company_id, breakdown.score)
    if company and company.status == admission.ADMITTED[Kind.COMPANY] and breakdown.score < settings.credit_suspend_threshold:
        reason = f"信用分 {breakdown.score:g} 低于 {settings.credit_suspend_threshold:g} / credit score below threshold"
        decided = admission_dal.set_company_status(company_id, admission.SUSPENDED, [company.status], reason=reason, at=at)
        append(
            f"company:{company_id}",
            source_id=f"credit-suspension:{company_id}:{at}",
            kind="credit.suspended",
            actor="credit",
            at=at,
            detail={"score": breakdown.score, "threshold": settings.credit_suspend_threshold},
        )
        events.publish(
            [
                DomainEvent(
                    event_id=f"evt_credit_{company_id}_{at}",
                    type=EventType.CREDIT_SUSPENDED,
                    occurred_at=at,
                    company_id=company_id,
                    subject=SubjectSnapshot(
                        company_id=company_id,
                        name=decided.name,
                        status=decided.status,
                        credit_score=breakdown.score,
                        threshold=settings.credit_suspend_threshold,
                        reason=reason,
                    ),
                )
            ]
        )
    return breakdown


def credit_changed(company: Company, score: float, *, at: str, cause: str) -> DomainEvent:
    return DomainEvent(
        event_id=f"evt_credit_changed_{company.company_id}_{cause}",
        type=EventType.CREDIT_CHANGED,
        occurred_at=at,
        company_id=company.company_id,
        subject=SubjectSnapshot(
            company_id=company.company_id,
            name=company.name,
            status=company.status,
            credit_score=score,
            previous_credit_score=company.credit_score,
        ),
    )


# --- Admission ----------------------------------------------------------------------------------------


def decide(kind: Kind, subject_id: str, decision: Decision, reason: str | None, *, actor: str) -> Company | User:
    """A supervisor's admission decision: the status change, its audit entry and its domain event."""
    admission.check_reason(decision, reason)
    if kind == Kind.TECHNICIAN and decision == Decision.REINSTATE:
        current = accounts.get_user(subject_id)
        if current is not None and current.status == admission.ADMITTED[Kind.TECHNICIAN] and current.suspended_skills:
            return reinstate_skills(subject_id, reason, actor=actor)
    from_statuses, to_status = admission.transition(kind, decision)
    at = clock.now_iso()
    reason = (reason or "").strip() or None
    if kind == Kind.COMPANY:
        decided: Company | User = admission_dal.set_company_status(subject_id, to_status, from_statuses, reason=reason, at=at)
        company_id, technician_id, name = subject_id, None, decided.name
    else:
        decided = accounts.set_technician_status(subject_id, to_status, from_statuses, reason=reason, at=at)
        company_id, technician_id, name = decided.company_id or "", subject_id, decided.name
        if decision == Decision.REINSTATE:
            _restore_skills(decided)
        if decision == Decision.SUSPEND:
            # Its sessions end at once: no refresh token of the account works any more (signing in again is
            # refused while the account is suspended; access tokens already issued are refused by the account check).
            from identity.service.wiring import revoke_sessions

            try:
                revoke_sessions(subject_id)
            except Exception:  # noqa: BLE001 - the suspension stands; a refresh is refused by the account check anyway
                logger.exception("sessions of a suspended technician not revoked", extra={"user_id": subject_id})
    source = f"{decision.value}:{at}"
    append(
        f"{kind.value}:{subject_id}",
        source_id=source,
        kind=f"admission.{decision.value}",
        actor=actor,
        at=at,
        detail={"status": to_status, "reason": reason},
    )
    events.publish(
        [
            DomainEvent(
                event_id=f"evt_{kind.value}_{subject_id}_{decision.value}_{at}",
                type=EventType.COMPANY_ADMISSION_DECIDED if kind == Kind.COMPANY else EventType.TECHNICIAN_ADMISSION_DECIDED,
                occurred_at=at,
                company_id=company_id or None,
                subject=SubjectSnapshot(
                    company_id=company_id,
                    technician_id=technician_id,
                    name=name,
                    decision=decision.value,
                    status=to_status,
                    reason=reason,
                ),
            )
        ]
    )
    return decided


def _restore_skills(tech: User) -> list[str]:
    """A reinstated technician gets back the suspended skills whose certificates are valid again."""
    back = staff_records.restorable_skills(tech, beijing_today())
    if back:
        accounts.set_skills(tech.user_id, tech.skills + back, [s for s in tech.suspended_skills if s not in back])
    return back


def reinstate_skills(user_id: str, reason: str | None, *, actor: str) -> User:
    """`reinstate` for an active technician whose skills were suspended by an expired certificate: the skills
    whose certificate is valid again come back (409 when there are none)."""
    tech = accounts.get_user(user_id)
    if tech is None or tech.role != "technician":
        raise NotFound("师傅不存在", "No such technician.")
    back = _restore_skills(tech)
    if not back:
        raise InvalidStatus(
            "该师傅没有可恢复的技能（证书仍无效）", "The technician has no suspended skill with a valid certificate to restore."
        )
    at = clock.now_iso()
    _skills_decided(tech, Decision.REINSTATE.value, reason, actor=actor, at=at, detail={"skills": back})
    return accounts.get_user(user_id) or tech


def decide_renewal(user_id: str, renewal_id: str, decision: str, reason: str | None, *, actor: str) -> Renewal:
    """A supervisor's decision on a certificate renewal: approved, the new certificate replaces the old one and
    the skills it covers are no longer suspended; refused (with a reason), nothing changes. Audited, told."""
    renewal = staff_dal.get_renewal(user_id, renewal_id)
    tech = accounts.get_user(user_id)
    if renewal is None or tech is None:
        raise NotFound("换证申请不存在", "No such renewal.")
    if renewal.status != staff_records.RENEWAL_PENDING:
        raise InvalidStatus("该换证申请已处理", "This renewal was already decided.")
    reason = (reason or "").strip() or None
    if decision == "reject" and not reason:
        raise ValidationFailed("驳回须填写原因", "A refusal needs a reason.")
    at = clock.now_iso()
    approved = decision == "approve"
    after = tech
    if approved:
        certificates, skills, suspended = staff_records.with_renewal(tech, renewal.certificate, beijing_today())
        after = tech.model_copy(update={"certificates": certificates, "skills": skills, "suspended_skills": suspended})
    status = staff_records.RENEWAL_APPROVED if approved else staff_records.RENEWAL_REJECTED
    credentials = accounts.credentials_changes(after, renewal.certificate) if approved else []
    decided = staff_dal.decide_renewal(renewal, credentials, status=status, by=actor, at=at, reason=reason)
    restored = [s for s in tech.suspended_skills if s not in after.suspended_skills]
    _skills_decided(
        tech,
        "renewal_approved" if approved else "renewal_rejected",
        reason,
        actor=actor,
        at=at,
        detail={"renewal_id": renewal_id, "certificate": renewal.certificate.kind, "skills": restored},
        certificate_kind=renewal.certificate.kind,
        expires_on=renewal.certificate.expires_on,
    )
    return decided


def _skills_decided(tech: User, decision: str, reason: str | None, *, actor: str, at: str, detail: dict, **subject) -> None:
    append(
        f"technician:{tech.user_id}",
        source_id=f"{decision}:{at}",
        kind=f"certificate.{decision}" if decision.startswith("renewal") else f"admission.{decision}",
        actor=actor,
        at=at,
        detail=detail | {"reason": reason},
    )
    events.publish(
        [
            DomainEvent(
                event_id=f"evt_technician_{tech.user_id}_{decision}_{at}",
                type=EventType.TECHNICIAN_ADMISSION_DECIDED,
                occurred_at=at,
                company_id=tech.company_id,
                subject=SubjectSnapshot.of_technician(tech, decision=decision, status=tech.status, reason=reason, **subject),
            )
        ]
    )
