"""The platform signs people in itself (no Cognito: none in China): what that needs in AWS, and who may touch it.

- the token signing keys: KMS, asymmetric (ECC_NIST_P256, SIGN_VERIFY; ES256 tokens), one per generation kept
  (context `token_signing_keys`, default `k1`), the one that signs (context `token_signing_key`, default the first)
  named by an alias; `kms:Sign` and `kms:GetPublicKey` on each to the `Identity` function only (it signs with the
  first of `LINLI_TOKEN_SIGNING_KEY_IDS`, and publishes all in the JWKS). Rotation: docs/deploy-china.md;
- the WeChat mini-program's AppID and AppSecret: a Secrets Manager secret, read by `Identity` (code2Session,
  the phone number) and by the notifications function (subscription messages), never in code or environment;
- SMS: `LINLI_SMS_PROVIDER` for every function that sends SMS, `sns` with `sns:Publish` to phone numbers in the
  global target, `aliyun` in China (SNS sends no SMS there) with the provider's credentials in a secret of its own.

Every value reaches the functions as the environment variables of the identity interface (functions/shared/
settings.py reads them)."""

from __future__ import annotations

import re
from typing import Any

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
# The first generation's key and alias keep the logical ids of the stack's one key before rotation existed, so a
# deployed stack keeps its key (a new logical id would replace it, and an alias name cannot move by replacement).
FIRST_GENERATION = "k1"
FIRST_KEY_ID = "TokenSigningKey"
ALIAS_LOGICAL_ID = "IdentityTokenSigningKeyAliasE90B4802"
_GENERATION = re.compile(r"[A-Za-z0-9]{1,16}")


def _names(raw: Any, what: str) -> list[str]:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",")]
    if isinstance(raw, list | tuple) and all(isinstance(part, str) for part in raw):
        return [part.strip() for part in raw]
    raise ValueError(f"{what} is a comma-separated list of key generations, e.g. k1,k2")


def signing_generations(keys: Any = None, signer: Any = None) -> tuple[list[str], str]:
    """The token signing key generations kept (context `token_signing_keys`, e.g. `k1,k2`; default `k1`) and the
    one that signs (context `token_signing_key`; default the first), the signer first. Refused at synth: an empty
    list, a name repeated, a name not letters and digits, a signer not in the list."""
    generations = [FIRST_GENERATION] if keys is None else _names(keys, "token_signing_keys")
    if not [g for g in generations if g]:
        raise ValueError("token_signing_keys names no key: give at least one generation, e.g. -c token_signing_keys=k1")
    bad = [g for g in generations if not _GENERATION.fullmatch(g)]
    if bad:
        raise ValueError(f"token_signing_keys: {bad!r} are not key generations (1 to 16 letters or digits, e.g. k2)")
    repeated = sorted({g for g in generations if generations.count(g) > 1})
    if repeated:
        raise ValueError(f"token_signing_keys names {', '.join(repeated)} more than once")
    signing = generations[0] if signer is None or signer == "" else signer
    if signing not in generations:
        raise ValueError(
            f"token_signing_key {signing!r} is not one of token_signing_keys ({', '.join(generations)}): "
            "a key signs only once it is kept and published"
        )
    return [signing, *(g for g in generations if g != signing)], signing


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
        generations, signing = signing_generations(
            self.node.try_get_context("token_signing_keys"), self.node.try_get_context("token_signing_key")
        )
        # Generation → key, the signing key first.
        self.signing_keys = {
            generation: kms.Key(
                self,
                FIRST_KEY_ID if generation == FIRST_GENERATION else f"{FIRST_KEY_ID}{generation}",
                description=f"Linli access tokens (ES256), key generation {generation}: the Identity function signs "
                "with the generation chosen at deploy, the JWKS publishes every kept generation's public key",
                key_spec=kms.KeySpec.ECC_NIST_P256,
                key_usage=kms.KeyUsage.SIGN_VERIFY,
                removal_policy=RemovalPolicy.RETAIN,  # tokens in flight and the published JWKS name it
            )
            for generation in generations
        }
        self.signing_key = self.signing_keys[signing]
        alias = kms.Alias(
            self, "TokenSigningKeyAlias", alias_name=f"alias/{stack_name.lower()}-token-signing", target_key=self.signing_key
        )
        alias.node.default_child.override_logical_id(ALIAS_LOGICAL_ID)  # moves from key to key in place
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
            key_ids = ",".join(key.key_arn for key in self.signing_keys.values())  # the signing key first
            functions[name].add_environment("LINLI_TOKEN_SIGNING_KEY_IDS", key_ids)
            for key in self.signing_keys.values():
                key.grant(functions[name], "kms:Sign", "kms:GetPublicKey")
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
