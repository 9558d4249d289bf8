"""The SMS templates of technicians, the companies' back offices and the supervisors, and of deadlines about to
run out (to whoever holds them)."""

from __future__ import annotations

from notify.domain.sms.words import CERTIFICATES, DECISIONS, ESCALATION_CALLS, ESCALATION_STAFF_REASONS, ORDER_WORDS
from shared.sms.template import SmsTemplate, define
from shared.sms.words import Param as P

STAFF_AND_DEADLINE_TEMPLATES: list[SmsTemplate] = [
    # Technicians.
    define(
        "technician_offer",
        "SMS_480100031",
        "您有一个新的派单，请在倒计时结束前接单。",
        "You have a new offer; accept it before the countdown ends.",
    ),
    define(
        "technician_offer_withdrawn",
        "SMS_480100032",
        "派单已撤回，无需处理。",
        "An offer to you was withdrawn; nothing to do.",
    ),
    define(
        "technician_order_cancelled",
        "SMS_480100033",
        "您负责的订单已被取消，无需上门。",
        "An order assigned to you was cancelled; no visit needed.",
    ),
    define(
        "technician_dispatched",
        "SMS_480100034",
        "${by}为您派了一个${what}，请尽快处理。",
        "A ${what} was dispatched to you by ${by}; please see to it soon.",
        {"by": {"监管人员": "a supervisor", "物业": "your company"}, "what": ORDER_WORDS},
        by=P.CHOICE,
        what=P.CHOICE,
    ),
    # Company back office and supervisors.
    define(
        "public_area_submitted",
        "SMS_480100041",
        "有新的公区报事（订单${order}）待派单，请尽快安排师傅。",
        "A new public-area report (order ${order}) waits for your dispatch.",
        order=P.REF,
    ),
    define(
        "admission_decided",
        "SMS_480100042",
        "${who}${decision}，详情请登录邻里后台查看。",
        "${who} ${decision}; see the Linli back office for details.",
        {"decision": DECISIONS},
        who=P.NAME,
        decision=P.CHOICE,
    ),
    define(
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
    define(
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
    define(
        "credit_suspended",
        "SMS_480100045",
        "企业${company}信用分${score}低于${threshold}，已自动暂停派单，请监管人员复核。",
        "Company ${company} scored ${score} (below ${threshold}) and was suspended from matching; a supervisor should review it.",
        company=P.NAME,
        score=P.AMOUNT,
        threshold=P.AMOUNT,
    ),
    define(
        "order_escalated_fault",
        "SMS_480100046",
        "订单${order}因系统故障（重试后仍失败）已升级，请查看执行记录并人工派单。物业：${company}。",
        "Order ${order} was escalated after a system fault that outlasted every retry; see its history and "
        "dispatch it by hand. Property company: ${company}.",
        order=P.REF,
        company=P.NAME,
    ),
    define(
        "public_area_escalated",
        "SMS_480100047",
        "公区报事${order}超时未受理，已升级，请人工派单，并计入该公司信用记录。物业：${company}。",
        "Public-area report ${order} missed its deadline; dispatch it by hand. It counts against the company's "
        "credit. Property company: ${company}.",
        order=P.REF,
        company=P.NAME,
    ),
    define(
        "order_escalated_company",
        "SMS_480100063",
        "贵公司签约小区的订单${order}已升级：${reason}。${call}。",
        "Order ${order} in a compound you serve was escalated: ${reason}. Please ${call}.",
        {"reason": ESCALATION_STAFF_REASONS, "call": ESCALATION_CALLS},
        order=P.REF,
        reason=P.CHOICE,
        call=P.CHOICE,
    ),
    define(
        "order_escalated_alert",
        "SMS_480100064",
        "订单${order}已升级：${reason}。请人工派单。物业：${company}。",
        "Order ${order} was escalated: ${reason}. Please dispatch it by hand. Property company: ${company}.",
        {"reason": ESCALATION_STAFF_REASONS},
        order=P.REF,
        reason=P.CHOICE,
        company=P.NAME,
    ),
    define(
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
    define(
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
    define(
        "deadline_escalated_dispatch",
        "SMS_480100051",
        "升级订单${order}须在${due}前人工派单，逾期将自动取消。",
        "Escalated order ${order} must be dispatched by hand before ${due} (Beijing time), or it is cancelled.",
        order=P.REF,
        due=P.WHEN,
    ),
    define(
        "deadline_dispatch",
        "SMS_480100052",
        "公区报事${order}须在${due}前派单受理，逾期将升级给监管人员并计入贵公司信用记录。",
        "Public-area report ${order} must be dispatched before ${due} (Beijing time); after that it is escalated "
        "to the supervisors and counts against your company's credit.",
        order=P.REF,
        due=P.WHEN,
    ),
    define(
        "deadline_completion_technician",
        "SMS_480100053",
        "您负责的${what}须在${due}前完成并提交账单，逾期将升级给监管人员。",
        "The ${what} assigned to you must be completed and billed before ${due} (Beijing time); after that it is "
        "escalated to a supervisor.",
        {"what": ORDER_WORDS},
        what=P.CHOICE,
        due=P.WHEN,
    ),
    define(
        "deadline_completion_company",
        "SMS_480100054",
        "${what}${order}须在${due}前完成，逾期将升级给监管人员。",
        "${what} ${order} must be completed before ${due} (Beijing time); after that it is escalated to a supervisor.",
        {"what": ORDER_WORDS},
        what=P.CHOICE,
        order=P.REF,
        due=P.WHEN,
    ),
    define(
        "deadline_completion_public_area",
        "SMS_480100055",
        "公区报事${order}须在${due}前完成，逾期将升级给监管人员并计入贵公司信用记录。",
        "Public-area report ${order} must be completed before ${due} (Beijing time); after that it is escalated to "
        "a supervisor and counts against your company's credit.",
        order=P.REF,
        due=P.WHEN,
    ),
    define(
        "deadline_approval",
        "SMS_480100056",
        "订单码${code}：师傅提出的超出报价的项目（另需${extra}元）请在${due}前确认；逾期未确认，只收取报价内的费用。",
        "Order code ${code}: please review the work beyond the quote (CNY ${extra} more) before ${due} (Beijing "
        "time); without your answer only the quoted work is charged.",
        code=P.REF,
        extra=P.AMOUNT,
        due=P.WHEN,
    ),
    define(
        "deadline_family_approval",
        "SMS_480100057",
        "您家人的维修订单有超出报价的项目待确认，${due}截止，您可以代为同意或拒绝。",
        "A family member's repair has lines beyond the quote awaiting consent until ${due} (Beijing time); you "
        "may approve or reject them.",
        due=P.WHEN,
    ),
    define(
        "deadline_approval_free",
        "SMS_480100067",
        "订单码${code}：师傅提出的超出报价的项目（试点免费，您不用付钱）请在${due}前确认；逾期未确认，只做报价内的项目。",
        "Order code ${code}: please review the work beyond the quote (free in the pilot: you pay nothing) before "
        "${due} (Beijing time); without your answer only the quoted work is done.",
        code=P.REF,
        due=P.WHEN,
    ),
    define(
        "order_rating_reminder",
        "SMS_480100068",
        "订单码${code}的维修已完成，请在邻里小程序为本次服务评价，您的评价帮助社区管好维修服务。",
        "Order code ${code}: the repair is done. Please rate the service in the Linli mini-program; your rating "
        "helps the community keep repairs good.",
        code=P.REF,
    ),
]
