"""The SMS port: every text message is a template and its parameters, never free text.

China's carriers take only a registered signature (【邻里】) and pre-approved templates whose variables are filled
at sending, so every message is an `SmsTemplate` (the list of them is notify's: `notify.domain.sms.SMS_TEMPLATES`), and
`send_template` refuses parameters that are not exactly the template's, or values the template's variable kind does not allow
(no links, no free text from users: a relation or a category is one of a fixed list, a name has letters only).

The provider is chosen by `LINLI_SMS_PROVIDER`:
- `aliyun` (China): Alibaba Cloud SMS `SendSms` (RPC API, signature version 1.0, HMAC-SHA1) at
  `LINLI_SMS_API_BASE`, credentials and signature name from Secrets Manager (`LINLI_SMS_SECRET_ARN`, JSON
  `{"access_key_id", "access_key_secret", "sign_name"}`);
- `sns` (global): the rendered text through Amazon SNS direct publish;
- `fake` (the sandbox only): checks what Aliyun checks and keeps an outbox (`fake_outbox()`, `GET /dev/outbox`).

Each number gets at most `LINLI_SMS_PER_RECIPIENT_PER_DAY` messages a Beijing day (a conditional counter in the
table); beyond it nothing is sent (`SmsNotSent`, reason `daily_cap`) and the log says so.
"""

from __future__ import annotations

import hashlib

from shared.observability import logger
from shared.sms import providers
from shared.sms.config import SIGN_NAME, SmsSettings, settings, template_code
from shared.sms.errors import SmsNotSent, SmsUnavailable
from shared.sms.fake import FakeOutbox, fake_outbox
from shared.sms.phones import digits, e164, masked
from shared.sms.providers import AliyunCredentials, aliyun_request, percent_encode, rpc_signature, string_to_sign
from shared.sms.template import SmsTemplate, SmsTemplateError, check_params
from shared.sms.words import MAX_PARAM_CHARS, Param, fits

__all__ = [
    "MAX_PARAM_CHARS",
    "SIGN_NAME",
    "AliyunCredentials",
    "FakeOutbox",
    "Param",
    "SmsNotSent",
    "SmsSettings",
    "SmsTemplate",
    "SmsTemplateError",
    "SmsUnavailable",
    "aliyun_request",
    "check_params",
    "digits",
    "e164",
    "fake_outbox",
    "fits",
    "masked",
    "percent_encode",
    "reset",
    "rpc_signature",
    "send_template",
    "string_to_sign",
    "template_code",
]


def reset() -> None:
    settings.cache_clear()
    providers.reset()


DAILY_COUNT = "sms"


def _counter(phone: str) -> tuple[str, str]:
    """The daily counter of a number: keyed by a hash of it (the key holds no phone number), and today's Beijing day."""
    from shared import clock

    return "sms:" + hashlib.sha256(digits(phone).encode()).hexdigest()[:24], clock.beijing_day(clock.now_iso())


def _within_daily_cap(phone: str) -> bool:
    """One more message to this number today, if its cap allows (a conditional ADD on the counter)."""
    cap = settings().per_recipient_per_day
    if not cap:
        return True
    from shared import clock
    from shared.dal import daily_counts

    key, day = _counter(phone)
    return daily_counts.take(key, DAILY_COUNT, day, cap, now_epoch=int(clock.now().timestamp()))


def _give_back(phone: str) -> None:
    """A message the provider did not take does not count against the number's cap."""
    if settings().per_recipient_per_day:
        from shared.dal import daily_counts

        key, day = _counter(phone)
        daily_counts.give_back(key, DAILY_COUNT, day)


def send_template(phone: str, tpl: SmsTemplate, params: dict[str, str], *, language: str = "zh") -> str:
    """Text `phone` the template filled with `params`; returns the provider's message id. `language` picks the
    English text where the provider sends text (SNS); China's templates are Chinese.

    Raises SmsTemplateError (the parameters are not exactly the template's), SmsNotSent (the number's daily cap is
    reached: nothing sent) or SmsUnavailable (the provider failed or refused)."""
    check_params(tpl, params)
    provider = settings().provider
    if provider not in ("aliyun", "sns", "fake"):
        raise SmsUnavailable(f"unknown LINLI_SMS_PROVIDER {provider!r}")
    if not _within_daily_cap(phone):
        logger.warning("SMS not sent: the number's daily cap is reached", extra={"phone": masked(phone), "template": tpl.key})
        if provider == "fake":
            fake_outbox().refuse(phone, tpl, params, "daily_cap")
        raise SmsNotSent("daily_cap")
    try:
        if provider == "aliyun":
            return providers.send_aliyun(phone, tpl, params)
        if provider == "sns":
            return providers.send_sns(phone, tpl, params, language)
        return fake_outbox().send(phone, tpl, params)
    except Exception:
        _give_back(phone)
        raise
