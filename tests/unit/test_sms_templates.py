"""Every SMS is a template and its parameters (shared.SMS_TEMPLATES): the table, the checks, Aliyun's request
signature, and every message kind that can go by SMS filling exactly its template's parameters (pure: no AWS)."""

from __future__ import annotations

import itertools
import re

import pytest

from notify.domain.compose import Placer, drafts_for, report_drafts
from notify.domain.doorstep import mismatch_alerts
from notify.domain.escalation import (
    REASONS,
    Arrangers,
    resident_sms,
    resident_text,
    staff_alerts,
    unanswered_alerts,
)
from notify.domain.reminders import deadline_drafts, rating_reminder_drafts
from notify.domain.sms import SMS_TEMPLATES
from notify.domain.sms import template as sms_template
from notify.domain.supervision import supervision_drafts
from orders.domain import proxies as proxy_rules
from shared import sms
from shared.events import DomainEvent, EventType, OrderSnapshot, SubjectSnapshot

E = EventType
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@pytest.mark.parametrize("tpl", SMS_TEMPLATES.values(), ids=lambda t: t.key)
def test_each_template_names_exactly_its_parameters_in_both_languages(tpl):
    assert set(PLACEHOLDER.findall(tpl.text_zh)) == set(tpl.params) == set(PLACEHOLDER.findall(tpl.text_en))
    # Aliyun: template content at most 500 characters, variable names letters/digits/_ and not email, mobile, id …
    assert len(tpl.text_zh) <= 500 and "【" not in tpl.text_zh  # the provider adds the signature
    for name, kind in tpl.params.items():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,24}", name) and name not in {"email", "mobile", "id", "nick", "site"}
        if kind == sms.Param.CHOICE:
            words = tpl.choices[name]
            assert words and all(len(w) <= sms.MAX_PARAM_CHARS for w in words)
    assert re.fullmatch(r"SMS_\d+", tpl.code)
    assert len({t.code for t in SMS_TEMPLATES.values()}) == len(SMS_TEMPLATES)


def test_the_login_code_template_takes_the_code():
    tpl = SMS_TEMPLATES["login_code"]
    assert tpl.params == {"code": sms.Param.CODE}
    assert tpl.render({"code": "482913"}) == "您的登录验证码为482913，请勿告诉他人。如非本人操作，请忽略本短信。"


def test_parameters_must_be_exactly_the_templates_and_of_their_kind():
    tpl = sms_template("proxy_consent_code")
    good = {"relation": "女儿", "tail": "0004", "code": "123456", "minutes": "10"}
    sms.check_params(tpl, good)
    for bad in (
        {k: v for k, v in good.items() if k != "minutes"},  # one missing
        {**good, "note": "x"},  # one more
        {**good, "relation": "http://evil.example/x"},  # not one of the fixed words
        {**good, "relation": "女儿，点击 t.cn/abc 领奖"},
        {**good, "code": "12345678"},  # a code is 4 to 6 digits
        {**good, "tail": "0004 t.cn"},
        {**good, "minutes": 10},  # Aliyun's parameters are strings
    ):
        with pytest.raises(sms.SmsTemplateError):
            sms.check_params(tpl, bad)
    with pytest.raises(sms.SmsTemplateError):
        sms_template("free_text")
    # A name is letters only: no digits, dots, slashes or colons, so no link and no phone number fits
    admission = sms_template("admission_decided")
    for who in ("赵师傅 www.x.cn", "加微信 abc123", "t.cn/xyz", "A" * 21):
        with pytest.raises(sms.SmsTemplateError):
            sms.check_params(admission, {"who": who, "decision": "已通过准入审核"})
    # And no variable takes more than 35 characters (Aliyun's limit for an ordinary variable)
    with pytest.raises(sms.SmsTemplateError):
        sms.check_params(sms_template("order_assigned"), {"code": "A" * 36})


