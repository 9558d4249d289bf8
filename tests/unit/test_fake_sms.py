"""The sandbox's Alibaba Cloud SMS fake (local/fake_sms.py) checks a `SendSms` call's template parameters as
Aliyun does: called directly with signed form fields, it answers Aliyun's error code for parameters missing, a
parameter the template does not name, a value too long or of the wrong kind, and sends nothing then."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from local.fake_sms import FakeAliyunSms
from notify.domain.sms import SMS_TEMPLATES
from shared import sms

CREDENTIALS = sms.AliyunCredentials(access_key_id="LTAI5tTest", access_key_secret="test-secret", sign_name="邻里")
LOGIN = SMS_TEMPLATES["login_code"]


@pytest.fixture
def provider() -> FakeAliyunSms:
    return FakeAliyunSms(
        access_key_id=CREDENTIALS.access_key_id,
        access_key_secret=CREDENTIALS.access_key_secret,
        sign_name=CREDENTIALS.sign_name,
    )


def send(provider: FakeAliyunSms, phone: str, params: object) -> tuple[int, dict]:
    form = sms.aliyun_request(phone, LOGIN.code, {}, CREDENTIALS)
    form.pop("Signature")
    form["TemplateParam"] = json.dumps(params, ensure_ascii=False)
    form["Signature"] = sms.rpc_signature("POST", form, CREDENTIALS.access_key_secret)
    return provider.handle("POST", "/sms-api/", urlencode(form).encode())


def sent_to(phone: str) -> list[dict]:
    return sms.fake_outbox().messages(phone)


def test_the_templates_parameters_are_sent(provider):
    status, answer = send(provider, "13700000101", {"code": "482913"})
    assert (status, answer["Code"]) == (200, "OK") and answer["BizId"]
    assert [m["params"] for m in sent_to("13700000101")][-1:] == [{"code": "482913"}]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "isv.TEMPLATE_MISSING_PARAMETERS"),
        ({"minutes": "5"}, "isv.TEMPLATE_MISSING_PARAMETERS"),
        ({"code": "482913", "link": "http://x.cn"}, "isv.TEMPLATE_PARAMS_ILLEGAL"),
        ({"code": "4" * (sms.MAX_PARAM_CHARS + 1)}, "isv.PARAM_LENGTH_LIMIT"),
        ({"code": "点这里"}, "isv.TEMPLATE_PARAMS_ILLEGAL"),
        ({"code": 482913}, "isv.INVALID_JSON_PARAM"),
        (["482913"], "isv.INVALID_JSON_PARAM"),
    ],
    ids=["none", "missing", "extra", "too_long", "wrong_kind", "not_a_string", "not_an_object"],
)
def test_parameters_aliyun_refuses_are_refused_and_not_sent(provider, params, code):
    phone = "13700000102"
    before = len(sent_to(phone))
    status, answer = send(provider, phone, params)
    assert (status, answer["Code"]) == (200, code), answer
    assert answer["Message"] and answer["RequestId"] and "BizId" not in answer
    assert len(sent_to(phone)) == before
