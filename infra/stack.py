"""The Linli stack: wires the constructs together; each concern lives in `infra/constructs/`."""

from __future__ import annotations

from typing import Any

from aws_cdk import Annotations, CfnOutput, Stack
from constructs import Construct

from deploy.catalog import NOTIFY_STREAM_FILTER, Trigger, by_trigger
from infra.apps_config import SignIn
from infra.constructs.api import HttpApi
from infra.constructs.data import DataTable
from infra.constructs.documents import DocumentStore
from infra.constructs.firewall import Firewall
from infra.constructs.functions import PlatformFunctions
from infra.constructs.history_archive import HistoryArchive
from infra.constructs.hosting import AppHosting
from infra.constructs.identity import PlatformIdentity
from infra.constructs.messaging import Messaging
from infra.constructs.monitoring import Monitoring
from infra.constructs.notifications import StreamNotifications
from infra.constructs.push import PushApi
from infra.constructs.schedules import Schedules
from infra.constructs.workflow import OrderWorkflow
from infra.nag import suppress_accepted_findings, suppress_access_log_bucket_logging
from infra.target import Target


class LinliStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, target: Target, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.target = target
        if target.china and not target.apps_domain:
            Annotations.of(self).add_warning_v2(
                "linli:china-apps-domain",
                "CloudFront in China serves no content on its own *.cloudfront.cn name: give the apps' ICP-filed "
                "domain and its IAM server certificate (-c apps_domain=… -c apps_certificate=…, docs/deploy-china.md).",
            )
        data = DataTable(self, "Data")
        functions = PlatformFunctions(self, "Functions", table=data.table)
        workflow = OrderWorkflow(self, "Workflow", table=data.table, functions=functions.functions)
        self.documents = documents = DocumentStore(self, "Documents", functions=functions.functions)
        self.history_archive = history_archive = HistoryArchive(
            self, "HistoryArchive", functions=functions.functions, access_logs=documents.access_logs
        )
        # The client apps: CloudFront in front of a private bucket; the API answers their origin's preflight, and
        # the apps' config.js names the API: distribution → API (CORS) → deployment (config.js).
        self.apps = apps = AppHosting(
            self,
            "Apps",
            target=target,
            logs=documents.access_logs,
            documents_bucket=documents.bucket.bucket_name,
            api_origin=f"https://{target.api_domain}" if target.api_domain else None,
        )
        api = HttpApi(self, "Http", target=target, functions=functions.functions, app_origins=[apps.origin])
        self.identity = identity = PlatformIdentity(
            self, "Identity", target=target, functions=functions.functions, issuer=api.issuer, audience=api.audience
        )
        Firewall(self, "Firewall", distribution=apps.distribution)
        push = PushApi(self, "Push", functions=functions.functions)
        apps.publish(api.url, push.url, SignIn())
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
        CfnOutput(self, "TokenIssuer", value=api.issuer)
        CfnOutput(self, "TokenSigningKeyArn", value=identity.signing_key.key_arn)
        CfnOutput(self, "WeChatSecretArn", value=identity.wechat.secret_arn)
        CfnOutput(self, "TableName", value=data.table.table_name)
        CfnOutput(self, "StateMachineArn", value=workflow.state_machine.state_machine_arn)
        CfnOutput(self, "EventBusName", value=messaging.bus.event_bus_name)
        CfnOutput(self, "DocumentsBucketName", value=documents.bucket.bucket_name)
        CfnOutput(self, "HistoryArchiveBucketName", value=history_archive.bucket.bucket_name)
        CfnOutput(self, "AppsUrl", value=f"{apps.origin}/app/")
        # Where the operator's DNS points the domains (CNAME records): the distribution, the API's regional domain.
        CfnOutput(self, "AppsDistributionDomain", value=apps.distribution.distribution_domain_name)
        if api.domain is not None:
            CfnOutput(self, "ApiDomainTarget", value=api.domain.regional_domain_name)
        if identity.sms is not None:
            CfnOutput(self, "SmsSecretArn", value=identity.sms.secret_arn)
