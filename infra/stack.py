"""The Linli stack: wires the constructs together; each concern lives in `infra/constructs/`."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.constructs.api import HttpApi, UserDirectory
from infra.constructs.data import DataTable
from infra.constructs.documents import DocumentStore
from infra.constructs.firewall import Firewall
from infra.constructs.functions import PlatformFunctions
from infra.constructs.hosting import AppHosting
from infra.constructs.messaging import Messaging
from infra.constructs.monitoring import Monitoring
from infra.constructs.notifications import StreamNotifications
from infra.constructs.push import PushApi
from infra.constructs.schedules import Schedules
from infra.constructs.workflow import OrderWorkflow
from infra.nag import suppress_accepted_findings, suppress_access_log_bucket_logging
from shared.catalog import NOTIFY_STREAM_FILTER, Trigger, by_trigger


class LinliStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        data = DataTable(self, "Data")
        functions = PlatformFunctions(self, "Functions", table=data.table)
        workflow = OrderWorkflow(self, "Workflow", table=data.table, functions=functions.functions)
        self.users = users = UserDirectory(self, "Users")
        self.documents = documents = DocumentStore(self, "Documents", functions=functions.functions)
        # The client apps: CloudFront in front of a private bucket; the API answers their origin's preflight. One
        # direction only (docs/infrastructure.md#signing-in): pool → sign-in domain → distribution (its CSP names the
        # domain) → the apps' client (callbacks on the distribution's domain) → the API's authorizer → config.js.
        self.apps = apps = AppHosting(
            self,
            "Apps",
            logs=documents.access_logs,
            documents_bucket=documents.bucket.bucket_name,
            sign_in_domain=users.sign_in_domain,
        )
        users.add_app_client(apps.origin)
        api = HttpApi(self, "Http", functions=functions.functions, users=users, app_origins=[apps.origin])
        Firewall(self, "Firewall", distribution=apps.distribution)
        push = PushApi(self, "Push", functions=functions.functions, users=users)
        apps.publish(api.api.api_endpoint, push.url, users.app_sign_in(apps.origin))
        notifications = StreamNotifications(
            self,
            "Notifications",
            table=data.table,
            function=functions.functions[by_trigger(Trigger.STREAM)[0].name],
            keys=NOTIFY_STREAM_FILTER,
        )
        self.messaging = messaging = Messaging(self, "Messaging", functions=functions.functions)
        self.schedules = Schedules(self, "Schedules", functions=functions.functions)
        Monitoring(
            self,
            "Monitoring",
            state_machine=workflow.state_machine,
            functions=functions.functions,
            dead_letter_queues={"StreamRecords": notifications.dead_letters, **messaging.dead_letter_queues},
            http_api=api.api,
        )
        suppress_accepted_findings(self)
        suppress_access_log_bucket_logging(self, documents.access_logs.node.default_child.node.path)

        CfnOutput(self, "ApiUrl", value=api.url)
        CfnOutput(self, "PushUrl", value=push.url)
        CfnOutput(self, "UserPoolId", value=users.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=users.client.user_pool_client_id)
        CfnOutput(self, "TableName", value=data.table.table_name)
        CfnOutput(self, "StateMachineArn", value=workflow.state_machine.state_machine_arn)
        CfnOutput(self, "EventBusName", value=messaging.bus.event_bus_name)
        CfnOutput(self, "DocumentsBucketName", value=documents.bucket.bucket_name)
        CfnOutput(self, "AppsUrl", value=f"{apps.origin}/app/")
        CfnOutput(self, "SignInDomain", value=users.sign_in_domain)
