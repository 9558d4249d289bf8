"""One SMS template (its provider code, its Chinese and English texts, its variables), and the check that a
message's parameters are exactly its own."""

from __future__ import annotations

from dataclasses import dataclass

from shared.sms.words import MAX_PARAM_CHARS, PATTERNS, Param


@dataclass(frozen=True)
class SmsTemplate:
    key: str
    code: str  # the provider's template code (Aliyun assigns it on approval; LINLI_SMS_TEMPLATE_CODES overrides)
    text_zh: str  # with ${param} placeholders, without the signature (the provider adds 【邻里】)
    text_en: str  # the same for the global target's English readers (SNS)
    params: dict[str, Param]
    choices: dict[str, dict[str, str]] | None = None  # CHOICE params: the allowed words (zh → en)

    def render(self, params: dict[str, str], language: str = "zh") -> str:
        text = self.text_en if language == "en" else self.text_zh
        for name, value in params.items():
            shown = value
            if language == "en" and self.choices and name in self.choices:
                shown = self.choices[name].get(value, value)
            text = text.replace("${" + name + "}", shown)
        return text


def define(
    key: str, code: str, zh: str, en: str, choices: dict[str, dict[str, str]] | None = None, /, **params: Param
) -> SmsTemplate:
    return SmsTemplate(key=key, code=code, text_zh=zh, text_en=en, params=dict(params), choices=choices)


class SmsTemplateError(ValueError):
    """A template unknown, or parameters that are not exactly the template's (a bug in the sender: never sent)."""


def check_params(tpl: SmsTemplate, params: dict[str, str]) -> None:
    """Exactly the template's parameters, each a string its variable kind allows, at most 35 characters."""
    if set(params) != set(tpl.params):
        raise SmsTemplateError(
            f"template {tpl.key} takes {sorted(tpl.params)}, got {sorted(params)}",
        )
    for name, kind in tpl.params.items():
        value = params[name]
        if not isinstance(value, str) or not value or len(value) > MAX_PARAM_CHARS:
            raise SmsTemplateError(f"template {tpl.key}: {name} must be a string of 1 to {MAX_PARAM_CHARS} characters")
        if kind == Param.CHOICE:
            if value not in (tpl.choices or {}).get(name, {}):
                raise SmsTemplateError(f"template {tpl.key}: {name} is not one of its fixed words")
        elif not PATTERNS[kind].match(value):
            raise SmsTemplateError(f"template {tpl.key}: {name} is not a valid {kind.value}")
