"""The SMS port's settings (`LINLI_SMS_*`), read once per cold start."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.sms.template import SmsTemplate

SIGN_NAME = "邻里"  # the registered signature; Aliyun's comes from the secret (`sign_name`)


class SmsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINLI_SMS_", extra="ignore")

    provider: str = "sns"  # sns | aliyun | fake
    secret_arn: str = ""
    api_base: str = "https://dysmsapi.aliyuncs.com"
    timeout_seconds: float = 5
    per_recipient_per_day: int = Field(default=20, ge=0)  # 0: no cap
    # The codes Aliyun assigned when it approved the templates, when they differ from the table's: JSON key → code.
    template_codes: dict[str, str] = Field(default_factory=dict)


@lru_cache(maxsize=1)
def settings() -> SmsSettings:
    return SmsSettings()


def template_code(tpl: SmsTemplate) -> str:
    return settings().template_codes.get(tpl.key, tpl.code)
