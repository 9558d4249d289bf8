"""Scheduled functions (`Trigger.SCHEDULE` in the catalogue): an EventBridge rule per function, on its cron."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from shared.catalog import Trigger, by_trigger


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
                targets=[targets.LambdaFunction(functions[spec.name], retry_attempts=2, max_event_age=Duration.hours(6))],
            )
