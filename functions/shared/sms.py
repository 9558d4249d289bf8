"""The SMS port: every text message is a template and its parameters, never free text.

China's carriers take only a registered signature (【邻里】) and pre-approved templates whose variables are filled
at sending, so `SMS_TEMPLATES` below is the one list of what the platform can text anyone, and `send_template`
refuses parameters that are not exactly the template's, or values the template's variable kind does not allow
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

import base64
import hashlib
import hmac
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import boto3
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.observability import logger

SIGN_NAME = "邻里"  # the registered signature; Aliyun's comes from the secret (`sign_name`)
MAX_PARAM_CHARS = 35  # Aliyun: an ordinary template variable holds at most 35 characters


class SmsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINLI_SMS_", extra="ignore")

    provider: str = "sns"  # sns | aliyun | fake
    secret_arn: str = ""
    api_base: str = "https://dysmsapi.aliyuncs.com"
    timeout_seconds: float = 5
    per_recipient_per_day: int = Field(default=20, ge=0)  # 0: no cap
    # The codes Aliyun assigned when it approved the templates, when they differ from the table's: JSON key → code.
    template_codes: dict[str, str] = Field(default_factory=dict)


# --- the templates ---------------------------------------------------------------------------------------------


class Param(StrEnum):
    """What a template variable may hold. Every value is a string of at most 35 characters."""

    CODE = "code"  # a one-time code: 4 to 6 digits
    NUMBER = "number"  # digits only (a count, minutes)
    TAIL = "tail"  # the last four digits of a phone number, or 无 when there is none on record
    AMOUNT = "amount"  # yuan, e.g. 120 or 35.5
    REF = "ref"  # an order id or order code: letters, digits, - and _
    WHEN = "when"  # a Beijing time as the messages write it: 今天 14:30, 12月5日 14:30, 2026-12-31
    NAME = "name"  # a person's or company's name: letters (Chinese or Latin), · and brackets, nothing else
    CHOICE = "choice"  # one of the template's fixed words


_PATTERNS = {
    Param.CODE: re.compile(r"^\d{4,6}$"),
    Param.NUMBER: re.compile(r"^\d{1,10}$"),
    Param.TAIL: re.compile(r"^(\d{4}|无)$"),
    Param.AMOUNT: re.compile(r"^\d{1,9}(\.\d{1,2})?$"),
    Param.REF: re.compile(r"^[A-Za-z0-9_-]{1,35}$"),
    Param.WHEN: re.compile(r"^(今天 |\d{1,2}月\d{1,2}日 )?(\d{2}:\d{2})?$|^\d{4}-\d{2}-\d{2}$"),
    Param.NAME: re.compile(r"^[\u4e00-\u9fffA-Za-z·•（）() ]{1,20}$"),
}

# Fixed words a CHOICE variable may take (and their English, for the global target's English texts).
RELATIONS = {
    "儿子": "son",
    "女儿": "daughter",
    "配偶": "spouse",
    "其他家人": "family member",
    "亲属": "relative",
    "社区工作者": "community worker",
    "邻居": "neighbour",
    "其他": "other",
}
CATEGORIES = {
    "电路/灯": "electrics/lights",
    "水管/下水": "water/drains",
    "门锁": "locks",
    "家电": "appliances",
    "其他维修": "other repairs",
}
DECISIONS = {
    "已通过准入审核": "was admitted",
    "未通过准入审核": "was not admitted",
    "已被暂停接单": "was suspended from taking orders",
    "已恢复接单资格": "was reinstated",
    "换证已通过审核，相关技能已恢复接单": "had the certificate renewal approved; the skills are back",
    "换证未通过审核": "had the certificate renewal refused",
    "状态已变更": "changed status",
}
CERTIFICATES = {
    "低压电工作业证": "low-voltage electrician's operating certificate",
    "开锁备案": "locksmith's public-security registration",
    "资质证书": "certificate",
}
ORDER_WORDS = {"订单": "order", "公区报事": "public-area report"}
PROGRESS = {
    "已通知附近师傅": "a technician nearby has been asked",
    "师傅已接单": "a technician accepted",
    "师傅正在赶来": "the technician is on the way",
    "师傅已到达": "the technician has arrived",
    "有超出报价的项目待确认": "work beyond the quote awaits consent",
    "维修已完成": "the repair is done",
    "订单需要人工安排": "the order is being arranged by hand",
    "订单已取消": "the order was cancelled",
}
# Why an order was escalated, as the resident reads it, and as the back office and the supervisors read it.
ESCALATION_REASONS = {
    "暂时没有师傅接单": "no technician has taken your order yet",
    "师傅未能按时完成维修": "the technician did not finish the repair in time",
    "物业未按时受理您的报事": "the property company did not take up your report in time",
    "系统出现故障，您的订单暂未处理": "a system fault held up your order",
    "您的订单需要人工安排": "your order needs arranging by hand",
}
ESCALATION_STAFF_REASONS = {
    "附近没有师傅接单": "no technician nearby took it",
    "师傅未按时完成": "the technician did not finish in time",
    "物业未按时派单受理": "the company did not dispatch it in time",
    "系统故障，重试后仍失败": "a system fault outlasted every retry",
    "需要人工安排": "it needs arranging by hand",
}
# Who arranges an escalated order, as the resident is told (only those who were told: see notify.logic.escalation).
ESCALATION_ARRANGERS = {
    "物业和区监管人员": "your property company and the district's supervisors",
    "物业": "your property company",
    "区监管人员": "the district's supervisors",
}
# What the contracted company's dispatchers are asked to do with an escalated order.
ESCALATION_CALLS = {
    "请致电居民（已列入电话任务），并在服务台派本公司的师傅": "phone the resident (see your call tasks) and dispatch "
    "one of your technicians from the service desk",
    "居民没有登记电话，请上门或联系社区，并在服务台派本公司的师傅": "the resident has no number: visit or ask the "
    "community, and dispatch one of your technicians from the service desk",
}


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


def _t(
    key: str, code: str, zh: str, en: str, choices: dict[str, dict[str, str]] | None = None, /, **params: Param
) -> SmsTemplate:
    return SmsTemplate(key=key, code=code, text_zh=zh, text_en=en, params=dict(params), choices=choices)


P = Param
SMS_TEMPLATES: dict[str, SmsTemplate] = {
    t.key: t
    for t in [
        # Sign-in and consent codes (Aliyun's verification-code template type: the code is 4 to 6 digits).
        _t(
            "login_code",
            "SMS_480100001",
            "您的登录验证码为${code}，请勿告诉他人。如非本人操作，请忽略本短信。",
            "Your Linli sign-in code is ${code}. Never tell it to anyone; if you did not ask for it, ignore this message.",
            code=P.CODE,
        ),
        _t(
            "proxy_consent_code",
            "SMS_480100002",
            "您的${relation}（手机尾号${tail}）申请为您代办报修：替您下单、查看您的订单、替您同意额外费用。您同意，就把验证码"
            "${code}告诉对方（${minutes}分钟内有效）；告诉了验证码就是同意。不同意，不用理这条短信。不要把验证码告诉不认识的人。",
            "Your ${relation} (phone ending ${tail}) asks to act for you: place repair orders, see your orders and agree "
            "to extra charges. If you agree, tell them the code ${code} (valid ${minutes} minutes): telling the code is "
            "your consent. If not, ignore this message. Never tell the code to a stranger.",
            {"relation": RELATIONS},
            relation=P.CHOICE,
            tail=P.TAIL,
            code=P.CODE,
            minutes=P.NUMBER,
        ),
        _t(
            "proxy_linked",
            "SMS_480100003",
            "您的${relation}（手机尾号${tail}）现在可以为您代办报修。如果不是您同意的，请在邻里“家人代办”里取消，或联系社区。",
            "Your ${relation} (phone ending ${tail}) may now act for you. If you did not agree, cancel it under Family "
            "in the Linli app or call the community office.",
            {"relation": RELATIONS},
            relation=P.CHOICE,
            tail=P.TAIL,
        ),
        _t(
            "proxy_revoked_by_resident",
            "SMS_480100004",
            "您已取消${relation}（手机尾号${tail}）的代办，对方不能再替您下单或查看您的订单。",
            "You ended your ${relation}'s (phone ending ${tail}) right to act for you: no more orders or access.",
            {"relation": RELATIONS},
            relation=P.CHOICE,
            tail=P.TAIL,
        ),
        _t(
            "proxy_revoked_by_proxy",
            "SMS_480100005",
            "您的${relation}（手机尾号${tail}）已停止为您代办，不能再替您下单或查看您的订单。",
            "Your ${relation} (phone ending ${tail}) no longer acts for you: no more orders or access.",
            {"relation": RELATIONS},
            relation=P.CHOICE,
            tail=P.TAIL,
        ),
        _t(
            "proxy_order_placed",
            "SMS_480100006",
            "您的${relation}（手机尾号${tail}）替您报修了：${category}。订单码${code}，师傅上门时请核对这个号码，对上再开门。如有疑问请联系社区。",
            "Your ${relation} (phone ending ${tail}) placed a repair order for you: ${category}. Order code ${code}: "
            "check it with the technician at the door. Questions? Call the community office.",
            {"relation": RELATIONS, "category": CATEGORIES},
            relation=P.CHOICE,
            tail=P.TAIL,
            category=P.CHOICE,
            code=P.REF,
        ),
        # The resident's order.
        _t(
            "order_offered",
            "SMS_480100011",
            "您的报修单已通知附近师傅，请稍候。",
            "A technician nearby has been asked to take your order.",
        ),
        _t(
            "order_assigned",
            "SMS_480100012",
            "师傅已接单，上门时请核对订单码${code}。",
            "A technician accepted. Check order code ${code} at the door.",
            code=P.REF,
        ),
        _t(
            "order_en_route",
            "SMS_480100013",
            "师傅正在赶来，订单码${code}。",
            "The technician is on the way (order code ${code}).",
            code=P.REF,
        ),
        _t(
            "order_on_site",
            "SMS_480100014",
            "师傅已到达，请核对订单码${code}。",
            "The technician has arrived; check order code ${code}.",
            code=P.REF,
        ),
        _t(
            "order_approval_needed",
            "SMS_480100015",
            "师傅提出了超出报价的项目（另需${extra}元），请在订单中逐项确认；未经您同意不会收取。",
            "The technician proposes work beyond the quote (CNY ${extra} more). Review each line: no consent, no charge.",
            extra=P.AMOUNT,
        ),
        _t(
            "order_completed",
            "SMS_480100016",
            "维修已完成，费用${total}元。请为本次服务评价。",
            "Repair done, charge CNY ${total}. Please rate the service.",
            total=P.AMOUNT,
        ),
        _t(
            "order_escalated",
            "SMS_480100017",
            "${reason}。已通知${who}为您安排，请留意订单进展。订单码${code}。",
            "${reason}. ${who} have been told and are arranging it. Order code ${code}.",
            {"reason": ESCALATION_REASONS, "who": ESCALATION_ARRANGERS},
            reason=P.CHOICE,
            who=P.CHOICE,
            code=P.REF,
        ),
        _t(
            "order_escalated_call",
            "SMS_480100058",
            "${reason}。已通知${who}为您安排，物业会给您打电话。订单码${code}。",
            "${reason}. ${who} have been told and are arranging it; the company will phone you. Order code ${code}.",
            {"reason": ESCALATION_REASONS, "who": ESCALATION_ARRANGERS},
            reason=P.CHOICE,
            who=P.CHOICE,
            code=P.REF,
        ),
        _t(
            "order_escalated_nobody",
            "SMS_480100059",
            "${reason}。目前没有可以为您安排的人员，请联系社区。订单码${code}。",
            "${reason}. Nobody is available to arrange it now; please call the community office. Order code ${code}.",
            {"reason": ESCALATION_REASONS},
            reason=P.CHOICE,
            code=P.REF,
        ),
        _t(
            "order_approval_needed_free",
            "SMS_480100060",
            "师傅提出了超出报价的项目（试点免费，您不用付钱），请在订单中逐项确认。",
            "The technician proposes work beyond the quote (free in the pilot: you pay nothing). Review each line.",
        ),
        _t(
            "desk_order_placed",
            "SMS_480100061",
            "${company}服务台按您的来电替您报修了：${category}。订单码${code}，师傅上门时请核对这个号码，对上再开门。",
            "The ${company} service desk placed a repair order for you, as you asked on the phone: ${category}. Order "
            "code ${code}: check it with the technician at the door.",
            {"category": CATEGORIES},
            company=P.NAME,
            category=P.CHOICE,
            code=P.REF,
        ),
        _t("order_cancelled", "SMS_480100018", "您的订单已取消。", "Your order was cancelled."),
        _t(
            "proxy_order_progress",
            "SMS_480100019",
            "您替家人下的订单（订单码${code}）：${progress}。",
            "The order you placed for your family member (order code ${code}): ${progress}.",
            {"progress": PROGRESS},
            code=P.REF,
            progress=P.CHOICE,
        ),
        _t(
            "family_approval_needed",
            "SMS_480100020",
            "您家人的维修订单有超出报价的项目（另需${extra}元）待确认，您可以代为同意或拒绝。",
            "A family member's repair has lines beyond the quote (CNY ${extra} more); you may approve or reject them.",
            extra=P.AMOUNT,
        ),
        _t(
            "family_approval_needed_free",
            "SMS_480100062",
            "您家人的维修订单有超出报价的项目（试点免费，不用付钱）待确认，您可以代为同意或拒绝。",
            "A family member's repair has lines beyond the quote (free in the pilot: nothing to pay); you may approve "
            "or reject them.",
        ),
        # Technicians.
        _t(
            "technician_offer",
            "SMS_480100031",
            "您有一个新的派单，请在倒计时结束前接单。",
            "You have a new offer; accept it before the countdown ends.",
        ),
        _t(
            "technician_offer_withdrawn",
            "SMS_480100032",
            "派单已撤回，无需处理。",
            "An offer to you was withdrawn; nothing to do.",
        ),
        _t(
            "technician_order_cancelled",
            "SMS_480100033",
            "您负责的订单已被取消，无需上门。",
            "An order assigned to you was cancelled; no visit needed.",
        ),
        _t(
            "technician_dispatched",
            "SMS_480100034",
            "${by}为您派了一个${what}，请尽快处理。",
            "A ${what} was dispatched to you by ${by}; please see to it soon.",
            {"by": {"监管人员": "a supervisor", "物业": "your company"}, "what": ORDER_WORDS},
            by=P.CHOICE,
            what=P.CHOICE,
        ),
        # Company back office and supervisors.
        _t(
            "public_area_submitted",
            "SMS_480100041",
            "有新的公区报事（订单${order}）待派单，请尽快安排师傅。",
            "A new public-area report (order ${order}) waits for your dispatch.",
            order=P.REF,
        ),
        _t(
            "admission_decided",
            "SMS_480100042",
            "${who}${decision}，详情请登录邻里后台查看。",
            "${who} ${decision}; see the Linli back office for details.",
            {"decision": DECISIONS},
            who=P.NAME,
            decision=P.CHOICE,
        ),
        _t(
            "certificate_expiring",
            "SMS_480100043",
            "${who}的${certificate}将于${date}到期（还有${days}天），请及时换证并上传，否则到期后相关技能将暂停接单。",
            "The ${certificate} of ${who} expires on ${date} (${days} days left). Renew and upload it, or the skills "
            "that need it are suspended on that day.",
            {"certificate": CERTIFICATES},
            who=P.NAME,
            certificate=P.CHOICE,
            date=P.WHEN,
            days=P.NUMBER,
        ),
        _t(
            "certificate_expired",
            "SMS_480100044",
            "${who}的${certificate}已于${date}到期，相关技能已暂停接单，换证后请联系监管人员恢复。",
            "The ${certificate} of ${who} expired on ${date}; the skills that need it are suspended until a supervisor "
            "reinstates them after renewal.",
            {"certificate": CERTIFICATES},
            who=P.NAME,
            certificate=P.CHOICE,
            date=P.WHEN,
        ),
        _t(
            "credit_suspended",
            "SMS_480100045",
            "企业${company}信用分${score}低于${threshold}，已自动暂停派单，请监管人员复核。",
            "Company ${company} scored ${score} (below ${threshold}) and was suspended from matching; a supervisor "
            "should review it.",
            company=P.NAME,
            score=P.AMOUNT,
            threshold=P.AMOUNT,
        ),
        _t(
            "order_escalated_fault",
            "SMS_480100046",
            "订单${order}因系统故障（重试后仍失败）已升级，请查看执行记录并人工派单。物业：${company}。",
            "Order ${order} was escalated after a system fault that outlasted every retry; see its history and "
            "dispatch it by hand. Property company: ${company}.",
            order=P.REF,
            company=P.NAME,
        ),
        _t(
            "public_area_escalated",
            "SMS_480100047",
            "公区报事${order}超时未受理，已升级，请人工派单，并计入该公司信用记录。物业：${company}。",
            "Public-area report ${order} missed its deadline; dispatch it by hand. It counts against the company's "
            "credit. Property company: ${company}.",
            order=P.REF,
            company=P.NAME,
        ),
        _t(
            "order_escalated_company",
            "SMS_480100063",
            "贵公司签约小区的订单${order}已升级：${reason}。${call}。",
            "Order ${order} in a compound you serve was escalated: ${reason}. Please ${call}.",
            {"reason": ESCALATION_STAFF_REASONS, "call": ESCALATION_CALLS},
            order=P.REF,
            reason=P.CHOICE,
            call=P.CHOICE,
        ),
        _t(
            "order_escalated_alert",
            "SMS_480100064",
            "订单${order}已升级：${reason}。请人工派单。物业：${company}。",
            "Order ${order} was escalated: ${reason}. Please dispatch it by hand. Property company: ${company}.",
            {"reason": ESCALATION_STAFF_REASONS},
            order=P.REF,
            reason=P.CHOICE,
            company=P.NAME,
        ),
        _t(
            "order_escalation_unanswered",
            "SMS_480100065",
            "再次提醒：订单${order}升级已${minutes}分钟仍无人处理（${reason}），请立即安排师傅。",
            "Second alert: order ${order} has been escalated for ${minutes} minutes and nobody has acted (${reason}); "
            "arrange a technician now.",
            {"reason": ESCALATION_STAFF_REASONS},
            order=P.REF,
            minutes=P.NUMBER,
            reason=P.CHOICE,
        ),
        _t(
            "order_doorstep_mismatch",
            "SMS_480100066",
            "紧急：订单${order}的居民在门口核对订单码时发现对不上（派单师傅：${technician}），订单已暂停。请立即联系师傅和居民"
            "核实，必要时改派。",
            "Urgent: at the door of order ${order} the resident's code check did not match (assigned: ${technician}); "
            "the order is paused. Contact the technician and the resident now, and re-dispatch if needed.",
            order=P.REF,
            technician=P.NAME,
        ),
        # Deadlines about to run out.
        _t(
            "deadline_escalated_dispatch",
            "SMS_480100051",
            "升级订单${order}须在${due}前人工派单，逾期将自动取消。",
            "Escalated order ${order} must be dispatched by hand before ${due} (Beijing time), or it is cancelled.",
            order=P.REF,
            due=P.WHEN,
        ),
        _t(
            "deadline_dispatch",
            "SMS_480100052",
            "公区报事${order}须在${due}前派单受理，逾期将升级给监管人员并计入贵公司信用记录。",
            "Public-area report ${order} must be dispatched before ${due} (Beijing time); after that it is escalated "
            "to the supervisors and counts against your company's credit.",
            order=P.REF,
            due=P.WHEN,
        ),
        _t(
            "deadline_completion_technician",
            "SMS_480100053",
            "您负责的${what}须在${due}前完成并提交账单，逾期将升级给监管人员。",
            "The ${what} assigned to you must be completed and billed before ${due} (Beijing time); after that it is "
            "escalated to a supervisor.",
            {"what": ORDER_WORDS},
            what=P.CHOICE,
            due=P.WHEN,
        ),
        _t(
            "deadline_completion_company",
            "SMS_480100054",
            "${what}${order}须在${due}前完成，逾期将升级给监管人员。",
            "${what} ${order} must be completed before ${due} (Beijing time); after that it is escalated to a supervisor.",
            {"what": ORDER_WORDS},
            what=P.CHOICE,
            order=P.REF,
            due=P.WHEN,
        ),
        _t(
            "deadline_completion_public_area",
            "SMS_480100055",
            "公区报事${order}须在${due}前完成，逾期将升级给监管人员并计入贵公司信用记录。",
            "Public-area report ${order} must be completed before ${due} (Beijing time); after that it is escalated to "
            "a supervisor and counts against your company's credit.",
            order=P.REF,
            due=P.WHEN,
        ),
        _t(
            "deadline_approval",
            "SMS_480100056",
            "订单码${code}：师傅提出的超出报价的项目（另需${extra}元）请在${due}前确认；逾期未确认，只收取报价内的费用。",
            "Order code ${code}: please review the work beyond the quote (CNY ${extra} more) before ${due} (Beijing "
            "time); without your answer only the quoted work is charged.",
            code=P.REF,
            extra=P.AMOUNT,
            due=P.WHEN,
        ),
        _t(
            "deadline_family_approval",
            "SMS_480100057",
            "您家人的维修订单有超出报价的项目待确认，${due}截止，您可以代为同意或拒绝。",
            "A family member's repair has lines beyond the quote awaiting consent until ${due} (Beijing time); you "
            "may approve or reject them.",
            due=P.WHEN,
        ),
        _t(
            "deadline_approval_free",
            "SMS_480100067",
            "订单码${code}：师傅提出的超出报价的项目（试点免费，您不用付钱）请在${due}前确认；逾期未确认，只做报价内的项目。",
            "Order code ${code}: please review the work beyond the quote (free in the pilot: you pay nothing) before "
            "${due} (Beijing time); without your answer only the quoted work is done.",
            code=P.REF,
            due=P.WHEN,
        ),
        _t(
            "order_rating_reminder",
            "SMS_480100068",
            "订单码${code}的维修已完成，请在邻里小程序为本次服务评价，您的评价帮助社区管好维修服务。",
            "Order code ${code}: the repair is done. Please rate the service in the Linli mini-program; your rating "
            "helps the community keep repairs good.",
            code=P.REF,
        ),
    ]
}


# --- checks ----------------------------------------------------------------------------------------------------


class SmsTemplateError(ValueError):
    """A template unknown, or parameters that are not exactly the template's (a bug in the sender: never sent)."""


