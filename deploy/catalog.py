"""Every Lambda function of the platform, and what it may touch.

CDK deploys exactly these functions with exactly these grants, the sandbox creates the same functions in
moto, and the infrastructure tests compare the synthesized policies with this table. Adding a function
means adding one line here (and, for a workflow task, its `${<name>FunctionArn}` placeholder in the ASL: a workflow
function is named after the Task state it serves, or for a wait after its step, `Await<Step>`, and its handler
module likewise, `offer_to_technician`, `await_completion`; tests/contract/test_workflow_handlers.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shared.events import COMPANY_EVENTS, EVENT_SOURCE, SUPERVISION_EVENTS, EventType

# The Lambda runtime every function runs on (CDK deploys it; the sandbox declares the same).
LAMBDA_RUNTIME = "python3.14"


class TableAccess(StrEnum):
    READ = "read"
    READ_UPDATE = "read_update"  # read, and UpdateItem only (no new items, no deletes)
    READ_WRITE = "read_write"


class WorkflowAccess(StrEnum):
    """What a function may do to order executions (each maps to a CDK grant on the state machine)."""

    START = "start"  # StartExecution
    RESUME = "resume"  # SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat
    STOP = "stop"  # StopExecution
    READ_HISTORY = "read_history"  # DescribeExecution, GetExecutionHistory
    READ_EVENTS = "read_events"  # GetExecutionHistory only


class Trigger(StrEnum):
    API = "api"  # an HTTP API integration (routes in deploy.routes)
    WORKFLOW = "workflow"  # a task of the order state machine
    STREAM = "stream"  # the table's DynamoDB stream
    QUEUE = "queue"  # an SQS queue fed by an event bus rule
    SCHEDULE = "schedule"  # an EventBridge schedule (cron)
    WEBSOCKET = "websocket"  # the WebSocket API's $connect and $disconnect (web push)


class DocumentAccess(StrEnum):
    """What a function may do with the documents bucket (each maps to a CDK grant on the bucket, on the prefix
    of the kind of object: `companies/` for qualification documents, `photos/` for photos)."""

    PUT = "put"  # s3:PutObject: sign upload URLs
    GET = "get"  # s3:GetObject: sign download URLs, check an upload arrived


@dataclass(frozen=True)
class QueueSpec:
    name: str
    setting: str  # the Settings field (LINLI_<SETTING> env var) that holds its URL, for functions that send to it
    description: str
    from_bus: bool = False  # fed by an event bus rule (dead-letter queues are not)
    event_types: tuple[str, ...] | None = None  # the rule's event types (None: every type)
    ignored_event_types: tuple[str, ...] = ()  # types the consumer has no use for, left out by the rule
    company_events_only: bool = False  # the rule takes only events that name a company
    dead_letter: str | None = None  # where messages go after MAX_RECEIVES failed attempts

    def rule_pattern(self) -> dict:
        """The event bus rule that feeds this queue, in EventBridge's pattern syntax."""
        pattern: dict = {"source": [EVENT_SOURCE]}
        if self.event_types:
            pattern["detail-type"] = list(self.event_types)
        elif self.ignored_event_types:
            pattern["detail-type"] = [{"anything-but": list(self.ignored_event_types)}]
        if self.company_events_only:
            pattern["detail"] = {"company_id": [{"exists": True}]}
        return pattern


