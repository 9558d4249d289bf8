"""The AWS China target (`make synth REGION=cn-north-1`, and `cn-northwest-1`), each region synthesized once: the
`aws-cn` partition, nothing cfn-lint rejects in either China region (no Cognito, no origin access control, no
CloudFront Function, no CachePolicyId), no `arn:aws:` written down, SMS through Alibaba Cloud with its credentials
in Secrets Manager instead of SNS, and the apps behind an origin access identity with the same security headers."""

from __future__ import annotations

import json

import pytest

from deploy.catalog import FUNCTIONS
from infra.constructs.hosting import folder_pages
from infra.target import CHINA_REGIONS, OriginAccess, SmsProvider, target_for
from tests.infrastructure.expected import IDENTITY, WECHAT_CLIENTS
from tests.infrastructure.test_hosting_stack import _one

# Resource types that exist in neither China region (cfn-lint E3006): none may be used.
MISSING_IN_CHINA = {
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::ManagedLoginBranding",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::Function",
}
SMS_SENDERS = {f.name for f in FUNCTIONS if f.sends_sms}


def _actions(statement: dict) -> set[str]:
    return {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])


def _function_env_and_actions(synthesized, name: str) -> tuple[dict, set[str]]:
    [spec] = [f for f in FUNCTIONS if f.name == name]
    function_id = synthesized.function_ids_by_handler()[spec.handler]
    props = synthesized.resources[function_id]["Properties"]
    statements = synthesized.policy_statements_of_role(props["Role"]["Fn::GetAtt"][0])
    return props["Environment"]["Variables"], set().union(*(_actions(s) for s in statements))


def test_the_region_selects_the_partition_and_its_settings():
    for region in CHINA_REGIONS:
        target = target_for({"region": region})
        assert (target.partition, target.sms_provider, target.origin_access) == (
            "aws-cn",
            SmsProvider.ALIYUN,
            OriginAccess.IDENTITY,
        )
        assert target.lint_regions == CHINA_REGIONS
    default = target_for({})
    assert (default.region, default.partition, default.sms_provider) == (None, "aws", SmsProvider.SNS)
    with pytest.raises(ValueError, match="cn-south-9"):
        target_for({"region": "cn-south-9"})
    with pytest.raises(ValueError, match="api_certificate_arn"):
        target_for({"region": "cn-north-1", "api_domain": "api.example.cn"})


def test_the_stack_is_in_the_china_partition(synthesized_china):
    from aws_cdk.region_info import RegionInfo

    stack = synthesized_china.stack
    assert stack.target.china and stack.region in CHINA_REGIONS
    assert stack.target.partition == RegionInfo.get(stack.region).partition == "aws-cn"
    assert RegionInfo.get(stack.region).domain_suffix == "amazonaws.com.cn"
    # The template names the partition and the domain as CloudFormation's own parameters, which are aws-cn and
    # amazonaws.com.cn in a China region: every ARN the stack builds starts with arn:<AWS::Partition>.
    compact = json.dumps(json.loads(synthesized_china.template_file.read_text(encoding="utf-8")), separators=(",", ":"))
    assert '["arn:",{"Ref":"AWS::Partition"}' in compact and '{"Ref":"AWS::URLSuffix"}' in compact


def test_cfn_lint_finds_nothing_for_either_china_region(synthesized_china):
    assert not {r["Type"] for r in synthesized_china.resources.values()} & MISSING_IN_CHINA
    result = synthesized_china.cfn_lint()
    assert "cn-north-1" in synthesized_china.stack.target.lint_regions
    assert "cn-northwest-1" in synthesized_china.stack.target.lint_regions
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_arn_or_service_principal_is_written_for_the_global_partition(synthesized_china):
    text = synthesized_china.template_file.read_text(encoding="utf-8")
    assert "arn:aws:" not in text, "ARNs take their partition from AWS::Partition"
    # Service principals of the services used here are the same in both partitions, and only ever `<service>.amazonaws.com`.
    principals = {
        p
        for resource in synthesized_china.resources.values()
        for statement in (
            (resource["Properties"].get("AssumeRolePolicyDocument") or resource["Properties"].get("PolicyDocument") or {}).get(
                "Statement", []
            )
        )
        for p in _service_principals(statement)
    }
    assert principals and all(p.endswith(".amazonaws.com") for p in principals), principals


def _service_principals(statement: dict) -> list[str]:
    service = statement.get("Principal", {}).get("Service", []) if isinstance(statement.get("Principal"), dict) else []
    return [service] if isinstance(service, str) else list(service)


def test_cdk_nag_finds_nothing_unexplained_in_china(synthesized_china):
    from aws_cdk.assertions import Annotations, Match

    annotations = Annotations.from_stack(synthesized_china.stack)
    findings = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*")) + annotations.find_warning(
        "*", Match.string_like_regexp("AwsSolutions-.*")
    )
    assert not findings, "\n".join(f"{f.id}: {str(f.entry.data)[:160]}" for f in findings)
    # Without the apps' ICP-filed domain the synth says what is missing (CloudFront China serves no *.cloudfront.cn).
    warnings = annotations.find_warning("*", Match.string_like_regexp(".*apps_domain.*"))
    assert len(warnings) == 1


