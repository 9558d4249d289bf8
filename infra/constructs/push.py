"""Web push: a WebSocket API whose $connect checks the same platform token as the HTTP API (issuer,
audience and keys from the issuer's JWKS: infra/constructs/identity.py gives `PushConnections` the issuer) and whose
sockets the notifications function writes to (PostToConnection), and nothing else."""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from deploy.catalog import FUNCTIONS, Trigger, by_trigger
from infra.constructs.api import access_logs

STAGE = "live"
# What the access log keeps of each socket event: never the query string (it carries the token).
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "eventType": "$context.eventType",
    "route": "$context.routeKey",
    "connectionId": "$context.connectionId",
    "status": "$context.status",
    "integrationError": "$context.integrationErrorMessage",
}


class PushApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function]) -> None:
        super().__init__(scope, construct_id)
        [spec] = by_trigger(Trigger.WEBSOCKET)
        connections = functions[spec.name]
        integration = integrations.WebSocketLambdaIntegration("Connections", connections)
        self.api = apigw.WebSocketApi(
            self,
            "Api",
            description="Linli 邻里 web push: each new message to the recipient's open apps (docs/integrators.md)",
            connect_route_options=apigw.WebSocketRouteOptions(integration=integration),
            disconnect_route_options=apigw.WebSocketRouteOptions(integration=integration),
        )
        self.access_logs, access_log_settings = access_logs(self, ACCESS_LOG_FIELDS)
        self.stage = apigw.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=STAGE,
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(rate_limit=50, burst_limit=100),
            access_log_settings=access_log_settings,
        )
        for pusher in (f for f in FUNCTIONS if f.pushes):
            self.stage.grant_management_api_access(functions[pusher.name])
            functions[pusher.name].add_environment("LINLI_PUSH_ENDPOINT", self.stage.callback_url)
        NagSuppressions.add_resource_suppressions(
            self.api,
            [
                NagPackSuppression(
                    id="AwsSolutions-APIG4",
                    reason="$connect checks the platform's token in its function (notify.handlers.push; WebSocket APIs "
                    "take no JWT authorizer) and refuses the socket otherwise; $disconnect takes no authorizer.",
                )
            ],
            apply_to_children=True,
        )

    @property
    def url(self) -> str:
        return self.stage.url
