"""Alarms an operator must hear about, sent to one topic, and a dashboard of the order flow."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

FIVE_MINUTES = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machine: sfn.StateMachine,
        functions: dict[str, lambda_.Function],
        dead_letter_queues: dict[str, sqs.IQueue],
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", display_name="Linli alarms", enforce_ssl=True)
        notify = actions.SnsAction(self.topic)

        def alarm(name: str, metric: cloudwatch.IMetric, description: str) -> cloudwatch.Alarm:
            created = cloudwatch.Alarm(
                self,
                name,
                metric=metric,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(notify)
            return created

        # An order execution fails when nobody could be dispatched in time (OrderUnfulfilled) or a status
        # write found the order changed underneath: either way a resident was left without help.
        alarm(
            "OrdersFailed",
            state_machine.metric_failed(period=FIVE_MINUTES, statistic="Sum"),
            "An order ended unfulfilled or in conflict",
        )
        alarm(
            "OrdersTimedOut",
            state_machine.metric_timed_out(period=FIVE_MINUTES, statistic="Sum"),
            "An order execution hit its overall timeout",
        )
        for name, dead_letters in dead_letter_queues.items():
            alarm(
                f"{name}Waiting",
                dead_letters.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
                f"{name}: messages failed every retry and wait in this dead-letter queue",
            )
        for name, fn in functions.items():
            alarm(f"{name}Errors", fn.metric_errors(period=FIVE_MINUTES, statistic="Sum"), f"{name} raised errors")

        dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.days(1))
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Orders (executions)",
                left=[
                    state_machine.metric_started(period=FIVE_MINUTES, statistic="Sum"),
                    state_machine.metric_succeeded(period=FIVE_MINUTES, statistic="Sum"),
                    state_machine.metric_failed(period=FIVE_MINUTES, statistic="Sum"),
                    state_machine.metric_aborted(period=FIVE_MINUTES, statistic="Sum"),
                ],
            ),
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[fn.metric_errors(period=FIVE_MINUTES, statistic="Sum") for fn in functions.values()],
            ),
            cloudwatch.GraphWidget(
                title="Function duration p90",
                left=[fn.metric_duration(period=FIVE_MINUTES, statistic="p90") for fn in functions.values()],
            ),
        )