MAX_RECEIVES = 5
QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        "notifications",
        "notifications_queue_url",
        "Every domain event but the credit score's change, to be turned into messages",
        from_bus=True,
        # People are not messaged about a changed score (a company's own system gets it by webhook).
        ignored_event_types=(EventType.CREDIT_CHANGED.value,),
        dead_letter="notifications-dlq",
    ),
    QueueSpec("notifications-dlq", "notifications_dlq_url", "Events whose messages failed every attempt"),
    QueueSpec(
        "webhooks",
        "webhook_queue_url",
        "Company events, and webhook deliveries waiting for their next attempt",
        from_bus=True,
        event_types=tuple(sorted(e.value for e in COMPANY_EVENTS)),
        company_events_only=True,
        dead_letter="webhooks-dlq",
    ),
    QueueSpec("webhooks-dlq", "webhook_dlq_url", "Webhook deliveries that failed for a day"),
    QueueSpec(
        "supervision",
        "supervision_queue_url",
        "Every order's events, for the audit log and the credit record",
        from_bus=True,
        # Supervision's own events (about a company or a technician) carry no order: nothing to audit or score.
        ignored_event_types=tuple(sorted(e.value for e in SUPERVISION_EVENTS)),
        dead_letter="supervision-dlq",
    ),
    QueueSpec("supervision-dlq", "supervision_dlq_url", "Events the audit log or the credit record failed to take"),
    QueueSpec(
        "history-archive",
        "history_archive_queue_url",
        "Orders that ended (closed, cancelled), whose execution history is archived",
        from_bus=True,
        event_types=("order.cancelled", "order.closed"),
        dead_letter="history-archive-dlq",
    ),
    QueueSpec("history-archive-dlq", "history_archive_dlq_url", "Ended orders whose history could not be archived"),
)


def queue(name: str) -> QueueSpec:
    return next(q for q in QUEUES if q.name == name)


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # the CDK construct id, the sandbox's function name, the ASL placeholder's prefix
    handler: str
    description: str
    trigger: Trigger
    table: TableAccess
    workflow: tuple[WorkflowAccess, ...] = ()
    api_domain: str | None = None  # for API functions: the `function` of their routes
    consumes: str | None = None  # for queue functions: the queue
    publishes_events: bool = False  # PutEvents on the event bus
    sends_sms: bool = False  # SNS Publish to phone numbers
    sends_to: tuple[str, ...] = ()  # queues it may send messages to
    peeks: tuple[str, ...] = ()  # dead-letter queues it may read (without taking the messages)
    documents: tuple[DocumentAccess, ...] = ()  # the qualification documents (`companies/` of the documents bucket)
    photos: tuple[DocumentAccess, ...] = ()  # photos (`photos/` of the same bucket)
    histories: tuple[DocumentAccess, ...] = ()  # archived execution histories (`histories/` of the archive bucket)
    schedule: str | None = None  # for scheduled functions: the EventBridge cron or rate expression (UTC)
    pushes: bool = False  # execute-api:ManageConnections on the WebSocket API's sockets (web push)
    signs_tokens: bool = False  # kms:Sign and kms:GetPublicKey on the token signing key(s) (LINLI_TOKEN_SIGNING_KEY_IDS)
    uses_wechat: bool = False  # secretsmanager:GetSecretValue on the WeChat secret (LINLI_WECHAT_SECRET_ARN)
    # The partition-key prefixes the function's items have (IAM `dynamodb:LeadingKeys`): where the key design allows,
    # a function may touch only those items, and cannot Scan. Empty: the whole table.
    table_keys: tuple[str, ...] = ()

    @property
    def asl_placeholder(self) -> str:
        return f"{self.name}FunctionArn"

    @property
    def period_seconds(self) -> int | None:
        """A `rate(…)` schedule's period (the sandbox runs such jobs periodically); None for a cron."""
        match = _RATE.fullmatch(self.schedule or "")
        return int(match["value"]) * _UNIT_SECONDS[match["unit"].rstrip("s")] if match else None


