"""Signing in, on the synthesized template (infra/constructs/identity.py, infra/constructs/api.py): the platform
issues its own tokens. No Cognito anywhere; an asymmetric KMS key that only the Identity function may use, to sign
and to publish its public key; the WeChat credentials in Secrets Manager, read by the functions that call WeChat
only; the settings of the identity interface in the functions' environment; and config.js telling the apps to sign
in with the API's own SMS codes."""

from __future__ import annotations

import json
import re

import pytest

from deploy.catalog import FUNCTIONS
from deploy.routes import ROUTES
from infra.constructs.identity import VERIFIERS, signing_generations
from tests.infrastructure.conftest import synthesize
from tests.infrastructure.expected import IDENTITY, WECHAT_CLIENTS
from tests.infrastructure.test_hosting_stack import _one

SPECS = {f.name: f for f in FUNCTIONS}


def _env(synthesized, name: str) -> dict:
    function_id = synthesized.function_ids_by_handler()[SPECS[name].handler]
    return synthesized.resources[function_id]["Properties"]["Environment"]["Variables"]


def _role(synthesized, name: str) -> str:
    function_id = synthesized.function_ids_by_handler()[SPECS[name].handler]
    return synthesized.resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]


def _roles_allowed(synthesized, action: str, resource: dict) -> set[str]:
    roles = set()
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if action in actions:
                assert statement.get("Resource") == resource, statement  # that resource and nothing else
                roles |= {r["Ref"] for r in policy["Properties"]["Roles"]}
    return roles


def test_there_is_no_cognito_in_the_stack(synthesized):
    assert not [r["Type"] for r in synthesized.resources.values() if r["Type"].startswith("AWS::Cognito::")]
    assert "cognito" not in json.dumps(synthesized.resources).lower()


