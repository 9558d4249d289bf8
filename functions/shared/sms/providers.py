"""The two real providers: Alibaba Cloud SMS `SendSms` (China: RPC API, signature version 1.0, HMAC-SHA1) and
Amazon SNS direct publish (global)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import boto3

from shared.observability import logger
from shared.sms.config import SIGN_NAME, settings, template_code
from shared.sms.errors import SmsUnavailable
from shared.sms.phones import digits, e164
from shared.sms.template import SmsTemplate


@lru_cache(maxsize=1)
def sns_client() -> Any:
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
def aliyun_credentials() -> AliyunCredentials:
    arn = settings().secret_arn
    if not arn:
        raise SmsUnavailable("LINLI_SMS_SECRET_ARN is not set")
    values = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    return AliyunCredentials(values["access_key_id"], values["access_key_secret"], values.get("sign_name") or SIGN_NAME)


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


def send_aliyun(phone: str, tpl: SmsTemplate, params: dict[str, str]) -> str:
    config = settings()
    form = aliyun_request(phone, template_code(tpl), params, aliyun_credentials())
    body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in form.items()).encode()
    request = urllib.request.Request(
        config.api_base.rstrip("/") + "/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_seconds) as response:  # noqa: S310 - https in AWS
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


def send_sns(phone: str, tpl: SmsTemplate, params: dict[str, str], language: str) -> str:
    signature = "[Linli] " if language == "en" else f"【{SIGN_NAME}】"
    response = sns_client().publish(
        PhoneNumber=e164(phone),
        Message=signature + tpl.render(params, language),
        MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Linli"},
        },
    )
    return response["MessageId"]


def reset() -> None:
    for cached in (sns_client, aliyun_credentials):
        cached.cache_clear()
