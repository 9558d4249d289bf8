"""The staff-record rules (pure): calendar dates, one person one technician, scans, renewals."""

from __future__ import annotations

from datetime import date

import pytest

from identity.domain.records import Certificate, User
from shared.errors import ValidationFailed
from supervision.domain import staff_records as rules

TODAY = date(2026, 12, 4)
ELEC = "electrician_low_voltage"


@pytest.mark.parametrize("text", ["2030-02-30", "2031-02-29", "2030-04-31", "2030-13-01", "2030-00-10", "2030-1-1", "tomorrow"])
def test_a_date_that_is_not_on_the_calendar_is_refused(text):
    with pytest.raises(ValidationFailed) as refused:
        rules.calendar_date(text, "expires_on")
    assert "expires_on" in refused.value.message_en


def test_real_dates_including_a_leap_day_are_read():
    assert rules.calendar_date("2032-02-29", "expires_on") == date(2032, 2, 29)
    assert rules.calendar_date("2030-12-31", "expires_on") == date(2030, 12, 31)


def test_the_same_identity_card_number_is_the_same_person_whatever_the_case_and_spaces():
    assert rules.person_key("11011219800101123x") == rules.person_key(" 11011219800101123X ")
    assert rules.person_key("110112198001011234") != rules.person_key("110112198001011235")
    assert "1101121980" not in rules.person_key("110112198001011234")


def test_the_conflict_names_the_company_that_holds_him():
    error = rules.AlreadyRegistered("co_a", "安居物业")
    assert (error.status, error.code, error.company_id) == (409, "already_registered", "co_a")
    assert "安居物业" in error.message_zh and "安居物业" in error.message_en


def test_a_skill_that_needs_a_certificate_needs_its_scan():
    with pytest.raises(ValidationFailed, match="scan"):
        rules.check_certificates(["electrical"], [Certificate(kind=ELEC, expires_on="2099-01-01")], TODAY)
    with pytest.raises(ValidationFailed, match="missing"):
        rules.check_certificates(["locks"], [], TODAY)
    with pytest.raises(ValidationFailed, match="real calendar date"):
        rules.check_certificates(["electrical"], [Certificate(kind=ELEC, expires_on="2030-02-30", document_id="d")], TODAY)
    with pytest.raises(ValidationFailed, match="expired"):
        rules.check_certificates(["electrical"], [Certificate(kind=ELEC, expires_on="2026-12-03", document_id="d")], TODAY)
    rules.check_certificates(
        ["electrical", "plumbing"], [Certificate(kind=ELEC, expires_on="2026-12-04", document_id="d")], TODAY
    )
    rules.check_certificates(["plumbing"], [], TODAY)


def _suspended() -> User:
    return User(
        user_id="t1",
        role="technician",
        name="赵",
        skills=["plumbing"],
        suspended_skills=["electrical", "locks"],
        certificates=[
            Certificate(kind=ELEC, expires_on="2026-11-30"),
            Certificate(kind="locksmith_registration", expires_on="2026-11-01"),
        ],
    )


def test_a_renewal_needs_a_kind_the_skills_need_a_scan_and_real_dates():
    tech = _suspended()
    new = Certificate(kind=ELEC, number="N", expires_on="2031-12-01", document_id="doc")
    rules.check_renewal(tech, new, TODAY, "2026-12-01")
    with pytest.raises(ValidationFailed):
        rules.check_renewal(tech, new.model_copy(update={"kind": "forklift"}), TODAY, None)
    with pytest.raises(ValidationFailed):
        rules.check_renewal(tech, new.model_copy(update={"document_id": None}), TODAY, None)
    with pytest.raises(ValidationFailed, match="real calendar date"):
        rules.check_renewal(tech, new, TODAY, "2026-02-30")
    with pytest.raises(ValidationFailed, match="future"):
        rules.check_renewal(tech, new, TODAY, "2026-12-05")
    with pytest.raises(ValidationFailed, match="expired"):
        rules.check_renewal(tech, new.model_copy(update={"expires_on": "2026-12-03"}), TODAY, None)


def test_an_approved_renewal_replaces_the_certificate_and_gives_back_only_the_skills_it_covers():
    tech = _suspended()
    new = Certificate(kind=ELEC, number="N", expires_on="2031-12-01", document_id="doc")
    certificates, skills, suspended = rules.with_renewal(tech, new, TODAY)
    assert [c.kind for c in certificates] == ["locksmith_registration", ELEC] and new in certificates
    assert skills == ["plumbing", "electrical"] and suspended == ["locks"]


def test_restorable_skills_are_those_whose_certificate_is_valid_again():
    tech = _suspended()
    assert rules.restorable_skills(tech, TODAY) == []
    renewed = tech.model_copy(update={"certificates": [Certificate(kind=ELEC, expires_on="2027-01-01")]})
    assert rules.restorable_skills(renewed, TODAY) == ["electrical"]


@pytest.mark.parametrize(
    ("kind", "decision", "words"),
    [
        ("technician.admission_decided", "renewal_approved", "换证已通过审核"),
        ("technician.admission_decided", "renewal_rejected", "换证未通过审核"),
        ("certificate.expiring", None, "到期"),
        ("certificate.expired", None, "暂停接单"),
    ],
)
def test_the_technician_and_his_companys_dispatchers_are_told(kind, decision, words):
    from notify.domain.sms import SMS_TEMPLATES
    from notify.domain.supervision import supervision_drafts
    from shared.events import DomainEvent, EventType, SubjectSnapshot

    subject = SubjectSnapshot(
        company_id="co_1",
        technician_id="tech_1",
        name="赵师傅",
        decision=decision,
        certificate_kind=ELEC,
        expires_on="2027-01-01",
        days_left=7,
        skills=["electrical"],
    )
    event = DomainEvent(
        event_id="evt_1", type=EventType(kind), occurred_at="2026-12-04T00:00:00Z", company_id="co_1", subject=subject
    )
    drafts = supervision_drafts(event, dispatchers=["disp_1"], supervisors=["sup_1"])
    assert [d.recipient_id for d in drafts] == ["disp_1", "tech_1"]
    assert all(words in d.text_zh for d in drafts)
    for d in drafts:
        template = SMS_TEMPLATES[d.template]
        assert set(d.params) == set(template.params)
        for name, value in d.params.items():
            assert name not in template.choices or value in template.choices[name]
