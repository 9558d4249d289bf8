"""shared.sms's providers against real counterparts: Aliyun's SendSms against the sandbox's Aliyun-shaped fake
over HTTP (signature checked, credentials from moto's Secrets Manager), SNS in moto, the sandbox's fake and its
GET /dev/outbox; and the per-number daily cap on the table's conditional counter."""

from __future__ import annotations

import itertools
import json
import urllib.request

import pytest

from notify.domain.sms import template as sms_template

_numbers = itertools.count(1)


def _phone() -> str:
    return f"1370{next(_numbers):03d}{__import__('os').getpid() % 10000:04d}"


def _outbox(sandbox, phone: str) -> dict:
    with urllib.request.urlopen(f"{sandbox.url}/dev/outbox?phone={phone}", timeout=5) as response:
        return json.loads(response.read())


@pytest.fixture
def provider(sandbox, monkeypatch):
    """Switch shared.sms to another provider for one test."""
    from shared import sms

    def use(name: str, **env: str) -> None:
        monkeypatch.setenv("LINLI_SMS_PROVIDER", name)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        sms.reset()

    yield use
    monkeypatch.undo()
    sms.reset()


def test_the_sandbox_fake_keeps_what_it_sent_for_dev_outbox(sandbox):
    from shared import sms

    phone = _phone()
    sms.send_template(phone, sms_template("login_code"), {"code": "482913"})
    sms.send_template(f"+86 {phone}", sms_template("order_assigned"), {"code": "4821"})
    body = _outbox(sandbox, phone)
    assert [m["template"] for m in body["messages"]] == ["login_code", "order_assigned"]
    first = body["messages"][0]
    assert set(first) == {"phone", "template", "params", "text", "sent_at"}
    assert first["phone"] == phone and first["params"] == {"code": "482913"}
    assert first["text"] == "【邻里】您的登录验证码为482913，请勿告诉他人。如非本人操作，请忽略本短信。"
    # And another number's messages are not shown
    assert _outbox(sandbox, _phone())["messages"] == []


def test_aliyun_sendsms_is_signed_and_checked_by_the_provider(sandbox, provider):
    from shared import sms

    # Given the Aliyun adapter pointed at the sandbox's Aliyun-shaped provider (LINLI_SMS_API_BASE)
    provider("aliyun")
    phone = _phone()
    # When a message is sent
    biz_id = sms.send_template(
        phone, sms_template("proxy_consent_code"), {"relation": "女儿", "tail": "0004", "code": "012345", "minutes": "10"}
    )
    # Then the provider checked the signature, the signature name and the template, and sent it
    [sent] = _outbox(sandbox, phone)["messages"]
    assert biz_id and sent["template"] == "proxy_consent_code" and sent["params"]["code"] == "012345"
    assert sent["text"].startswith("【邻里】您的女儿（手机尾号0004）申请为您代办报修")


def test_aliyun_refusals_are_reported_with_their_code(sandbox, provider, monkeypatch):
    from shared import sms

    provider("aliyun")
    # A template code Aliyun does not know (say, one not approved yet)
    monkeypatch.setenv("LINLI_SMS_TEMPLATE_CODES", json.dumps({"order_cancelled": "SMS_999"}))
    sms.reset()
    with pytest.raises(sms.SmsUnavailable) as unknown:
        sms.send_template(_phone(), sms_template("order_cancelled"), {})
    assert unknown.value.code == "isv.SMS_TEMPLATE_ILLEGAL"
    # A wrong secret: the signature does not match
    monkeypatch.delenv("LINLI_SMS_TEMPLATE_CODES")
    sms.reset()
    real = sms.providers.aliyun_credentials()
    monkeypatch.setattr(
        sms.providers, "aliyun_credentials", lambda: sms.AliyunCredentials(real.access_key_id, "not-the-secret", "邻里")
    )
    with pytest.raises(sms.SmsUnavailable) as forged:
        sms.send_template(_phone(), sms_template("order_cancelled"), {})
    assert forged.value.code == "SignatureDoesNotMatch"
    assert "not-the-secret" not in repr(sms.AliyunCredentials(real.access_key_id, "not-the-secret", "邻里"))
    # And a provider that cannot be reached is unavailable, within the timeout
    monkeypatch.undo()
    provider("aliyun", LINLI_SMS_API_BASE="http://127.0.0.1:9")
    with pytest.raises(sms.SmsUnavailable):
        sms.send_template(_phone(), sms_template("order_cancelled"), {})


def test_sns_publishes_the_rendered_text_in_the_recipients_language(sandbox, provider):
    from moto.sns.models import sns_backends

    from local.runtime import ACCOUNT, REGION
    from shared import sms

    provider("sns")
    phone = _phone()
    sms.send_template(phone, sms_template("order_completed"), {"total": "120"})
    sms.send_template(phone, sms_template("order_completed"), {"total": "35.5"}, language="en")
    sent = [m[1] for m in sns_backends[ACCOUNT][REGION].sms_messages.values() if m[0] == f"+86{phone}"]
    assert sent == [
        "【邻里】维修已完成，费用120元。请为本次服务评价。",
        "[Linli] Repair done, charge CNY 35.5. Please rate the service.",
    ]


def test_a_number_gets_no_more_than_its_daily_cap(sandbox, provider):
    from shared import sms

    # Given a cap of 3 messages a Beijing day per number
    provider("fake", LINLI_SMS_PER_RECIPIENT_PER_DAY="3")
    phone, other = _phone(), _phone()
    for _ in range(3):
        sms.send_template(phone, sms_template("order_offered"), {})
    # When a fourth comes the same day
    with pytest.raises(sms.SmsNotSent) as capped:
        sms.send_template(phone, sms_template("order_cancelled"), {})
    # Then it is not sent, and the outbox says why
    assert capped.value.reason == "daily_cap"
    body = _outbox(sandbox, phone)
    assert [m["template"] for m in body["messages"]] == ["order_offered"] * 3
    assert [(m["template"], m["reason"]) for m in body["not_sent"]] == [("order_cancelled", "daily_cap")]
    # And another number is not affected
    sms.send_template(other, sms_template("order_cancelled"), {})
    # And a message the provider refused does not count: with a cap of 3, a fourth refusal is still the provider's
    for _ in range(4):
        with pytest.raises(sms.SmsUnavailable):
            sms.send_template("10086", sms_template("order_offered"), {})
    # And the counter's key holds no phone number
    from shared.dal.tables import DailyCountItem

    keys = [i.pk for i in DailyCountItem.scan(DailyCountItem.pk.startswith("USER#sms:"))]
    assert keys and not any(phone in k or other in k for k in keys)


def test_the_parameters_are_checked_before_anything_is_sent(sandbox):
    from shared import sms

    phone = _phone()
    with pytest.raises(sms.SmsTemplateError):
        sms.send_template(phone, sms_template("proxy_linked"), {"relation": "http://t.cn/x", "tail": "0004"})
    assert _outbox(sandbox, phone) == {"messages": [], "not_sent": []}
