"""The SMS templates of signing in, consent codes and the resident's order."""

from __future__ import annotations

from notify.domain.sms.words import CATEGORIES, ESCALATION_ARRANGERS, ESCALATION_REASONS, PROGRESS, RELATIONS
from shared.sms.template import SmsTemplate, define
from shared.sms.words import Param as P

RESIDENT_TEMPLATES: list[SmsTemplate] = [
    # Sign-in and consent codes (Aliyun's verification-code template type: the code is 4 to 6 digits).
    define(
        "login_code",
        "SMS_480100001",
        "您的登录验证码为${code}，请勿告诉他人。如非本人操作，请忽略本短信。",
        "Your Linli sign-in code is ${code}. Never tell it to anyone; if you did not ask for it, ignore this message.",
        code=P.CODE,
    ),
    define(
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
    define(
        "proxy_linked",
        "SMS_480100003",
        "您的${relation}（手机尾号${tail}）现在可以为您代办报修。如果不是您同意的，请在邻里“家人代办”里取消，或联系社区。",
        "Your ${relation} (phone ending ${tail}) may now act for you. If you did not agree, cancel it under Family "
        "in the Linli app or call the community office.",
        {"relation": RELATIONS},
        relation=P.CHOICE,
        tail=P.TAIL,
    ),
    define(
        "proxy_revoked_by_resident",
        "SMS_480100004",
        "您已取消${relation}（手机尾号${tail}）的代办，对方不能再替您下单或查看您的订单。",
        "You ended your ${relation}'s (phone ending ${tail}) right to act for you: no more orders or access.",
        {"relation": RELATIONS},
        relation=P.CHOICE,
        tail=P.TAIL,
    ),
    define(
        "proxy_revoked_by_proxy",
        "SMS_480100005",
        "您的${relation}（手机尾号${tail}）已停止为您代办，不能再替您下单或查看您的订单。",
        "Your ${relation} (phone ending ${tail}) no longer acts for you: no more orders or access.",
        {"relation": RELATIONS},
        relation=P.CHOICE,
        tail=P.TAIL,
    ),
    define(
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
    define(
        "order_offered",
        "SMS_480100011",
        "您的报修单已通知附近师傅，请稍候。",
        "A technician nearby has been asked to take your order.",
    ),
    define(
        "order_assigned",
        "SMS_480100012",
        "师傅已接单，上门时请核对订单码${code}。",
        "A technician accepted. Check order code ${code} at the door.",
        code=P.REF,
    ),
    define(
        "order_en_route",
        "SMS_480100013",
        "师傅正在赶来，订单码${code}。",
        "The technician is on the way (order code ${code}).",
        code=P.REF,
    ),
    define(
        "order_on_site",
        "SMS_480100014",
        "师傅已到达，请核对订单码${code}。",
        "The technician has arrived; check order code ${code}.",
        code=P.REF,
    ),
    define(
        "order_approval_needed",
        "SMS_480100015",
        "师傅提出了超出报价的项目（另需${extra}元），请在订单中逐项确认；未经您同意不会收取。",
        "The technician proposes work beyond the quote (CNY ${extra} more). Review each line: no consent, no charge.",
        extra=P.AMOUNT,
    ),
    define(
        "order_completed",
        "SMS_480100016",
        "维修已完成，费用${total}元。请为本次服务评价。",
        "Repair done, charge CNY ${total}. Please rate the service.",
        total=P.AMOUNT,
    ),
    define(
        "order_escalated",
        "SMS_480100017",
        "${reason}。已通知${who}为您安排，请留意订单进展。订单码${code}。",
        "${reason}. ${who} have been told and are arranging it. Order code ${code}.",
        {"reason": ESCALATION_REASONS, "who": ESCALATION_ARRANGERS},
        reason=P.CHOICE,
        who=P.CHOICE,
        code=P.REF,
    ),
    define(
        "order_escalated_call",
        "SMS_480100058",
        "${reason}。已通知${who}为您安排，物业会给您打电话。订单码${code}。",
        "${reason}. ${who} have been told and are arranging it; the company will phone you. Order code ${code}.",
        {"reason": ESCALATION_REASONS, "who": ESCALATION_ARRANGERS},
        reason=P.CHOICE,
        who=P.CHOICE,
        code=P.REF,
    ),
    define(
        "order_escalated_nobody",
        "SMS_480100059",
        "${reason}。目前没有可以为您安排的人员，请联系社区。订单码${code}。",
        "${reason}. Nobody is available to arrange it now; please call the community office. Order code ${code}.",
        {"reason": ESCALATION_REASONS},
        reason=P.CHOICE,
        code=P.REF,
    ),
    define(
        "order_approval_needed_free",
        "SMS_480100060",
        "师傅提出了超出报价的项目（试点免费，您不用付钱），请在订单中逐项确认。",
        "The technician proposes work beyond the quote (free in the pilot: you pay nothing). Review each line.",
    ),
    define(
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
    define("order_cancelled", "SMS_480100018", "您的订单已取消。", "Your order was cancelled."),
    define(
        "proxy_order_progress",
        "SMS_480100019",
        "您替家人下的订单（订单码${code}）：${progress}。",
        "The order you placed for your family member (order code ${code}): ${progress}.",
        {"progress": PROGRESS},
        code=P.REF,
        progress=P.CHOICE,
    ),
    define(
        "family_approval_needed",
        "SMS_480100020",
        "您家人的维修订单有超出报价的项目（另需${extra}元）待确认，您可以代为同意或拒绝。",
        "A family member's repair has lines beyond the quote (CNY ${extra} more); you may approve or reject them.",
        extra=P.AMOUNT,
    ),
    define(
        "family_approval_needed_free",
        "SMS_480100062",
        "您家人的维修订单有超出报价的项目（试点免费，不用付钱）待确认，您可以代为同意或拒绝。",
        "A family member's repair has lines beyond the quote (free in the pilot: nothing to pay); you may approve "
        "or reject them.",
    ),
]
