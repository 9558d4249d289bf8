"""Acting for a resident (issue 6): the consent code and its check, masked numbers, and the words the resident
and the proxy receive."""

from __future__ import annotations

from identity.domain.records import User
from notify.domain.channels import channels_for
from notify.domain.compose import PLACED_FOR_YOU, Placer, drafts_for, placed_for_you
from notify.store.notifications import Channel, NotificationPreferences
from orders.domain import proxies
from shared.events import DomainEvent, EventType, OrderSnapshot


def test_codes_are_six_digits_and_vary():
    codes = {proxies.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 190


def test_the_stored_hash_checks_the_code_of_its_own_request_only():
    stored = proxies.code_hash("prq_1", "012345")
    assert len(stored) == 64 and "012345" not in stored
    assert proxies.code_matches("prq_1", "012345", stored)
    assert proxies.code_matches("prq_1", "012 345", stored)  # spaces a person types are ignored
    assert not proxies.code_matches("prq_1", "012346", stored)
    assert not proxies.code_matches("prq_2", "012345", stored)  # the request id salts it


def test_phone_numbers_are_compared_and_shown_masked():
    assert proxies.digits("+86 138-0000-0001") == proxies.digits("13800000001") == "13800000001"
    assert proxies.mask_phone("13800000001") == "138****0001"
    assert proxies.mask_phone("12") == "****"


def test_the_consent_sms_says_who_asks_what_they_may_do_and_what_telling_and_ignoring_mean():
    zh, en = proxies.code_text(
        requester_name="李丽",
        relation="社区工作者",
        relation_en="community worker",
        requester_phone="13800000005",
        code="042137",
        minutes=10,
    )
    assert zh.startswith("【邻里】李丽（社区工作者，手机尾号 0005）")
    for words in ("替您下单", "查看您的订单", "同意额外费用", "042137", "10 分钟", "告诉了验证码就是同意", "不用理这条短信"):
        assert words in zh, words
    assert en.startswith("[Linli] 李丽 (community worker, phone ending 0005)") and "042137" in en and "ignore" in en


def test_the_link_and_revoke_notices_name_the_person():
    assert "李丽（社区工作者）" in proxies.linked_text(proxy_name="李丽", relation="社区工作者", relation_en="")[0]
    by_her = proxies.revoked_text(proxy_name="李丽", relation="社区工作者", relation_en="", by_resident=True)
    by_them = proxies.revoked_text(proxy_name="李丽", relation="社区工作者", relation_en="", by_resident=False)
    assert by_her[0].startswith("【邻里】您已取消李丽") and by_them[0].startswith("【邻里】李丽（社区工作者）已停止")


def _event(kind: EventType, placed_by: str | None = "res_lili") -> DomainEvent:
    order = OrderSnapshot(
        order_id="ord_1",
        order_type="emergency",
        category="plumbing",
        status=kind.value.split(".")[1],
        order_code="4821",
        compound_id="cp_1",
        resident_id="res_wang",
        placed_by=placed_by,
    )
    return DomainEvent(event_id="evt_1", type=kind, occurred_at="2026-01-01T00:00:00Z", order=order)


PLACER = Placer("res_lili", "李丽", "社区工作者", "community worker", "王奶奶", still_linked=True)


def test_the_resident_is_told_of_an_order_placed_for_her():
    [draft] = placed_for_you(_event(EventType.ORDER_SUBMITTED), PLACER)
    assert draft.recipient_id == "res_wang" and draft.kind == PLACED_FOR_YOU
    assert "李丽（社区工作者）替您报修了：水管/下水" in draft.text_zh and "订单码 4821" in draft.text_zh
    assert placed_for_you(_event(EventType.ORDER_ASSIGNED), PLACER) == []
    assert placed_for_you(_event(EventType.ORDER_SUBMITTED), None) == []


def test_the_placer_follows_the_order_while_still_linked():
    drafts = drafts_for(_event(EventType.ORDER_ASSIGNED), placer=PLACER)
    assert [d.recipient_id for d in drafts] == ["res_wang", "res_lili"]
    assert drafts[1].text_zh.startswith("【邻里】（您替王奶奶下的单）师傅已接单") and "4821" in drafts[1].text_zh
    revoked = Placer(**{**PLACER.__dict__, "still_linked": False})
    assert [d.recipient_id for d in drafts_for(_event(EventType.ORDER_ASSIGNED), placer=revoked)] == ["res_wang"]


def test_a_safety_notice_goes_by_sms_whatever_the_resident_chose():
    wechat_only = NotificationPreferences(channels=[Channel.WECHAT])
    resident = User(user_id="res_wang", role="resident", name="王奶奶", phone="13800000001")
    assert channels_for(wechat_only, resident) == [Channel.WECHAT]
    assert channels_for(wechat_only, resident, always_sms=True) == [Channel.WECHAT, Channel.SMS]
    no_phone = resident.model_copy(update={"phone": ""})
    assert channels_for(wechat_only, no_phone, always_sms=True) == [Channel.WECHAT]


def test_braces_in_a_name_are_text_not_placeholders():
    braces = Placer(**{**PLACER.__dict__, "resident_name": "王{code}奶奶{"})
    drafts = drafts_for(_event(EventType.ORDER_ASSIGNED), placer=braces)
    assert drafts[1].text_zh.startswith("【邻里】（您替王{code}奶奶{下的单）师傅已接单") and "4821" in drafts[1].text_zh
    assert drafts[1].text_en.startswith("[Linli] (The order you placed for 王{code}奶奶{) ")
