"""Staff records that stay true (pure): real calendar dates, one person one technician, scans for the skills
that need a certificate, and what an approved certificate renewal gives back."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from identity.domain.records import Certificate, User
from shared.errors import Conflict, ValidationFailed
from shared.inputs import EARLIEST_DATE, LATEST_DATE
from supervision.domain.qualifications import REQUIRED_CERTIFICATE, certificates_needed, valid_on

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RENEWAL_PENDING, RENEWAL_APPROVED, RENEWAL_REJECTED = "pending", "approved", "rejected"


class AlreadyRegistered(Conflict):
    code = "already_registered"

    def __init__(self, company_id: str | None, company_name: str | None) -> None:
        name = company_name or company_id or "另一家企业"
        super().__init__(
            f"此人已登记为师傅，所属企业：{name}",
            f"This person is already registered as a technician with {company_name or company_id or 'another company'}.",
        )
        self.company_id = company_id


def calendar_date(value: str, field: str) -> date:
    """`value` as a real calendar day (YYYY-MM-DD); 2030-02-30 is not one."""
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise ValidationFailed(f"{field} 须为 YYYY-MM-DD 格式的日期", f"{field} must be a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field} 不是有效的日期：{value}", f"{field} is not a real calendar date: {value}.") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationFailed(
            f"{field} 须在 {EARLIEST_DATE} 与 {LATEST_DATE} 之间：{value}",
            f"{field} must lie between {EARLIEST_DATE} and {LATEST_DATE}: {value}.",
        )
    return day


def person_key(id_number: str) -> str:
    """The person behind an identity card number (SHA-256 of the upper-cased number); the number itself is
    never stored."""
    return hashlib.sha256(id_number.strip().upper().encode()).hexdigest()


def check_certificates(skills: list[str], certificates: list[Certificate], today: date) -> None:
    """Every date real, no certificate expired, and for each skill that needs one a certificate with its scan."""
    for cert in certificates:
        if calendar_date(cert.expires_on, "expires_on") < today:
            raise ValidationFailed(f"证书 {cert.number} 已过期", f"Certificate {cert.number} has expired.")
    held = {c.kind for c in certificates}
    missing = [k for k in certificates_needed(skills) if k not in held]
    if missing:
        raise ValidationFailed(
            f"缺少技能所需的证书：{', '.join(missing)}", f"Certificates the skills need are missing: {', '.join(missing)}"
        )
    unscanned = sorted({c.kind for c in certificates if c.kind in certificates_needed(skills) and not c.document_id})
    if unscanned:
        raise ValidationFailed(
            f"技能所需的证书须上传扫描件：{', '.join(unscanned)}",
            f"A scan (document_id) is required for the certificates the skills need: {', '.join(unscanned)}",
        )


def check_renewal(tech: User, cert: Certificate, today: date, issued_on: str | None) -> None:
    """A renewal names a certificate kind some skill of the technician needs, with its scan and real dates
    (issued no later than today, valid past today)."""
    needed = {REQUIRED_CERTIFICATE.get(s) for s in tech.skills + tech.suspended_skills} - {None}
    if cert.kind not in needed:
        raise ValidationFailed(
            f"该师傅的技能不需要证书 {cert.kind}", f"None of the technician's skills needs a {cert.kind} certificate."
        )
    if not cert.document_id:
        raise ValidationFailed("换证须上传新证书的扫描件", "A renewal needs the scan of the new certificate (document_id).")
    if issued_on is not None and calendar_date(issued_on, "issued_on") > today:
        raise ValidationFailed("发证日期不能晚于今天", "issued_on cannot be in the future.")
    if calendar_date(cert.expires_on, "expires_on") < today:
        raise ValidationFailed("新证书已过期", "The new certificate has already expired.")


def with_renewal(tech: User, cert: Certificate, today: date) -> tuple[list[Certificate], list[str], list[str]]:
    """An approved renewal: the new certificate replaces those of its kind, and the suspended skills that need
    it go back to the technician's skills. Returns (certificates, skills, suspended_skills)."""
    certificates = [c for c in tech.certificates if c.kind != cert.kind] + [cert]
    valid = date.fromisoformat(cert.expires_on) >= today
    back = [s for s in tech.suspended_skills if valid and REQUIRED_CERTIFICATE.get(s) == cert.kind]
    skills = tech.skills + [s for s in back if s not in tech.skills]
    return certificates, skills, [s for s in tech.suspended_skills if s not in back]


def restorable_skills(tech: User, today: date) -> list[str]:
    """The suspended skills whose certificate is valid again (a reinstatement gives them back)."""
    return [
        s
        for s in tech.suspended_skills
        if any(c.kind == REQUIRED_CERTIFICATE.get(s) and valid_on(c, today) for c in tech.certificates)
    ]