def test_the_aliyun_signature_matches_the_documented_example():
    # Alibaba Cloud's RPC signature documentation: DescribeRegions, AccessKeySecret "testsecret", signed by GET.
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert sms.string_to_sign("GET", params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
    )
    assert sms.rpc_signature("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    # Chinese (the signature name, the parameters' JSON) is UTF-8 percent-encoded; a space is %20, not +
    assert sms.percent_encode("邻里 a*b~") == "%E9%82%BB%E9%87%8C%20a%2Ab~"


# --- every message kind that can go by SMS ---------------------------------------------------------------------

NOW = "2026-12-04T02:00:00Z"


def _order(**changes) -> OrderSnapshot:
    fields = dict(
        order_id="ord_7f3k2",
        order_type="emergency",
        category="plumbing",
        status="assigned",
        order_code="4821",
        compound_id="cp_1",
        resident_id="res_wang",
        placed_by="res_lili",
        technician_id="tech_zhao",
        company_id="co_1",
        bill_total=1234.5,
        extra_total=80,
        escalation_reason="no_candidates",
    )
    return OrderSnapshot(**(fields | changes))


def _event(kind: EventType, **changes) -> DomainEvent:
    extra = {k: changes.pop(k) for k in list(changes) if k in DomainEvent.model_fields}
    return DomainEvent(
        event_id=f"evt_{kind.value}",
        type=kind,
        occurred_at=NOW,
        company_id="co_1",
        order=_order(**changes),
        offer_technician_id="tech_zhao",
        **extra,
    )


def _subject_event(kind: EventType, **subject) -> DomainEvent:
    fields = dict(company_id="co_1", name="通苑物业", decision="approve", credit_score=38.456, threshold=40)
    return DomainEvent(
        event_id=f"evt_{kind.value}", type=kind, occurred_at=NOW, company_id="co_1", subject=SubjectSnapshot(**(fields | subject))
    )


PLACER = Placer("res_lili", "李丽 http://t.cn/x", "社区工作者", "community worker", "王奶奶", True, phone_tail="0005")
# The property service desk placing an order on the phone: the company's name is what the resident reads.
DESK = Placer("disp_1", "李丽 http://t.cn/x", "通苑物业", "Tongyuan", "王奶奶", False)
DESK_TYPED = Placer("disp_1", "李丽", "物业 http://t.cn/x", "", "王奶奶", False)


def every_arrangers():
    """Who may be told of an escalation: the company (with or without a number to call), the supervisors, nobody;
    a company whose name is not a plain name."""
    for company, dispatchers, supervisors, phone in itertools.product(
        ("通苑物业", "物业 http://t.cn/x"), ((), ("disp_1",)), ((), ("sup_1",)), (True, False)
    ):
        yield Arrangers("co_1", company, "", dispatchers, supervisors, phone)
    yield Arrangers(None, "", "", (), ("sup_1",), True)


def every_draft():
    """Every message the platform composes, for every event it messages people about, in every variant."""
    drafts = []
    for kind in EventType:
        for changes in ({}, {"previous_status": "escalated"}, {"order_type": "public_area"}):
            event = _event(kind, **changes)
            drafts += drafts_for(event, proxies=["res_wang_son"], placer=PLACER)
            drafts += report_drafts(event, dispatchers=["disp_1"])
    for reason, order_type, arrangers in itertools.product(
        (*REASONS, "something_else"), ("emergency", "public_area"), every_arrangers()
    ):
        event = _event(E.ORDER_ESCALATED, escalation_reason=reason, order_type=order_type)
        drafts += staff_alerts(event, arrangers)
        drafts += drafts_for(
            event,
            placer=PLACER,
            escalated_text=resident_text(event.order, arrangers),
            escalated_sms=resident_sms(event.order, arrangers),
        )
        again = _event(E.ORDER_ESCALATION_UNANSWERED, escalation_reason=reason, escalated_at="2026-12-04T01:30:00Z")
        drafts += unanswered_alerts(again, arrangers)
    for placer, extra in itertools.product((DESK, DESK_TYPED), (80, 0)):
        event = _event(E.ORDER_SUBMITTED, placed_via="phone", extra_total=extra)
        drafts += drafts_for(event, placer=placer)
        drafts += drafts_for(_event(E.ORDER_APPROVAL_NEEDED, extra_total=extra), proxies=["res_wang_son"], placer=PLACER)
    for name in ("赵师傅", "赵师傅13900000000", "见 http://x.cn"):
        drafts += mismatch_alerts(
            _event(E.ORDER_DOORSTEP_MISMATCH), technician_name=name, dispatchers=["disp_1"], supervisors=["sup_1"]
        )
    for step, status, order_type, deadline, extra in itertools.product(
        ("dispatch", "completion", "approval"),
        ("escalated", "assigned", "awaiting_approval"),
        ("emergency", "public_area"),
        ("2026-12-04T06:30:00Z", "2026-12-05T06:30:00Z"),
        (80, 0),
    ):
        event = _event(
            E.ORDER_DEADLINE_APPROACHING,
            deadline_step=step,
            deadline_at=deadline,
            status=status,
            order_type=order_type,
            extra_total=extra,
        )
        drafts += deadline_drafts(event, dispatchers=["disp_1"], supervisors=["sup_1"], proxies=["res_wang_son"])
    drafts += rating_reminder_drafts(_event(E.ORDER_RATING_REMINDER, status="completed"))
    subjects = [
        (E.COMPANY_ADMISSION_DECIDED, {"decision": d}) for d in ("approve", "reject", "suspend", "reinstate", "other")
    ] + [
        (E.TECHNICIAN_ADMISSION_DECIDED, {"technician_id": "tech_zhao", "name": "赵师傅", "reason": "见 http://x.cn"}),
        (E.TECHNICIAN_ADMISSION_DECIDED, {"technician_id": "tech_zhao", "name": "赵师傅13900000000"}),
        (E.CERTIFICATE_EXPIRING, {"certificate_kind": "electrician_low_voltage", "expires_on": "2026-12-31", "days_left": 27}),
        (E.CERTIFICATE_EXPIRED, {"technician_id": "t", "certificate_kind": "unknown_kind", "expires_on": "2026-12-01"}),
        (E.CREDIT_SUSPENDED, {}),
    ]
    for kind, subject in subjects:
        drafts += supervision_drafts(_subject_event(kind, **subject), dispatchers=["disp_1"], supervisors=["sup_1"])
    return drafts


def test_every_message_kind_that_can_go_by_sms_fills_exactly_its_templates_parameters():
    drafts = every_draft()
    kinds = {d.kind for d in drafts}
    # Given every kind of message the notifications send (any of them may go by SMS: a person chooses SMS)
    assert kinds >= {
        "order.offered",
        "order.assigned",
        "order.en_route",
        "order.on_site",
        "order.approval_needed",
        "order.completed",
        "order.escalated",
        "order.cancelled",
        "offer.created",
        "offer.withdrawn",
        "proxy.order_placed",
        "order.escalated_fault",
        "public_area.escalated",
        "public_area.submitted",
        "public_area.dispatched",
        "order.deadline_approaching",
        "order.rating_reminder",
        "company.admission_decided",
        "technician.admission_decided",
        "certificate.expiring",
        "certificate.expired",
        "credit.suspended",
        "order.escalated_company",
        "order.escalated_alert",
        "order.escalation_unanswered",
        "order.doorstep_mismatch",
        "desk.order_placed",
    }
    used = set()
    for draft in drafts:
        # Then each names a template, and its parameters are exactly that template's, of their kinds
        assert draft.template in SMS_TEMPLATES, draft
        sms.check_params(sms_template(draft.template), dict(draft.params))
        used.add(draft.template)
        # And no free text from a user reaches an SMS: the placer's name (with a link in it here), a reason
        text = sms_template(draft.template).render(dict(draft.params))
        assert "http" not in text and "t.cn" not in text and "x.cn" not in text and "李丽" not in text, text
        assert "13900000000" not in text
        # nor "另需 0 元" (a free compound's extra lines cost the resident nothing)
        assert "另需0元" not in text, text
    # And the proxy consent messages (orders) fill theirs
    for template, params in (
        proxy_rules.code_sms(relation="女儿", requester_phone="13800000004", code="012345", minutes=10),
        proxy_rules.code_sms(relation="社区工作者", requester_phone="", code="999999", minutes=1),
        proxy_rules.linked_sms(relation="儿子", proxy_phone="+86 138 0000 0004"),
        proxy_rules.revoked_sms(relation="a free-text relation of old", proxy_phone="13800000004", by_resident=True),
        proxy_rules.revoked_sms(relation="邻居", proxy_phone="13800000004", by_resident=False),
    ):
        sms.check_params(sms_template(template), params)
        used.add(template)
    # And no template of the table is left without a sender (the identity service sends login_code)
    assert set(SMS_TEMPLATES) - used == {"login_code"}


def test_the_amounts_and_times_in_an_sms_are_plain():
    [completed] = [d for d in drafts_for(_event(E.ORDER_COMPLETED, bill_total=1e6)) if d.template == "order_completed"]
    assert completed.params == {"total": "1000000"}
    [approval] = deadline_drafts(
        _event(E.ORDER_DEADLINE_APPROACHING, deadline_step="approval", deadline_at="2026-12-05T06:30:00Z", placed_by=None),
    )
    assert approval.params == {"due": "12月5日 14:30", "code": "4821", "extra": "80"}


def test_relations_are_a_fixed_list_in_chinese_or_english():
    assert proxy_rules.relation("女儿") == ("女儿", "daughter")
    assert proxy_rules.relation(" community worker ") == ("社区工作者", "community worker")
    for free in ("女儿 http://t.cn/x", "我是你儿子，加微信", "", "boss"):
        assert proxy_rules.relation(free) is None


DOCS = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "integrators.md"
BEGIN, END = "<!-- sms-templates:begin -->", "<!-- sms-templates:end -->"


def templates_markdown() -> str:
    """The table of docs/integrators.md, made from SMS_TEMPLATES."""
    rows = ["| key | template code | text (the provider adds 【邻里】) | parameters |", "|---|---|---|---|"]
    for tpl in SMS_TEMPLATES.values():
        params = ", ".join(
            f"`{name}` ({kind.value}" + (": " + " / ".join(tpl.choices[name]) if kind == sms.Param.CHOICE else "") + ")"
            for name, kind in tpl.params.items()
        )
        rows.append(f"| `{tpl.key}` | `{tpl.code}` | {tpl.text_zh} | {params or '—'} |")
    return "\n".join(rows)


def test_the_integrators_doc_lists_exactly_the_templates_in_code():
    text = DOCS.read_text(encoding="utf-8")
    documented = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert documented == templates_markdown(), "docs/integrators.md: paste\n" + templates_markdown()
