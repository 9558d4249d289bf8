"""Every Lambda function of the platform, and what it may touch.

CDK deploys exactly these functions with exactly these grants, the sandbox creates the same functions in
moto, and the infrastructure tests compare the synthesized policies with this table. Adding a function
means adding one line here (and, for a workflow task, its `${<name>FunctionArn}` placeholder in the ASL).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TableAccess(StrEnum):
    READ = "read"
    READ_WRITE = "read_write"


class WorkflowAccess(StrEnum):
    """What a function may do to order executions (each maps to a CDK grant on the state machine)."""

    START = "start"  # StartExecution
    RESUME = "resume"  # SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat
    STOP = "stop"  # StopExecution
    READ_HISTORY = "read_history"  # DescribeExecution, GetExecutionHistory


class Trigger(StrEnum):
    API = "api"  # an HTTP API integration (routes in shared.routes)
    WORKFLOW = "workflow"  # a task of the order state machine
    STREAM = "stream"  # the table's DynamoDB stream


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # the CDK construct id, the sandbox's function name, the ASL placeholder's prefix
    handler: str
    description: str
    trigger: Trigger
    table: TableAccess
    workflow: tuple[WorkflowAccess, ...] = ()
    api_domain: str | None = None  # for API functions: the `function` of their routes

    @property
    def asl_placeholder(self) -> str:
        return f"{self.name}FunctionArn"


W = WorkflowAccess
FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        "OrdersApi",
        "orders.handlers.api.handler",
        "HTTP API: profile, orders, cancel, progress, completion, dispatch, history; quotes, catalogue, approvals, disputes",
        Trigger.API,
        TableAccess.READ_WRITE,
        (W.START, W.RESUME, W.STOP, W.READ_HISTORY),
        api_domain="orders",
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
        "HTTP API: the caller's outbox of messages",
        Trigger.API,
        TableAccess.READ,
        api_domain="notify",
    ),
    FunctionSpec(
        "SelectCandidate",
        "matching.handlers.select_candidate.handler",
        "Workflow task: the best eligible technician not yet asked",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
    ),
    FunctionSpec(
        "Offer",
        "matching.handlers.offer.handler",
        "Workflow callback: store the offer with its task token",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
    ),
    FunctionSpec(
        "ExpireOffer",
        "matching.handlers.expire_offer.handler",
        "Workflow task: expire an unanswered offer unless it was answered at the last moment",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
    ),
    FunctionSpec(
        "RegisterCallback",
        "orders.handlers.register_callback.handler",
        "Workflow callback: store the wait's task token, resume at once if the step is already done",
        Trigger.WORKFLOW,
        TableAccess.READ_WRITE,
        (W.RESUME,),
    ),
    FunctionSpec(
        "NotifyStream",
        "notify.handlers.stream.handler",
        "DynamoDB stream: turn order and offer changes into outbox messages",
        Trigger.STREAM,
        TableAccess.READ_WRITE,
    ),
)


def by_trigger(trigger: Trigger) -> tuple[FunctionSpec, ...]:
    return tuple(f for f in FUNCTIONS if f.trigger == trigger)


def api_function(domain: str) -> FunctionSpec:
    return next(f for f in FUNCTIONS if f.api_domain == domain)
