"""Web push (issue 7): a WebSocket API whose $connect checks the same JWT as the HTTP API and whose sockets the
notifications function writes to (PostToConnection), and nothing else."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra.constructs.api import UserDirectory, access_logs
from shared.catalog import FUNCTIONS, Trigger, by_trigger

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
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function], users: UserDirectory
    ) -> None:
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
        # $connect verifies the JWT itself (WebSocket APIs take no JWT authorizer): the user pool's issuer (the
        # authorizer's) and the apps' client.
        issuer = f"https://cognito-idp.{Stack.of(self).region}.amazonaws.com/{users.user_pool.user_pool_id}"
        connections.add_environment("LINLI_JWT_ISSUER", issuer)
        connections.add_environment("LINLI_JWT_AUDIENCE", users.client.user_pool_client_id)
        for pusher in (f for f in FUNCTIONS if f.pushes):
            self.stage.grant_management_api_access(functions[pusher.name])
            functions[pusher.name].add_environment("LINLI_PUSH_ENDPOINT", self.stage.callback_url)
        NagSuppressions.add_resource_suppressions(
            self.api,
            [
                NagPackSuppression(
                    id="AwsSolutions-APIG4",
                    reason="$connect checks the app's Cognito JWT in its function (notify.handlers.push; WebSocket APIs "
                    "take no JWT authorizer) and refuses the socket otherwise; $disconnect takes no authorizer.",
                )
            ],
            apply_to_children=True,
        )

    @property
    def url(self) -> str:
        return self.stage.url
