"""Pure rules of acting for a resident: the consent code, its check, masked numbers, and the words of
the text messages the resident receives (Chinese first, plain words, what the other person may now do)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from notify.domain.sms.words import RELATIONS

CODE_DIGITS = 6


def relation(value: str) -> tuple[str, str] | None:
    """What the requester is to the resident, one of the fixed list (notify.domain.sms.words.RELATIONS: its Chinese word or its
    English one): (Chinese, English); None for anything else (no free text reaches the resident's SMS)."""
    value = value.strip()
    if value in RELATIONS:
        return value, RELATIONS[value]
    by_english = {en: zh for zh, en in RELATIONS.items()}
    return (by_english[value.lower()], value.lower()) if value.lower() in by_english else None


def _tail(phone: str) -> str:
    return digits(phone)[-4:] if len(digits(phone)) >= 4 else "无"


def code_sms(*, relation: str, requester_phone: str, code: str, minutes: int) -> tuple[str, dict[str, str]]:
    """The consent request as an SMS template and its parameters."""
    relation = relation if relation in RELATIONS else "其他"
    return "proxy_consent_code", {"relation": relation, "tail": _tail(requester_phone), "code": code, "minutes": str(minutes)}


def linked_sms(*, relation: str, proxy_phone: str) -> tuple[str, dict[str, str]]:
    return "proxy_linked", {"relation": relation if relation in RELATIONS else "其他", "tail": _tail(proxy_phone)}


def revoked_sms(*, relation: str, proxy_phone: str, by_resident: bool) -> tuple[str, dict[str, str]]:
    template = "proxy_revoked_by_resident" if by_resident else "proxy_revoked_by_proxy"
    return template, {"relation": relation if relation in RELATIONS else "其他", "tail": _tail(proxy_phone)}


def new_code() -> str:
    """Six random digits (a CSPRNG, leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(request_id: str, code: str) -> str:
    """What is stored instead of the code: sha256 over the request id (a per-request salt) and the code."""
    return hashlib.sha256(f"{request_id}:{code}".encode()).hexdigest()


def code_matches(request_id: str, code: str, stored_hash: str) -> bool:
    """A constant-time comparison; spaces a person may type between digits are ignored."""
    typed = "".join(c for c in code if not c.isspace())
    return hmac.compare_digest(code_hash(request_id, typed), stored_hash)


def digits(phone: str) -> str:
    """A mainland mobile number as its 11 digits (+86, spaces and dashes dropped)."""
    only = "".join(c for c in phone if c.isdigit())
    return only[2:] if len(only) == 13 and only.startswith("86") else only


def mask_phone(phone: str) -> str:
    """138****0001: enough to recognise one's own family's number, not to read it."""
    d = digits(phone)
    return f"{d[:3]}****{d[-4:]}" if len(d) >= 7 else "****"


def code_text(*, requester_name: str, relation: str, relation_en: str, requester_phone: str, code: str, minutes: int):
    """The consent request: who asks, what they could do, that telling the code is consent, ignoring it refusal."""
    tail = digits(requester_phone)[-4:]
    who_zh = f"{requester_name}（{relation}" + (f"，手机尾号 {tail}）" if tail else "）")
    who_en = f"{requester_name} ({relation_en or relation}" + (f", phone ending {tail})" if tail else ")")
    zh = (
        f"【邻里】{who_zh}申请为您代办报修：替您下单、查看您的订单、替您同意额外费用。"
        f"您同意，就把验证码 {code} 告诉对方（{minutes} 分钟内有效）；告诉了验证码就是同意。"
        "不同意，不用理这条短信，对方就不能代办。不要把验证码告诉不认识的人。"
    )
    en = (
        f"[Linli] {who_en} asks to act for you: place repair orders for you, see your orders and agree to extra "
        f"charges. If you agree, tell them the code {code} (valid {minutes} minutes): telling the code is your consent. "
        "If not, ignore this message and they cannot act for you. Never tell the code to a stranger."
    )
    return zh, en


def linked_text(*, proxy_name: str, relation: str, relation_en: str):
    zh = (
        f"【邻里】{proxy_name}（{relation}）现在可以为您代办报修：替您下单、查看您的订单、替您同意额外费用。"
        "如果不是您同意的，请在邻里“家人代办”里取消，或联系社区。"
    )
    en = (
        f"[Linli] {proxy_name} ({relation_en or relation}) may now act for you: place repair orders, see your orders "
        "and agree to extra charges. If you did not agree, cancel it under Family in the Linli app or call the community office."
    )
    return zh, en


def revoked_text(*, proxy_name: str, relation: str, relation_en: str, by_resident: bool):
    if by_resident:
        zh = f"【邻里】您已取消{proxy_name}（{relation}）的代办，对方不能再替您下单或查看您的订单。"
        en = f"[Linli] You ended {proxy_name}'s ({relation_en or relation}) right to act for you: no more orders or access."
    else:
        zh = f"【邻里】{proxy_name}（{relation}）已停止为您代办，不能再替您下单或查看您的订单。"
        en = f"[Linli] {proxy_name} ({relation_en or relation}) no longer acts for you: no more orders or access."
    return zh, en