def test_the_token_signing_key_is_asymmetric_p256_with_an_alias_and_kept(synthesized):
    key_id, key = _one(synthesized, "AWS::KMS::Key", "IdentityTokenSigningKey")
    assert key["KeySpec"] == "ECC_NIST_P256" and key["KeyUsage"] == "SIGN_VERIFY"
    assert "EnableKeyRotation" not in key or key["EnableKeyRotation"] is False  # KMS rotates no asymmetric key
    assert synthesized.resources[key_id]["DeletionPolicy"] == "Retain"
    _, alias = _one(synthesized, "AWS::KMS::Alias")
    assert alias["TargetKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert alias["AliasName"] == f"alias/{synthesized.stack.stack_name.lower()}-token-signing"


def test_only_the_identity_function_may_sign_and_read_the_public_key(synthesized):
    key_id, _ = _one(synthesized, "AWS::KMS::Key", "IdentityTokenSigningKey")
    key_arn = {"Fn::GetAtt": [key_id, "Arn"]}
    assert _roles_allowed(synthesized, "kms:Sign", key_arn) == {_role(synthesized, IDENTITY)}
    assert _roles_allowed(synthesized, "kms:GetPublicKey", key_arn) == {_role(synthesized, IDENTITY)}
    assert _env(synthesized, IDENTITY)["LINLI_TOKEN_SIGNING_KEY_IDS"] == key_arn
    others = [name for name in SPECS if name != IDENTITY]
    assert not [name for name in others if "LINLI_TOKEN_SIGNING_KEY_IDS" in _env(synthesized, name)]


# The stack's one key and its alias before rotation existed: a deployed stack keeps both.
FIRST_KEY = "IdentityTokenSigningKeyE1915877"
ALIAS = "IdentityTokenSigningKeyAliasE90B4802"


def _signing_keys(synthesized) -> dict[str, dict]:
    keys = synthesized.of_type("AWS::KMS::Key").items()
    return {lid: key for lid, key in keys if key["Properties"].get("KeyUsage") == "SIGN_VERIFY"}


def _signing_statements(synthesized) -> dict[str, set[str]]:
    """Role → the key logical ids it may kms:Sign and kms:GetPublicKey with (both, in the same statements)."""
    allowed: dict[str, set[str]] = {}
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if "kms:Sign" in actions or "kms:GetPublicKey" in actions:
                assert {"kms:Sign", "kms:GetPublicKey"} <= set(actions), statement
                resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                for role in policy["Properties"]["Roles"]:
                    allowed.setdefault(role["Ref"], set()).update(r["Fn::GetAtt"][0] for r in resources)
    return allowed


def test_without_context_the_one_key_and_its_alias_keep_their_logical_ids(synthesized):
    assert set(_signing_keys(synthesized)) == {FIRST_KEY}
    assert set(synthesized.of_type("AWS::KMS::Alias")) == {ALIAS}
    assert _signing_statements(synthesized) == {_role(synthesized, IDENTITY): {FIRST_KEY}}


def test_a_rotation_keeps_two_keys_signs_with_the_chosen_one_and_publishes_both():
    rotated = synthesize({"token_signing_keys": "k1,k2", "token_signing_key": "k2"})
    keys = _signing_keys(rotated)
    assert len(keys) == 2 and FIRST_KEY in keys
    [second] = set(keys) - {FIRST_KEY}
    assert second.startswith("IdentityTokenSigningKeyk2")
    for lid, key in keys.items():
        assert key["Properties"]["KeySpec"] == "ECC_NIST_P256" and key["Properties"]["KeyUsage"] == "SIGN_VERIFY"
        assert key["DeletionPolicy"] == "Retain", lid
    # The signing key first: the signer signs with it, the JWKS publishes both.
    assert _env(rotated, IDENTITY)["LINLI_TOKEN_SIGNING_KEY_IDS"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": [second, "Arn"]}, ",", {"Fn::GetAtt": [FIRST_KEY, "Arn"]}]]
    }
    # The alias names the signing key, moved in place (same logical id).
    assert set(rotated.of_type("AWS::KMS::Alias")) == {ALIAS}
    assert rotated.resources[ALIAS]["Properties"]["TargetKeyId"] == {"Fn::GetAtt": [second, "Arn"]}
    assert rotated.template.to_json()["Outputs"]["TokenSigningKeyArn"]["Value"] == {"Fn::GetAtt": [second, "Arn"]}
    # Every kept key to the signer and nobody else.
    assert _signing_statements(rotated) == {_role(rotated, IDENTITY): {FIRST_KEY, second}}


def test_the_signing_generations_default_to_k1_and_put_the_signer_first():
    assert signing_generations() == (["k1"], "k1")
    assert signing_generations("k1,k2") == (["k1", "k2"], "k1")
    assert signing_generations("k1, k2", "k2") == (["k2", "k1"], "k2")
    assert signing_generations(["k2", "k3"], "") == (["k2", "k3"], "k2")


@pytest.mark.parametrize(
    ("keys", "signer", "message"),
    [
        ("k1,k2", "k3", "token_signing_key 'k3' is not one of token_signing_keys"),
        ("", None, "names no key"),
        (" , ", None, "names no key"),
        ("k1,k2,k1", "k2", "names k1 more than once"),
        ("k1,,k2", None, "are not key generations"),
        ("k1,key-2", None, "are not key generations"),
        (7, None, "comma-separated list"),
    ],
    ids=["unknown_signer", "empty", "blank", "duplicate", "empty_name", "bad_name", "not_a_list"],
)
def test_bad_signing_key_contexts_are_refused(keys, signer, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        signing_generations(keys, signer)


def test_a_bad_signing_key_context_fails_the_synth():
    with pytest.raises(ValueError, match="token_signing_key 'k3' is not one of token_signing_keys"):
        synthesize({"token_signing_keys": "k1,k2", "token_signing_key": "k3"})


def test_the_issuer_and_audience_reach_the_functions_that_issue_or_check_tokens(synthesized):
    [authorizer] = synthesized.of_type("AWS::ApiGatewayV2::Authorizer").values()
    jwt = authorizer["Properties"]["JwtConfiguration"]
    for name in (IDENTITY, *VERIFIERS):
        env = _env(synthesized, name)
        assert env["LINLI_TOKEN_ISSUER"] == jwt["Issuer"] and [env["LINLI_TOKEN_AUDIENCE"]] == jwt["Audience"], name
    outputs = synthesized.template.to_json()["Outputs"]
    assert outputs["TokenIssuer"]["Value"] == jwt["Issuer"]


def test_the_wechat_credentials_are_a_secret_read_by_the_functions_that_call_wechat_only(synthesized):
    [(secret_id, secret)] = synthesized.of_type("AWS::SecretsManager::Secret").items()  # global: no SMS secret
    assert secret["DeletionPolicy"] == "Retain"
    assert "app_secret" in secret["Properties"]["Description"]
    readers = _roles_allowed(synthesized, "secretsmanager:GetSecretValue", {"Ref": secret_id})
    assert readers == {_role(synthesized, name) for name in WECHAT_CLIENTS}
    for name in SPECS:
        assert (_env(synthesized, name).get("LINLI_WECHAT_SECRET_ARN") == {"Ref": secret_id}) == (name in WECHAT_CLIENTS)


def test_every_function_that_sends_sms_is_told_the_provider_sns_in_the_global_target(synthesized):
    for name, spec in SPECS.items():
        env = _env(synthesized, name)
        assert env.get("LINLI_SMS_PROVIDER") == ("sns" if spec.sends_sms else None), name
        assert "LINLI_SMS_SECRET_ARN" not in env
    assert SPECS[IDENTITY].sends_sms, "the one-time codes"


def test_the_sign_in_routes_go_to_the_identity_function_public_but_for_the_two_bearer_ones():
    identity = {f"{r.method} {r.path}": r for r in ROUTES if r.function == SPECS[IDENTITY].api_domain}
    assert {key for key, r in identity.items() if r.needs_jwt} == {"POST /auth/wechat/phone", "POST /auth/logout"}
    assert set(identity) == {
        "POST /auth/wechat",
        "POST /auth/wechat/phone",
        "POST /auth/sms/code",
        "POST /auth/sms/verify",
        "POST /auth/refresh",
        "POST /auth/logout",
        "GET /.well-known/jwks.json",
        "GET /.well-known/openid-configuration",
    }


def test_the_deployed_config_tells_the_apps_to_sign_in_with_sms_codes(synthesized):
    _, deployment = _one(synthesized, "Custom::CDKBucketDeployment")
    config_dir = synthesized.assembly_dir / f"asset.{deployment['SourceObjectKeys'][1].removesuffix('.zip')}"
    text = (config_dir / "config.js").read_text(encoding="utf-8")
    sign_in = json.loads(re.search(r"^export const SIGN_IN = (.*);$", text, flags=re.MULTILINE).group(1))
    assert sign_in == {"methods": ["sms"]}
    assert "secret" not in text.lower()


def test_the_subscription_template_ids_reach_the_functions_that_send_or_record_them_and_bad_ids_fail_the_synth():
    from infra.target import target_for

    ids = {"order_accepted": "tmpl-A", "repair_done": "tmpl-B"}
    target = target_for({"wechat_template_ids": json.dumps(ids)})
    assert json.loads(target.wechat_template_ids) == ids
    assert target_for({}).wechat_template_ids == "{}", "none registered: residents hear by SMS"
    with pytest.raises(ValueError, match="kind → template id"):
        target_for({"wechat_template_ids": '["tmpl-A"]'})


def test_the_template_ids_are_set_on_the_wechat_senders_and_the_consent_route_only(synthesized):
    readers = {name for name in SPECS if "LINLI_WECHAT_TEMPLATE_IDS" in _env(synthesized, name)}
    assert readers == {*WECHAT_CLIENTS, "NotifyApi"}