class SmsNotSent(Exception):
    """Nothing was sent: `reason` is `daily_cap` (the number's messages for today are used up)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"SMS not sent: {reason}")


class SmsUnavailable(Exception):
    """The provider could not be reached, or refused the message (its code in `code`)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        self.code = code
        super().__init__(message)


def template(key: str | SmsTemplate) -> SmsTemplate:
    found = SMS_TEMPLATES.get(key.key if isinstance(key, SmsTemplate) else key)
    if found is None:
        raise SmsTemplateError(f"no SMS template {key!r}")
    return found


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
        elif not _PATTERNS[kind].match(value):
            raise SmsTemplateError(f"template {tpl.key}: {name} is not a valid {kind.value}")


def fits(kind: Param, value: str) -> bool:
    """Whether `value` may fill a variable of this kind (CHOICE: see the template's words)."""
    return isinstance(value, str) and 0 < len(value) <= MAX_PARAM_CHARS and bool(_PATTERNS[kind].match(value))


def digits(phone: str) -> str:
    """A mainland mobile number as its 11 digits (+86, spaces and dashes dropped)."""
    only = "".join(c for c in phone if c.isdigit())
    return only[2:] if len(only) == 13 and only.startswith("86") else only


def e164(phone: str) -> str:
    """Mainland China mobile numbers as SNS wants them: +86 and 11 digits."""
    return f"+86{digits(phone)}"


