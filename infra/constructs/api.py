"""The HTTP API, built from the route table, behind a Cognito JWT authorizer with the four roles as groups."""

from __future__ import annotations

import jsii
from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk.aws_apigateway import AccessLogFormat
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra.apps_config import SignIn
from infra.constructs.firewall import route_throttles
from shared.catalog import Trigger, by_trigger
from shared.lifecycle import Role
from shared.routes import ROUTES

APPS_PATH = "app/"  # the sign-in screen, where Cognito sends people back (infra/constructs/hosting.py)

# What the access log keeps of each request: enough to trace a call, nothing from its body.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "method": "$context.httpMethod",
    "route": "$context.routeKey",
    "status": "$context.status",
    "latencyMs": "$context.responseLatency",
    "user": "$context.authorizer.claims.sub",
    "integrationError": "$context.integrationErrorMessage",
}


class UserDirectory(Construct):
    """Who may sign in: staff create accounts (no self sign-up); each account is in exactly one role group.

    People sign in on Cognito's managed login (the pool's domain) and come back to the apps with an authorization
    code: `add_app_client` registers the apps once their address (the CloudFront distribution) is known."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, phone=True),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=True),
            password_policy=cognito.PasswordPolicy(
                min_length=10, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            account_recovery=cognito.AccountRecovery.PHONE_AND_EMAIL,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # The managed login's address: https://<stack>-<account>.auth.<region>.amazoncognito.com (a prefix is unique
        # per region, so the account keeps two deployments of the stack apart). It depends on the pool only, so the
        # distribution's CSP may name it (connect-src for the token endpoint) without a cycle.
        self.domain = self.user_pool.add_domain(
            "SignIn",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=f"{Stack.of(self).stack_name.lower()}-{Aws.ACCOUNT_ID}"),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )
        self.client: cognito.UserPoolClient | None = None
        for role in Role:
            cognito.UserPoolGroup(self, f"{role.value.capitalize()}Group", user_pool=self.user_pool, group_name=role.value)

    @property
    def sign_in_domain(self) -> str:
        return self.domain.base_url()

    def add_app_client(self, apps_origin: str) -> cognito.UserPoolClient:
        """The apps' client: authorization code with PKCE only (a public client: no secret, which a browser could not
        keep), back to the sign-in screen on the apps' own origin. Short-lived access and ID tokens that the apps renew
        with the refresh token, so an elderly resident stays signed in for weeks without typing a password again."""
        apps = f"{apps_origin}/{APPS_PATH}"
        self.client = self.user_pool.add_client(
            "Apps",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True, implicit_code_grant=False, client_credentials=False),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.PHONE, cognito.OAuthScope.PROFILE],
                callback_urls=[apps],
                logout_urls=[apps],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            access_token_validity=Duration.minutes(15),
            id_token_validity=Duration.minutes(15),
            refresh_token_validity=Duration.days(30),
            enable_token_revocation=True,
            prevent_user_existence_errors=True,
        )
        # The newer managed login needs a style for the client; Cognito's own (the apps' language goes in `lang`).
        cognito.CfnManagedLoginBranding(
            self,
            "SignInStyle",
            user_pool_id=self.user_pool.user_pool_id,
            client_id=self.client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        return self.client

    def app_sign_in(self, apps_origin: str) -> SignIn:
        """What the apps' config.js says about signing in (infra/apps_config.py)."""
        assert self.client is not None, "add_app_client first"
        apps = f"{apps_origin}/{APPS_PATH}"
        return SignIn(domain=self.sign_in_domain, client_id=self.client.user_pool_client_id, redirect_uri=apps, logout_uri=apps)


class HttpApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[str, lambda_.Function],
        users: UserDirectory,
        app_origins: list[str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigw.HttpApi(
            self,
            "Api",
            description="Linli 邻里 API (routes: functions/shared/routes.py)",
            create_default_stage=False,
            # The client apps call the API from their own origin (CloudFront, infra/constructs/hosting.py): the
            # preflight is answered for that origin only; the token travels in a header, never in a cookie.
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=app_origins,
                allow_methods=[
                    apigw.CorsHttpMethod.GET,
                    apigw.CorsHttpMethod.POST,
                    apigw.CorsHttpMethod.PUT,
                    apigw.CorsHttpMethod.DELETE,
                ],
                allow_headers=["authorization", "content-type", "idempotency-key"],
                expose_headers=["idempotent-replayed"],
                max_age=Duration.hours(1),
            )
            if app_origins
            else None,
            default_authorizer=authorizers.HttpUserPoolAuthorizer("Jwt", users.user_pool, user_pool_clients=[users.client]),
        )
        self.access_logs, access_log_settings = access_logs(self, ACCESS_LOG_FIELDS)
        self.stage = apigw.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=200, burst_limit=400),
            access_log_settings=access_log_settings,
        )
        # Route-level throttles (infra/constructs/firewall.py); the stage waits for the routes it names.
        self.stage.node.default_child.add_property_override("RouteSettings", route_throttles(ROUTES))
        by_domain = {
            spec.api_domain: integrations.HttpLambdaIntegration(f"{spec.name}Integration", functions[spec.name])
            for spec in by_trigger(Trigger.API)
        }
        for route in ROUTES:
            # No authorizer given means the API's default: the JWT authorizer.
            added = self.api.add_routes(
                path=route.path,
                methods=[apigw.HttpMethod(route.method)],
                integration=by_domain[route.function],
                authorizer=None if route.needs_jwt else apigw.HttpNoneAuthorizer(),
            )
            self.stage.node.add_dependency(*added)
            if not route.needs_jwt:
                reason = (
                    "A company's signed call: the function verifies the HMAC signature over method, path and body "
                    "(shared.partner), which no API Gateway authorizer can see."
                    if route.signed
                    else "A public route by design (shared.routes)."
                )
                for http_route in added:
                    NagSuppressions.add_resource_suppressions(
                        http_route, [NagPackSuppression(id="AwsSolutions-APIG4", reason=reason)], apply_to_children=True
                    )

    @property
    def url(self) -> str:
        return self.stage.url


def access_logs(scope: Construct, fields: dict[str, str]) -> tuple[logs.LogGroup, apigw.IAccessLogSettings]:
    """A stage's access log group (kept a year) and its settings: one JSON line of `fields` per request."""
    group = logs.LogGroup(scope, "AccessLogs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN)
    return group, _AccessLogs(apigw.LogGroupLogDestination(group), AccessLogFormat.custom(_json(fields)))


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogs:
    # jsii reads an interface's members as properties (and attaches its reference to the object).
    def __init__(self, destination: apigw.IAccessLogDestination, log_format: AccessLogFormat) -> None:
        self._destination, self._format = destination, log_format

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> AccessLogFormat:
        return self._format


def _json(fields: dict[str, str]) -> str:
    # API Gateway substitutes $context variables into this text; numbers stay unquoted.
    numeric = {"status", "latencyMs"}
    parts = [f'"{k}":{v}' if k in numeric else f'"{k}":"{v}"' for k, v in fields.items()]
    return "{" + ",".join(parts) + "}"
