"""The messages of supervision events: admission decisions, certificate renewals and warnings, and credit
suspensions, told to the company's dispatchers, the technician concerned and the supervisors."""

from __future__ import annotations

from notify.domain.compose import Draft, sms_name, sms_yuan
from notify.domain.sms.words import CERTIFICATES, DECISIONS
from shared.events import SUPERVISION_EVENTS, DomainEvent, EventType
from supervision.domain.qualifications import CERTIFICATE_NAMES

E = EventType

_DECISIONS = {
    "approve": ("已通过准入审核", "was admitted"),
    "reject": ("未通过准入审核", "was not admitted"),
    "suspend": ("已被暂停接单", "was suspended from taking orders"),
    "reinstate": ("已恢复接单资格", "was reinstated"),
    "renewal_approved": ("换证已通过审核，相关技能已恢复接单", "had the certificate renewal approved; the skills are back"),
    "renewal_rejected": ("换证未通过审核", "had the certificate renewal refused"),
}


def _subject_sms(event: DomainEvent) -> tuple[str, dict[str, str]]:
    """The SMS of a supervision event: names only when they are plain names, the reason left to the back office."""
    s = event.subject
    assert s is not None
    who = (
        f"师傅{sms_name(s.name, '')}"
        if s.technician_id and sms_name(s.name, "")
        else ("贵公司的师傅" if s.technician_id else "贵公司")
    )
    cert = CERTIFICATE_NAMES.get(s.certificate_kind or "", ("", ""))[0]
    cert = cert if cert in CERTIFICATES else "资质证书"
    if event.type in (E.COMPANY_ADMISSION_DECIDED, E.TECHNICIAN_ADMISSION_DECIDED):
        decision = _DECISIONS.get(s.decision or "", ("状态已变更", ""))[0]
        return "admission_decided", {"who": who, "decision": decision if decision in DECISIONS else "状态已变更"}
    if event.type == E.CERTIFICATE_EXPIRING:
        return "certificate_expiring", {
            "who": who,
            "certificate": cert,
            "date": str(s.expires_on),
            "days": str(s.days_left),
        }
    if event.type == E.CERTIFICATE_EXPIRED:
        return "certificate_expired", {"who": who, "certificate": cert, "date": str(s.expires_on)}
    return "credit_suspended", {
        "company": sms_name(s.name, "贵公司"),
        "score": sms_yuan(round(s.credit_score or 0, 1)),
        "threshold": sms_yuan(round(s.threshold or 0, 1)),
    }


def _subject_text(event: DomainEvent) -> tuple[str, str] | None:
    """The wording of a supervision event (to the company's dispatchers and to supervisors)."""
    s = event.subject
    if s is None:
        return None
    who_zh, who_en = (
        (f"师傅 {s.name or s.technician_id}", f"technician {s.name or s.technician_id}")
        if s.technician_id
        else ("贵公司", "Your company")
    )
    reason_zh, reason_en = (f"原因：{s.reason}。", f" Reason: {s.reason}.") if s.reason else ("", "")
    cert_zh, cert_en = CERTIFICATE_NAMES.get(s.certificate_kind or "", (s.certificate_kind or "", s.certificate_kind or ""))
    if event.type in (E.COMPANY_ADMISSION_DECIDED, E.TECHNICIAN_ADMISSION_DECIDED):
        zh, en = _DECISIONS.get(s.decision or "", ("状态已变更", "changed status"))
        return f"【邻里】{who_zh}{zh}。{reason_zh}", f"[Linli] {who_en} {en}.{reason_en}"
    if event.type == E.CERTIFICATE_EXPIRING:
        return (
            f"【邻里】{who_zh}的{cert_zh}将于 {s.expires_on} 到期（还有 {s.days_left} 天），"
            "请及时换证并上传，否则到期后相关技能将暂停接单。",
            f"[Linli] The {cert_en} of {who_en} expires on {s.expires_on} ({s.days_left} days left). Renew and upload it, "
            "or the skills that need it are suspended on that day.",
        )
    if event.type == E.CERTIFICATE_EXPIRED:
        skills = "、".join(s.skills or [])
        return (
            f"【邻里】{who_zh}的{cert_zh}已于 {s.expires_on} 到期，技能（{skills}）已暂停接单，换证后请联系监管人员恢复。",
            f"[Linli] The {cert_en} of {who_en} expired on {s.expires_on}; the skills ({', '.join(s.skills or [])}) are "
            "suspended until a supervisor reinstates them after renewal.",
        )
    if event.type == E.CREDIT_SUSPENDED:
        return (
            f"【邻里】企业 {s.name or s.company_id} 信用分 {s.credit_score:g} 低于 {s.threshold:g}，"
            "已自动暂停派单，请监管人员复核。",
            f"[Linli] Company {s.name or s.company_id} scored {s.credit_score:g} (below {s.threshold:g}) and was suspended "
            "from matching automatically; a supervisor should review it.",
        )
    return None


# A score that changes after every finished order is no message: the back office shows the score, and the
# company's own system gets `credit.changed` by webhook. The other supervision events are told to people.
MESSAGED_SUPERVISION_EVENTS = SUPERVISION_EVENTS - {E.CREDIT_CHANGED}


def supervision_drafts(event: DomainEvent, *, dispatchers: list[str], supervisors: list[str]) -> list[Draft]:
    """Admission decisions, renewals and certificate warnings go to the company's dispatchers and to the
    technician concerned; credit suspensions to the dispatchers and to every supervisor (the supervisors' alert)."""
    text = _subject_text(event) if event.type in MESSAGED_SUPERVISION_EVENTS else None
    if text is None:
        return []
    technician = [event.subject.technician_id] if event.subject and event.subject.technician_id else []
    recipients = list(dispatchers) + technician + (list(supervisors) if event.type == E.CREDIT_SUSPENDED else [])
    template, params = _subject_sms(event)
    return [Draft(r, event.type.value, None, *text, template, params) for r in dict.fromkeys(recipients)]
