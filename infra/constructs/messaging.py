"""The event bus and the queues it feeds (`deploy.catalog.QUEUES`): each queue its rule, its DLQ and its consumer."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from deploy.catalog import FUNCTIONS, MAX_RECEIVES, QUEUES, Trigger, by_trigger, queue

# Lambda's guidance: a queue's visibility timeout at least six times its consumer's timeout.
VISIBILITY_TIMEOUT = Duration.seconds(90)


def _construct_name(queue_name: str) -> str:
    return "".join(part.capitalize() for part in queue_name.split("-"))


def _setting_env(setting: str) -> str:
    return f"LINLI_{setting.upper()}"


class Messaging(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function]) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=f"{Stack.of(self).stack_name}-events")
        self.queues: dict[str, sqs.Queue] = {}
        for spec in sorted(QUEUES, key=lambda q: q.dead_letter is not None):  # dead-letter queues first
            self.queues[spec.name] = sqs.Queue(
                self,
                _construct_name(spec.name),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=Duration.days(14),
                visibility_timeout=VISIBILITY_TIMEOUT,
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVES, queue=self.queues[spec.dead_letter])
                if spec.dead_letter
                else None,
            )
            if spec.from_bus:
                pattern = spec.rule_pattern()
                events.Rule(
                    self,
                    f"To{_construct_name(spec.name)}",
                    description=spec.description,
                    event_bus=self.bus,
                    event_pattern=events.EventPattern(
                        source=pattern["source"],
                        detail_type=events.Match.anything_but(*spec.ignored_event_types)
                        if spec.ignored_event_types and not spec.event_types
                        else pattern.get("detail-type"),
                        detail=pattern.get("detail"),
                    ),
                    targets=[targets.SqsQueue(self.queues[spec.name])],
                )
        self.dead_letter_queues = {_construct_name(q.name): self.queues[q.name] for q in QUEUES if not q.from_bus}

        for spec in by_trigger(Trigger.QUEUE):
            # The consumer postpones a failed message itself (backoff), so it needs its queue's URL.
            functions[spec.name].add_environment(_setting_env(queue(spec.consumes).setting), self.queues[spec.consumes].queue_url)
            functions[spec.name].add_event_source(
                sources.SqsEventSource(
                    self.queues[spec.consumes],
                    batch_size=10,
                    max_batching_window=Duration.seconds(1),
                    report_batch_item_failures=True,
                )
            )
        for spec in FUNCTIONS:
            fn = functions[spec.name]
            if spec.publishes_events:
                self.bus.grant_put_events_to(fn)
                fn.add_environment("LINLI_EVENT_BUS_NAME", self.bus.event_bus_name)
            for name in spec.sends_to:
                self.queues[name].grant_send_messages(fn)
                fn.add_environment(_setting_env(queue(name).setting), self.queues[name].queue_url)
            for name in spec.peeks:
                self.queues[name].grant(fn, "sqs:ReceiveMessage", "sqs:GetQueueAttributes")
                fn.add_environment(_setting_env(queue(name).setting), self.queues[name].queue_url)
