"""What the platform can text anyone: the one list of SMS templates (China's carriers take only pre-approved
templates, registered with the provider under these codes), and the fixed words their CHOICE variables take."""

from __future__ import annotations

from notify.domain.sms.resident_templates import RESIDENT_TEMPLATES
from notify.domain.sms.staff_templates import STAFF_AND_DEADLINE_TEMPLATES
from shared.sms import SmsTemplate, SmsTemplateError

SMS_TEMPLATES: dict[str, SmsTemplate] = {t.key: t for t in [*RESIDENT_TEMPLATES, *STAFF_AND_DEADLINE_TEMPLATES]}


def template(key: str) -> SmsTemplate:
    """The template of this key; SmsTemplateError for a key that is none (a bug in the sender: never sent)."""
    found = SMS_TEMPLATES.get(key)
    if found is None:
        raise SmsTemplateError(f"no SMS template {key!r}")
    return found