def masked(phone: str) -> str:
    d = digits(phone)
    return f"{d[:3]}****{d[-4:]}" if len(d) >= 7 else "****"


# --- the providers ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _settings() -> SmsSettings:
    return SmsSettings()


def template_code(tpl: SmsTemplate) -> str:
    return _settings().template_codes.get(tpl.key, tpl.code)


@lru_cache(maxsize=1)
def _sns() -> Any:
    from shared.settings import get_settings

    return boto3.client("sns", region_name=get_settings().aws_region)


@dataclass(frozen=True)
class AliyunCredentials:
    access_key_id: str
    access_key_secret: str
    sign_name: str

    def __repr__(self) -> str:  # the secret never shows, even in a traceback
        return f"AliyunCredentials(access_key_id={self.access_key_id!r}, access_key_secret=***, sign_name={self.sign_name!r})"


@lru_cache(maxsize=1)
def _aliyun_credentials() -> AliyunCredentials:
    arn = _settings().secret_arn
    if not arn:
        raise SmsUnavailable("LINLI_SMS_SECRET_ARN is not set")
    values = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    return AliyunCredentials(values["access_key_id"], values["access_key_secret"], values.get("sign_name") or SIGN_NAME)


def reset() -> None:
    for cached in (_settings, _sns, _aliyun_credentials):
        cached.cache_clear()


