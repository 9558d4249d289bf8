"""Signing in to the hosted apps (infra/constructs/api.py UserDirectory, infra/constructs/hosting.py): Cognito's
managed login on the pool's domain, the apps' public client (authorization code with PKCE, no secret, callbacks on
the distribution's domain only), short-lived tokens renewed with a refresh token, the token endpoint allowed by the
apps' CSP, and the settings in the deployed config.js. The browser side: tests/e2e/test_signin.py."""

from __future__ import annotations

import json
import re

from tests.infrastructure.test_hosting_stack import _one


def _apps(distribution_id: str) -> dict:
    return {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}, "/app/"]]}


def test_the_managed_login_has_a_domain_named_after_the_stack_and_account(synthesized):
    pool_id, _ = _one(synthesized, "AWS::Cognito::UserPool")
    _, domain = _one(synthesized, "AWS::Cognito::UserPoolDomain")
    assert domain["UserPoolId"] == {"Ref": pool_id}
    assert domain["Domain"] == {"Fn::Join": ["", [f"{synthesized.stack.stack_name.lower()}-", {"Ref": "AWS::AccountId"}]]}
    assert domain["ManagedLoginVersion"] == 2  # the newer managed login (localised: the apps pass `lang`)
    assert "CustomDomainConfig" not in domain


def test_the_apps_client_is_public_with_the_code_grant_only_and_returns_to_the_apps(synthesized):
    pool_id, _ = _one(synthesized, "AWS::Cognito::UserPool")
    distribution_id, _ = _one(synthesized, "AWS::CloudFront::Distribution")
    client_id, client = _one(synthesized, "AWS::Cognito::UserPoolClient")  # one client: the apps'
    assert client["UserPoolId"] == {"Ref": pool_id}
    assert client["GenerateSecret"] is False  # a browser cannot keep a secret: PKCE instead
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]  # no implicit grant (tokens in URLs), no client credentials
    assert client["AllowedOAuthScopes"] == ["openid", "phone", "profile"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["CallbackURLs"] == [_apps(distribution_id)] and client["LogoutURLs"] == [_apps(distribution_id)]
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}  # no passwords in clear
    assert client["PreventUserExistenceErrors"] == "ENABLED" and client["EnableTokenRevocation"] is True
    # Short-lived access and ID tokens, renewed by the apps with a 30-day refresh token
    units = client["TokenValidityUnits"]
    assert (client["AccessTokenValidity"], units["AccessToken"]) == (15, "minutes")
    assert (client["IdTokenValidity"], units["IdToken"]) == (15, "minutes")
    assert (client["RefreshTokenValidity"], units["RefreshToken"]) == (30 * 24 * 60, "minutes")
    [(_, branding)] = synthesized.of_type("AWS::Cognito::ManagedLoginBranding").items()
    assert branding["Properties"] == {
        "ClientId": {"Ref": client_id},
        "UserPoolId": {"Ref": pool_id},
        "UseCognitoProvidedValues": True,
    }


def test_the_api_accepts_the_apps_client_tokens_only(synthesized):
    client_id, _ = _one(synthesized, "AWS::Cognito::UserPoolClient")
    _, authorizer = _one(synthesized, "AWS::ApiGatewayV2::Authorizer")
    assert authorizer["JwtConfiguration"]["Audience"] == [{"Ref": client_id}]


def test_the_apps_csp_lets_them_reach_the_token_endpoint(synthesized):
    domain_id, _ = _one(synthesized, "AWS::Cognito::UserPoolDomain")
    _, headers = _one(synthesized, "AWS::CloudFront::ResponseHeadersPolicy")
    parts = headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    text = json.dumps(parts)
    connect = text[text.index("connect-src") : text.index("object-src")]
    assert f'{{"Ref": "{domain_id}"}}' in connect and ".amazoncognito.com" in connect
    assert "form-action 'self'" in text  # the managed login is reached by navigation, never by a form post


def test_the_deployed_config_carries_the_sign_in_settings(synthesized):
    _, deployment = _one(synthesized, "Custom::CDKBucketDeployment")
    client_id, _ = _one(synthesized, "AWS::Cognito::UserPoolClient")
    domain_id, _ = _one(synthesized, "AWS::Cognito::UserPoolDomain")
    distribution_id, _ = _one(synthesized, "AWS::CloudFront::Distribution")
    config_dir = synthesized.assembly_dir / f"asset.{deployment['SourceObjectKeys'][1].removesuffix('.zip')}"
    text = (config_dir / "config.js").read_text(encoding="utf-8")
    markers = deployment["SourceMarkers"][1]

    def parts(value: str) -> list:  # the deploy-time values (markers) as the CloudFormation expressions they stand for
        return [markers.get(p, p) for p in re.split(r"(<<marker:[^>]+>>)", value) if p]

    sign_in = json.loads(re.search(r"^export const SIGN_IN = (.*);$", text, flags=re.MULTILINE).group(1))
    assert sign_in["scopes"] == ["openid", "phone", "profile"] and "secret" not in text.lower()
    assert parts(sign_in["client_id"]) == [{"Ref": client_id}]
    apps = ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}, "/app/"]
    assert parts(sign_in["redirect_uri"]) == apps and parts(sign_in["logout_uri"]) == apps
    domain = parts(sign_in["domain"])
    assert domain[:2] == ["https://", {"Ref": domain_id}] and domain[-1].endswith(".amazoncognito.com"), domain