_RATE = re.compile(r"rate\((?P<value>\d+) (?P<unit>minutes?|hours?|days?)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


W = WorkflowAccess
FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        "Identity",
        "identity.handlers.api.handler",
        "HTTP API: sign-in (WeChat, SMS one-time codes), refresh, logout; the token signing keys (JWKS, discovery)",
        Trigger.API,
        TableAccess.READ_WRITE,
        api_domain="identity",
        sends_sms=True,  # the one-time sign-in codes
        signs_tokens=True,
        uses_wechat=True,
    ),
    FunctionSpec(
        "CompoundsApi",
        "compounds.handlers.api.handler",
        "HTTP API: onboarding: compounds and households from a CSV; each compound's contract and free-service period",
        Trigger.API,
        TableAccess.READ_WRITE,
        api_domain="compounds",
    ),
    FunctionSpec(
        "OrdersApi",
        "orders.handlers.api.handler",
        "HTTP API: profile, orders, cancel, progress, completion, dispatch, history; quotes, catalogue, approvals, disputes; "
        "photos; proxies (the resident's consent code by SMS)",
        Trigger.API,
        TableAccess.READ_WRITE,
        (W.START, W.RESUME, W.STOP, W.READ_HISTORY),
        api_domain="orders",
        photos=(DocumentAccess.PUT, DocumentAccess.GET),
        histories=(DocumentAccess.GET,),  # the history of an order whose execution Step Functions no longer keeps
        sends_sms=True,  # the consent code, and the notices of links made and ended
    ),
    FunctionSpec(
        "MatchingApi",
        "matching.handlers.api.handler",
        "HTTP API: a technician's offers (accept, decline) and availability",
        Trigger.API,
        TableAccess.READ_WRITE,
        (W.RESUME,),
        api_domain="matching",
    ),
    FunctionSpec(
        "RatingsApi",
        "ratings.handlers.api.handler",
        "HTTP API: the resident's rating of a completed order",
        Trigger.API,
        TableAccess.READ_WRITE,
        (W.RESUME,),
        api_domain="ratings",
    ),
    FunctionSpec(
        "NotifyApi",
        "notify.handlers.api.handler",
        "HTTP API: outbox, notification preferences, call tasks, webhook settings and log, dead letters",
        Trigger.API,
        TableAccess.READ_WRITE,
        api_domain="notify",
        sends_to=("webhooks",),
        peeks=("notifications-dlq", "webhooks-dlq"),
    ),
    FunctionSpec(
        "SelectCandidate",
        "matching.handlers.select_candidate.handler",
        "Workflow task: the best eligible technician not yet asked",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
    ),
    FunctionSpec(
        "OfferToTechnician",
        "matching.handlers.offer_to_technician.handler",
        "Workflow callback: store the round's offers with its task token",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
        table_keys=("ORDER#",),  # the order's offers
    ),
    FunctionSpec(
        "ExpireOffer",
        "matching.handlers.expire_offer.handler",
        "Workflow task: expire an unanswered offer unless it was answered at the last moment",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
        table_keys=("ORDER#",),  # the order and its offers
    ),
    FunctionSpec(
        "AwaitDispatch",
        "orders.handlers.await_dispatch.handler",
        "Workflow callback: wait for a dispatch (manual or the company's): store its token, resume at once if done",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
        (W.RESUME,),
        table_keys=("ORDER#",),  # the order and its waits
    ),
    FunctionSpec(
        "AwaitCompletion",
        "orders.handlers.await_completion.handler",
        "Workflow callback: wait for the technician's bill: store its token, resume at once if done",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
        (W.RESUME,),
        table_keys=("ORDER#",),  # the order and its waits
    ),
    FunctionSpec(
        "AwaitApproval",
        "orders.handlers.await_approval.handler",
        "Workflow callback: wait for the resident's consent to extra lines: store its token, resume at once if done",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
        (W.RESUME,),
        table_keys=("ORDER#",),  # the order and its waits
    ),
    FunctionSpec(
        "AwaitRating",
        "orders.handlers.await_rating.handler",
        "Workflow callback: wait for the resident's rating: store its token, resume at once if done",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
        (W.RESUME,),
        table_keys=("ORDER#",),  # the order and its waits
    ),
    FunctionSpec(
        "NotifyStream",
        "notify.handlers.stream.handler",
        "DynamoDB stream: turn order and offer changes into domain events on the bus",
        Trigger.STREAM,
        TableAccess.READ,
        publishes_events=True,
    ),
    FunctionSpec(
        "Notifications",
        "notify.handlers.deliver.handler",
        "Event queue: messages to the people concerned, by SMS, app, or a call by the back office",
        Trigger.QUEUE,
        TableAccess.READ_WRITE,
        consumes="notifications",
        sends_sms=True,
        pushes=True,
        uses_wechat=True,  # subscription messages
    ),
    FunctionSpec(
        "PushConnections",
        "notify.handlers.push.handler",
        "WebSocket API: $connect checks the app's JWT and stores the socket under its user; $disconnect forgets it",
        Trigger.WEBSOCKET,
        TableAccess.READ_WRITE,
        table_keys=("USER#", "PUSHCONN#"),  # the account (read) and its sockets
    ),
    FunctionSpec(
        "Webhooks",
        "notify.handlers.webhooks.handler",
        "Event queue: signed webhook deliveries to companies, retried with backoff for a day",
        Trigger.QUEUE,
        TableAccess.READ_WRITE,
        consumes="webhooks",
        sends_to=("webhooks", "webhooks-dlq"),
        table_keys=("COMPANY#",),  # the company's webhook, its secrets and its delivery log
    ),
    FunctionSpec(
        "SupervisionApi",
        "supervision.handlers.api.handler",
        "HTTP API: admission and vetting, documents, credit, audit log, public-area reports, stuck orders, statistics",
        Trigger.API,
        TableAccess.READ_WRITE,
        api_domain="supervision",
        publishes_events=True,
        documents=(DocumentAccess.PUT, DocumentAccess.GET),
    ),
    FunctionSpec(
        "Supervision",
        "supervision.handlers.consumer.handler",
        "Event queue: every domain event into the order's hash-chained audit log; finished orders into credit events; "
        "a cancelled booking's held hours freed",
        Trigger.QUEUE,
        TableAccess.READ_WRITE,
        consumes="supervision",
        publishes_events=True,
    ),
    FunctionSpec(
        "HistoryArchive",
        "orders.handlers.archive_history.handler",
        "Event queue: an ended order's execution history, once the execution has ended, into the history archive",
        Trigger.QUEUE,
        TableAccess.READ_WRITE,
        (W.READ_EVENTS,),
        consumes="history-archive",
        histories=(DocumentAccess.PUT,),  # a conditional put: an archive that exists is never rewritten
        table_keys=("ORDER#",),  # the order's archive record
    ),
    FunctionSpec(
        "CertificateExpiry",
        "supervision.handlers.expiry.handler",
        "Daily: suspend the skills of expired certificates, warn companies 30 and 7 days before",
        Trigger.SCHEDULE,
        TableAccess.READ_WRITE,
        publishes_events=True,
        # 00:05 Beijing time (UTC+8) every day.
        schedule="cron(5 16 * * ? *)",
    ),
    FunctionSpec(
        "DeadlineWarnings",
        "orders.handlers.deadlines.handler",
        "Every 5 minutes: warn the people concerned once before a dispatch, completion or approval wait runs out, "
        "and remind once a resident who has not rated",
        Trigger.SCHEDULE,
        TableAccess.READ_UPDATE,
        publishes_events=True,
        schedule="rate(5 minutes)",
    ),
    FunctionSpec(
        "EscalationRealerts",
        "escalation.handlers.realert.handler",
        "Every 5 minutes: alert the company and the supervisors again about an escalated order nobody acted on in time",
        Trigger.SCHEDULE,
        TableAccess.READ_WRITE,
        publishes_events=True,
        schedule="rate(5 minutes)",
    ),
)


@dataclass(frozen=True)
class StreamKeyFilter:
    """Which stream records reach the stream function: by sort key, exact or by prefix."""

    exact: tuple[str, ...]
    prefixes: tuple[str, ...]

    def wants(self, sort_key: str) -> bool:
        return sort_key in self.exact or sort_key.startswith(self.prefixes)


# Orders and offers only: the notify function turns their changes into messages. The same filter is the
# event source mapping's filter in AWS and the sandbox pump's.
NOTIFY_STREAM_FILTER = StreamKeyFilter(exact=("ORDER",), prefixes=("OFFER#",))


def by_trigger(trigger: Trigger) -> tuple[FunctionSpec, ...]:
    return tuple(f for f in FUNCTIONS if f.trigger == trigger)


def api_function(domain: str) -> FunctionSpec:
    return next(f for f in FUNCTIONS if f.api_domain == domain)