def percent_encode(value: str) -> str:
    """Aliyun's encoding (RFC 3986): only A-Z a-z 0-9 - _ . ~ stay as they are; UTF-8 bytes as %XY."""
    return urllib.parse.quote(value, safe="-_.~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def rpc_signature(method: str, params: dict[str, str], access_key_secret: str) -> str:
    """Aliyun RPC signature version 1.0: Base64(HMAC-SHA1(secret + "&", StringToSign))."""
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_request(phone: str, code: str, params: dict[str, str], credentials: AliyunCredentials) -> dict[str, str]:
    """The signed form of one `SendSms` call (POST, application/x-www-form-urlencoded)."""
    fields = {
        "AccessKeyId": credentials.access_key_id,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": digits(phone),
        "RegionId": "cn-hangzhou",
        "SignName": credentials.sign_name,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": code,
        "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }
    return {**fields, "Signature": rpc_signature("POST", fields, credentials.access_key_secret)}


def _send_aliyun(phone: str, tpl: SmsTemplate, params: dict[str, str]) -> str:
    settings = _settings()
    form = aliyun_request(phone, template_code(tpl), params, _aliyun_credentials())
    body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in form.items()).encode()
    request = urllib.request.Request(
        settings.api_base.rstrip("/") + "/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as response:  # noqa: S310 - https in AWS
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read() or b"{}")
        except ValueError:
            answer = {}
        code = str(answer.get("Code") or f"HTTP {exc.code}")
        logger.warning("Aliyun SMS refused the call", extra={"code": code, "template": tpl.key})
        raise SmsUnavailable("Aliyun SMS refused the call", code) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        logger.warning("Aliyun SMS unreachable", extra={"reason": type(getattr(exc, "reason", exc)).__name__})
        raise SmsUnavailable("Aliyun SMS unreachable") from None
    if answer.get("Code") != "OK":
        code = str(answer.get("Code"))
        logger.warning("Aliyun SMS refused a message", extra={"code": code, "template": tpl.key})
        raise SmsUnavailable(f"Aliyun SMS refused the message: {code}", code)
    return str(answer.get("BizId") or answer.get("RequestId") or "")


def _send_sns(phone: str, tpl: SmsTemplate, params: dict[str, str], language: str) -> str:
    signature = "[Linli] " if language == "en" else f"【{SIGN_NAME}】"
    response = _sns().publish(
        PhoneNumber=e164(phone),
        Message=signature + tpl.render(params, language),
        MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Linli"},
        },
    )
    return response["MessageId"]


