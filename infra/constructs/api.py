"""The HTTP API, built from the route table, behind a JWT authorizer whose issuer is the platform itself: the
`Identity` function signs the tokens (KMS) and publishes the discovery document and the JWKS on public routes of
this very API, where API Gateway fetches them (`<issuer>/.well-known/openid-configuration`). The same in both
targets: AWS China's API Gateway lacks Cognito authorizers, not JWT authorizers (docs/deploy-china.md)."""

from __future__ import annotations

import jsii
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk.aws_apigateway import AccessLogFormat
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from deploy.catalog import Trigger, by_trigger
from deploy.routes import ROUTES
from infra.constructs.firewall import route_throttles
from infra.target import TOKEN_AUDIENCE, Target

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


class HttpApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        functions: dict[str, lambda_.Function],
        app_origins: list[str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigw.HttpApi(
            self,
            "Api",
            description="Linli 邻里 API (routes: deploy/routes.py)",
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
        )
        # The issuer is the API's own address: its custom domain when the operator gives one (China: the ICP-filed
        # API domain), else its execute-api endpoint (the $default stage answers at the root).
        self.domain = None
        if target.api_domain:
            self.domain = apigw.DomainName(
                self,
                "Domain",
                domain_name=target.api_domain,
                certificate=acm.Certificate.from_certificate_arn(self, "Certificate", target.api_certificate_arn),
            )
            self.issuer = f"https://{target.api_domain}"
        else:
            self.issuer = self.api.api_endpoint
        self.audience = TOKEN_AUDIENCE
        self.authorizer = authorizers.HttpJwtAuthorizer(
            "Jwt", self.issuer, jwt_audience=[self.audience], authorizer_name="platform-tokens"
        )
        self.access_logs, access_log_settings = access_logs(self, ACCESS_LOG_FIELDS)
        self.stage = apigw.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=200, burst_limit=400),
            access_log_settings=access_log_settings,
            domain_mapping=apigw.DomainMappingOptions(domain_name=self.domain) if self.domain else None,
        )
        # Route-level throttles (infra/constructs/firewall.py); the stage waits for the routes it names.
        self.stage.node.default_child.add_property_override("RouteSettings", route_throttles(ROUTES))
        by_domain = {
            spec.api_domain: integrations.HttpLambdaIntegration(f"{spec.name}Integration", functions[spec.name])
            for spec in by_trigger(Trigger.API)
        }
        for route in ROUTES:
            added = self.api.add_routes(
                path=route.path,
                methods=[apigw.HttpMethod(route.method)],
                integration=by_domain[route.function],
                authorizer=self.authorizer if route.needs_jwt else apigw.HttpNoneAuthorizer(),
            )
            self.stage.node.add_dependency(*added)
            if not route.needs_jwt:
                reason = (
                    "A company's signed call: the function verifies the HMAC signature over method, path and body "
                    "(shared.partner), which no API Gateway authorizer can see."
                    if route.signed
                    else "A public route by design (deploy.routes): signing in, the token keys and discovery, the "
                    "API description; each needs no token or is the way to get one."
                )
                for http_route in added:
                    NagSuppressions.add_resource_suppressions(
                        http_route, [NagPackSuppression(id="AwsSolutions-APIG4", reason=reason)], apply_to_children=True
                    )

    @property
    def url(self) -> str:
        """The API's base URL (the issuer's address too)."""
        return self.issuer


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
