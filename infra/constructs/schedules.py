"""Scheduled functions (`Trigger.SCHEDULE` in the catalogue): an EventBridge rule per function, on its cron or rate."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from deploy.catalog import FunctionSpec, Trigger, by_trigger


def _max_event_age(spec: FunctionSpec) -> Duration:
    """A daily job is still worth running hours late; a periodic one not after its next run is due."""
    return Duration.seconds(spec.period_seconds) if spec.period_seconds else Duration.hours(6)


class Schedules(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function]) -> None:
        super().__init__(scope, construct_id)
        self.rules: dict[str, events.Rule] = {}
        for spec in by_trigger(Trigger.SCHEDULE):
            self.rules[spec.name] = events.Rule(
                self,
                spec.name,
                description=spec.description,
                schedule=events.Schedule.expression(spec.schedule or ""),
                targets=[targets.LambdaFunction(functions[spec.name], retry_attempts=2, max_event_age=_max_event_age(spec))],
            )