def test_sms_goes_through_alibaba_cloud_with_its_credentials_in_secrets_manager(synthesized_china):
    secrets = synthesized_china.of_type("AWS::SecretsManager::Secret")
    [(sms_id, sms)] = [(lid, s) for lid, s in secrets.items() if "access_key_secret" in s["Properties"]["Description"]]
    assert sms["DeletionPolicy"] == "Retain"
    for spec in FUNCTIONS:
        env, actions = _function_env_and_actions(synthesized_china, spec.name)
        assert "sns:Publish" not in actions, "SNS sends no SMS in China"
        sends = spec.name in SMS_SENDERS
        assert env.get("LINLI_SMS_PROVIDER") == ("aliyun" if sends else None), spec.name
        assert (env.get("LINLI_SMS_SECRET_ARN") == {"Ref": sms_id}) == sends, spec.name
        reads = "secretsmanager:GetSecretValue" in actions
        assert reads == (sends or spec.name in WECHAT_CLIENTS), spec.name
    readers = set()
    for policy in synthesized_china.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Resource") == {"Ref": sms_id}:
                assert _actions(statement) == {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
                readers |= {r["Ref"] for r in policy["Properties"]["Roles"]}
    assert len(readers) == len(SMS_SENDERS)


def test_the_identity_resources_are_the_same_as_in_the_global_target(synthesized_china):
    _, key = _one(synthesized_china, "AWS::KMS::Key", "IdentityTokenSigningKey")
    assert (key["KeySpec"], key["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    env, actions = _function_env_and_actions(synthesized_china, IDENTITY)
    assert {"kms:Sign", "kms:GetPublicKey"} <= actions
    [authorizer] = synthesized_china.of_type("AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["Properties"]["AuthorizerType"] == "JWT"  # China's API Gateway lacks only Cognito authorizers
    assert env["LINLI_TOKEN_ISSUER"] == authorizer["Properties"]["JwtConfiguration"]["Issuer"]


def test_the_apps_are_served_through_an_origin_access_identity_with_the_same_headers(synthesized_china, synthesized):
    oai_id, _ = _one(synthesized_china, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
    bucket_id, _ = _one(synthesized_china, "AWS::S3::Bucket", "AppsBucket")
    _, props = _one(synthesized_china, "AWS::CloudFront::Distribution")
    config = props["DistributionConfig"]
    for origin in config["Origins"]:
        assert json.dumps({"Ref": oai_id}) in json.dumps(origin["S3OriginConfig"]["OriginAccessIdentity"])
        assert "OriginAccessControlId" not in origin
    [policy] = [
        p for p in synthesized_china.of_type("AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    [read] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert read["Principal"] == {"CanonicalUser": {"Fn::GetAtt": [oai_id, "S3CanonicalUserId"]}}
    assert read["Action"] == "s3:GetObject"
    # CloudFront in China takes no CachePolicyId: the legacy settings, cache key without query string or cookies
    for behaviour in (config["DefaultCacheBehavior"], *config["CacheBehaviors"]):
        assert "CachePolicyId" not in behaviour
        assert behaviour["ForwardedValues"] == {"QueryString": False, "Cookies": {"Forward": "none"}}
    assert {b["PathPattern"] for b in config["CacheBehaviors"]} == set(folder_pages())
    # the same security headers and CSP as the global target (the region and URL suffix are references in both)
    _, china_headers = _one(synthesized_china, "AWS::CloudFront::ResponseHeadersPolicy")
    _, global_headers = _one(synthesized, "AWS::CloudFront::ResponseHeadersPolicy")

    def security(headers: dict) -> str:
        return json.dumps(headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"], sort_keys=True)

    assert security(china_headers) == security(global_headers)


def test_an_operators_domains_make_the_issuer_and_the_apps_address():
    from tests.infrastructure.conftest import synthesize

    synthesized = synthesize(
        {
            "region": "cn-north-1",
            "api_domain": "api.example.cn",
            "api_certificate_arn": "arn:aws-cn:acm:cn-north-1:123456789012:certificate/0",
            "apps_domain": "apps.example.cn",
            "apps_certificate": "ASCAEXAMPLEIAMCERT",
        }
    )
    [authorizer] = synthesized.of_type("AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["Properties"]["JwtConfiguration"]["Issuer"] == "https://api.example.cn"
    _, domain = _one(synthesized, "AWS::ApiGatewayV2::DomainName")
    assert domain["DomainName"] == "api.example.cn"
    _, mapping = _one(synthesized, "AWS::ApiGatewayV2::ApiMapping")
    assert mapping["Stage"] == "$default"
    _, props = _one(synthesized, "AWS::CloudFront::Distribution")
    config = props["DistributionConfig"]
    assert config["Aliases"] == ["apps.example.cn"]
    assert config["ViewerCertificate"] == {
        "IamCertificateId": "ASCAEXAMPLEIAMCERT",
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    _, api = _one(synthesized, "AWS::ApiGatewayV2::Api", "Http")
    assert api["CorsConfiguration"]["AllowOrigins"] == ["https://apps.example.cn"]
    _, headers = _one(synthesized, "AWS::CloudFront::ResponseHeadersPolicy")
    assert "https://api.example.cn" in json.dumps(headers)  # the apps may call the API's own domain
    result = synthesized.cfn_lint()
    assert result.returncode == 0, result.stdout + result.stderr