class FakeOutbox:
    """The sandbox's SMS provider: what Aliyun would have sent (the signature, the template filled in), the newest
    last, and what was refused and why. Bounded, so a long-running sandbox does not grow without end."""

    def __init__(self, limit: int = 5000) -> None:
        self._lock = threading.Lock()
        self._sent: deque[dict[str, Any]] = deque(maxlen=limit)
        self._refused: deque[dict[str, Any]] = deque(maxlen=limit)

    def send(self, phone: str, tpl: SmsTemplate, params: dict[str, str], *, sign_name: str = SIGN_NAME) -> str:
        number = digits(phone)
        if not re.fullmatch(r"1\d{10}", number):
            raise SmsUnavailable("not a mainland mobile number", "isv.MOBILE_NUMBER_ILLEGAL")
        message_id = uuid.uuid4().hex
        entry = {
            "phone": number,
            "template": tpl.key,
            "template_code": template_code(tpl),
            "params": dict(params),
            "text": f"【{sign_name}】" + tpl.render(params),
            "sent_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "message_id": message_id,
        }
        with self._lock:
            self._sent.append(entry)
        return message_id

    def refuse(self, phone: str, tpl: SmsTemplate, params: dict[str, str], reason: str) -> None:
        entry = {
            "phone": digits(phone),
            "template": tpl.key,
            "params": dict(params),
            "reason": reason,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        with self._lock:
            self._refused.append(entry)

    def messages(self, phone: str | None = None) -> list[dict[str, Any]]:
        number = digits(phone) if phone else None
        with self._lock:
            return [dict(m) for m in self._sent if number is None or m["phone"] == number]

    def refused(self, phone: str | None = None) -> list[dict[str, Any]]:
        number = digits(phone) if phone else None
        with self._lock:
            return [dict(m) for m in self._refused if number is None or m["phone"] == number]


@lru_cache(maxsize=1)
def fake_outbox() -> FakeOutbox:
    return FakeOutbox()


# --- sending ---------------------------------------------------------------------------------------------------

DAILY_COUNT = "sms"


def _counter(phone: str) -> tuple[str, str]:
    """The daily counter of a number: keyed by a hash of it (the key holds no phone number), and today's Beijing day."""
    from shared import clock

    return "sms:" + hashlib.sha256(digits(phone).encode()).hexdigest()[:24], clock.beijing_day(clock.now_iso())


def _within_daily_cap(phone: str) -> bool:
    """One more message to this number today, if its cap allows (a conditional ADD on the counter)."""
    cap = _settings().per_recipient_per_day
    if not cap:
        return True
    from shared import clock
    from shared.dal import daily_counts

    key, day = _counter(phone)
    return daily_counts.take(key, DAILY_COUNT, day, cap, now_epoch=int(clock.now().timestamp()))


def _give_back(phone: str) -> None:
    """A message the provider did not take does not count against the number's cap."""
    if _settings().per_recipient_per_day:
        from shared.dal import daily_counts

        key, day = _counter(phone)
        daily_counts.give_back(key, DAILY_COUNT, day)


def send_template(phone: str, template_key: SmsTemplate | str, params: dict[str, str], *, language: str = "zh") -> str:
    """Text `phone` the template filled with `params`; returns the provider's message id. `language` picks the
    English text where the provider sends text (SNS); China's templates are Chinese.

    Raises SmsTemplateError (the parameters are not exactly the template's), SmsNotSent (the number's daily cap is
    reached: nothing sent) or SmsUnavailable (the provider failed or refused)."""
    tpl = template(template_key)
    check_params(tpl, params)
    provider = _settings().provider
    if provider not in ("aliyun", "sns", "fake"):
        raise SmsUnavailable(f"unknown LINLI_SMS_PROVIDER {provider!r}")
    if not _within_daily_cap(phone):
        logger.warning("SMS not sent: the number's daily cap is reached", extra={"phone": masked(phone), "template": tpl.key})
        if provider == "fake":
            fake_outbox().refuse(phone, tpl, params, "daily_cap")
        raise SmsNotSent("daily_cap")
    try:
        if provider == "aliyun":
            return _send_aliyun(phone, tpl, params)
        if provider == "sns":
            return _send_sns(phone, tpl, params, language)
        return fake_outbox().send(phone, tpl, params)
    except Exception:
        _give_back(phone)
        raise
