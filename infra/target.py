"""Where the stack goes: the global partition or AWS China, chosen by the region, with every setting that differs
between the two in this one place. The constructs never test the region themselves; they read a `Target`.

`make synth` (no region) builds the global stack, environment-agnostic as before; `make synth REGION=cn-north-1`
(or `cn-northwest-1`) builds the same platform for the `aws-cn` partition. Operators give their domains through
context (`-c api_domain=…`, docs/deploy-china.md): in China every public domain needs an ICP filing, and the apps'
distribution cannot serve on CloudFront's own `*.cloudfront.cn` name at all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")
# cfn-lint checks the global template against one region where every resource type the stack uses exists.
GLOBAL_LINT_REGIONS = ("us-east-1",)
TOKEN_AUDIENCE = "linli"


class SmsProvider(StrEnum):
    """Who sends the SMS (LINLI_SMS_PROVIDER): SNS where it sends SMS, Alibaba Cloud SMS in China (SNS sends
    no SMS in the China regions)."""

    SNS = "sns"
    ALIYUN = "aliyun"


class OriginAccess(StrEnum):
    """How CloudFront reads the private apps bucket: origin access control where it exists, the origin access
    identity in China (no `AWS::CloudFront::OriginAccessControl` there)."""

    CONTROL = "control"
    IDENTITY = "identity"


@dataclass(frozen=True)
class Target:
    region: str | None  # None: environment-agnostic (the global default of `make synth`)
    partition: str  # aws | aws-cn
    sms_provider: SmsProvider
    origin_access: OriginAccess
    lint_regions: tuple[str, ...]  # what `cfn-lint --regions` checks the template against (China: both regions)
    # Operators' settings (context). The API's custom domain: the token issuer when given (China: ICP-filed).
    api_domain: str | None = None
    api_certificate_arn: str | None = None  # ACM, in the stack's region (a regional API Gateway domain)
    # The apps' domain (China: required to serve at all, ICP-filed) and its certificate: an ACM certificate ARN
    # in us-east-1 for the global CloudFront, an IAM server certificate id in China (no ACM for CloudFront there).
    apps_domain: str | None = None
    apps_certificate: str | None = None
    # The WeChat subscription message templates registered in the mini-program's console: JSON kind → template id
    # (docs/integrators.md); without them residents hear by SMS.
    wechat_template_ids: str = "{}"

    @property
    def china(self) -> bool:
        return self.partition == "aws-cn"

    @property
    def name(self) -> str:
        return self.region or "global"


def _template_ids(raw: Any) -> str:
    """The context's template ids as the functions' JSON setting; refused at synth when it is not kind → id."""
    ids = json.loads(raw) if isinstance(raw, str) else (raw or {})
    if not isinstance(ids, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in ids.items()):
        raise ValueError('wechat_template_ids is a JSON object of kind → template id, e.g. {"order_accepted": "…"}')
    return json.dumps(ids, sort_keys=True)


def target_for(context: dict[str, Any] | None = None) -> Target:
    """The target of a synth, from the CDK context (`-c region=…`, `-c api_domain=…`, …)."""
    context = context or {}
    region = context.get("region") or None
    china = region in CHINA_REGIONS
    if region and region.startswith("cn-") and not china:
        raise ValueError(f"unknown China region {region!r}: one of {', '.join(CHINA_REGIONS)}")
    target = Target(
        region=region,
        partition="aws-cn" if china else "aws",
        sms_provider=SmsProvider.ALIYUN if china else SmsProvider.SNS,
        origin_access=OriginAccess.IDENTITY if china else OriginAccess.CONTROL,
        lint_regions=CHINA_REGIONS if china else (region,) if region else GLOBAL_LINT_REGIONS,
        api_domain=context.get("api_domain") or None,
        api_certificate_arn=context.get("api_certificate_arn") or None,
        apps_domain=context.get("apps_domain") or None,
        apps_certificate=context.get("apps_certificate") or None,
        wechat_template_ids=_template_ids(context.get("wechat_template_ids")),
    )
    if bool(target.api_domain) != bool(target.api_certificate_arn):
        raise ValueError("api_domain and api_certificate_arn go together (the API's custom domain needs its certificate)")
    if bool(target.apps_domain) != bool(target.apps_certificate):
        raise ValueError("apps_domain and apps_certificate go together (CloudFront serves a custom domain over HTTPS only)")
    return target
