"""The platform signs people in itself (no Cognito: none in China): what that needs in AWS, and who may touch it.

- the token signing key: KMS, asymmetric (ECC_NIST_P256, SIGN_VERIFY; ES256 tokens), with an alias;
  `kms:Sign` and `kms:GetPublicKey` to the `Identity` function only (it signs, and publishes the JWKS);
- the WeChat mini-program's AppID and AppSecret: a Secrets Manager secret, read by `Identity` (code2Session,
  the phone number) and by the notifications function (subscription messages), never in code or environment;
- SMS: `LINLI_SMS_PROVIDER` for every function that sends SMS, `sns` with `sns:Publish` to phone numbers in the
  global target, `aliyun` in China (SNS sends no SMS there) with the provider's credentials in a secret of its own.

Every value reaches the functions as the environment variables of the identity interface (functions/shared/
settings.py reads them)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from deploy.catalog import FUNCTIONS
from infra.target import SmsProvider, Target

VERIFIERS = ("PushConnections",)  # check a token themselves (WebSocket $connect takes no JWT authorizer)
TEMPLATE_READERS = ("NotifyApi",)  # POST /me/wechat/subscriptions checks the ids it is given


class PlatformIdentity(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        functions: dict[str, lambda_.Function],
        issuer: str,
        audience: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack_name = Stack.of(self).stack_name
        self.signing_key = kms.Key(
            self,
            "TokenSigningKey",
            description="Linli access tokens (ES256): the Identity function signs, the JWKS publishes its public key",
            key_spec=kms.KeySpec.ECC_NIST_P256,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            alias=f"alias/{stack_name.lower()}-token-signing",
            removal_policy=RemovalPolicy.RETAIN,  # tokens in flight and the published JWKS name it
        )
        self.wechat = secretsmanager.Secret(
            self,
            "WeChat",
            description='WeChat mini-program credentials, JSON {"app_id": ..., "app_secret": ...}; put by the operator '
            "(docs/deploy-china.md)",
            removal_policy=RemovalPolicy.RETAIN,
        )
        secrets = [self.wechat]
        self.sms = None
        if target.sms_provider == SmsProvider.ALIYUN:
            self.sms = secretsmanager.Secret(
                self,
                "SmsProvider",
                description='Alibaba Cloud SMS credentials, JSON {"access_key_id": ..., "access_key_secret": ..., '
                '"sign_name": ...}; put by the operator (docs/deploy-china.md)',
                removal_policy=RemovalPolicy.RETAIN,
            )
            secrets.append(self.sms)

        # The catalogue says who signs tokens (the signing key is theirs alone) and who calls WeChat's server API.
        signers = [spec.name for spec in FUNCTIONS if spec.signs_tokens]
        for name in (*signers, *VERIFIERS):
            functions[name].add_environment("LINLI_TOKEN_ISSUER", issuer)
            functions[name].add_environment("LINLI_TOKEN_AUDIENCE", audience)
        for name in signers:
            functions[name].add_environment("LINLI_TOKEN_SIGNING_KEY_IDS", self.signing_key.key_arn)
            self.signing_key.grant(functions[name], "kms:Sign", "kms:GetPublicKey")
        # Who sends subscription messages or records residents' consents to them needs the template ids.
        for name in (*(spec.name for spec in FUNCTIONS if spec.uses_wechat), *TEMPLATE_READERS):
            functions[name].add_environment("LINLI_WECHAT_TEMPLATE_IDS", target.wechat_template_ids)
        for name in (spec.name for spec in FUNCTIONS if spec.uses_wechat):
            functions[name].add_environment("LINLI_WECHAT_SECRET_ARN", self.wechat.secret_arn)
            self.wechat.grant_read(functions[name])
        for spec in (f for f in FUNCTIONS if f.sends_sms):
            fn = functions[spec.name]
            fn.add_environment("LINLI_SMS_PROVIDER", target.sms_provider.value)
            if self.sms is not None:
                fn.add_environment("LINLI_SMS_SECRET_ARN", self.sms.secret_arn)
                self.sms.grant_read(fn)
            else:
                # Direct SMS publishes have no resource ARN; excluding every topic leaves only phone numbers.
                fn.add_to_role_policy(iam.PolicyStatement(actions=["sns:Publish"], not_resources=["arn:*:sns:*:*:*"]))
        for secret in secrets:
            NagSuppressions.add_resource_suppressions(
                secret,
                [
                    NagPackSuppression(
                        id="AwsSolutions-SMG4",
                        reason="Issued by a third party (WeChat's AppSecret, Alibaba Cloud's AccessKey): rotated in "
                        "that party's console, then put here by the operator; no rotation function can do it.",
                    )
                ],
            )
