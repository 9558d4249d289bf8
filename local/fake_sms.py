"""The sandbox's SMS provider, Alibaba Cloud SMS shaped: `POST /sms-api/` takes the `SendSms` RPC call as Aliyun
does (form fields, signature version 1.0 checked with the sandbox's access key), checks the signature name, the
template code and its parameters as Aliyun would, and keeps what it sent in the same outbox as the `fake`
provider (`shared.sms.fake_outbox()`, read at `GET /dev/outbox?phone=`).

The sandbox itself sends with `LINLI_SMS_PROVIDER=fake` (in process, no HTTP); `LINLI_SMS_PROVIDER=aliyun` with
`LINLI_SMS_API_BASE` at this endpoint exercises the real Aliyun adapter end to end (its unit test does).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from notify.domain.sms import SMS_TEMPLATES
from shared import sms

PREFIX = "/sms-api"
CLOCK_SKEW = timedelta(minutes=15)


def _answer(code: str, message: str, status: int = 200, **extra: str) -> tuple[int, dict[str, Any]]:
    return status, {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper(), **extra}


class FakeAliyunSms:
    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str) -> None:
        self.access_key_id, self.access_key_secret, self.sign_name = access_key_id, access_key_secret, sign_name

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        query = path.partition("?")[2]
        fields = dict(parse_qsl(body.decode("utf-8") if method == "POST" else query, keep_blank_values=True))
        signature = fields.pop("Signature", "")
        if fields.get("AccessKeyId") != self.access_key_id:
            return _answer("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        if signature != sms.rpc_signature(method, fields, self.access_key_secret):
            return _answer("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", 400)
        try:
            at = datetime.strptime(fields.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return _answer("InvalidTimeStamp.Format", "Specified time stamp is not valid.", 400)
        if abs(datetime.now(UTC) - at) > CLOCK_SKEW:
            return _answer("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", 400)
        if fields.get("Action") != "SendSms" or fields.get("Version") != "2017-05-25":
            return _answer("InvalidAction.NotFound", "Specified api is not found, please check your url and method.", 404)
        if fields.get("SignName") != self.sign_name:
            return _answer("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        by_code = {t.code: t for t in SMS_TEMPLATES.values()}  # the codes approved: the table's
        tpl = by_code.get(fields.get("TemplateCode", ""))
        if tpl is None:
            return _answer("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            params = json.loads(fields.get("TemplateParam") or "{}")
        except ValueError:
            return _answer("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            return _answer("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if set(tpl.params) - set(params):
            return _answer("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        if any(len(v) > sms.MAX_PARAM_CHARS for v in params.values()):
            return _answer("isv.PARAM_LENGTH_LIMIT", "参数超出长度限制")
        try:
            sms.check_params(tpl, params)
        except sms.SmsTemplateError:
            return _answer("isv.TEMPLATE_PARAMS_ILLEGAL", "模板变量里包含非法关键字")
        try:
            biz_id = sms.fake_outbox().send(fields.get("PhoneNumbers", ""), tpl, params, sign_name=self.sign_name)
        except sms.SmsUnavailable:
            return _answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        return _answer("OK", "OK", BizId=biz_id)
