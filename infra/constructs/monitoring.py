"""Alarms an operator must hear about, sent to one topic, and a dashboard of the order flow."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

FIVE_MINUTES = Duration.minutes(5)
METRICS_NAMESPACE, SERVICE = "Linli", "linli"  # as the functions' POWERTOOLS_* settings (functions.py)
ESCALATIONS_METRIC = "OrdersEscalated"  # notify/handlers/stream.py
API_5XX_PERCENT = 1  # of the requests in five minutes
API_P99_MS = 3000  # API Gateway's latency: a resident waiting three seconds for a button is waiting too long


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machine: sfn.StateMachine,
        functions: dict[str, lambda_.Function],
        dead_letter_queues: dict[str, sqs.IQueue],
        http_api: apigw.HttpApi,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", display_name="Linli alarms", enforce_ssl=True)
        notify = actions.SnsAction(self.topic)

        def alarm(name: str, metric: cloudwatch.IMetric, description: str) -> cloudwatch.Alarm:
            return alarm_above(name, metric, 1, description, or_equal=True)

        def alarm_above(
            name: str, metric: cloudwatch.IMetric, threshold: float, description: str, *, or_equal: bool = False
        ) -> cloudwatch.Alarm:
            created = cloudwatch.Alarm(
                self,
                name,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
                if or_equal
                else cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
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
            "An order execution ran past its overall timeout (14 days, above the longest an order can take)",
        )
        for name, dead_letters in dead_letter_queues.items():
            alarm(
                f"{name}Waiting",
                dead_letters.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
                f"{name}: messages failed every retry and wait in this dead-letter queue",
            )
        for name, fn in functions.items():
            alarm(f"{name}Errors", fn.metric_errors(period=FIVE_MINUTES, statistic="Sum"), f"{name} raised errors")
        # Counted by the stream function when it publishes order.escalated (notify/handlers/stream.py).
        escalations = cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=ESCALATIONS_METRIC,
            dimensions_map={"service": SERVICE},
            period=FIVE_MINUTES,
            statistic="Sum",
        )
        alarm("OrdersEscalated", escalations, "Orders were escalated to the supervisors: nobody took them in time, or a fault")
        server_errors = cloudwatch.MathExpression(
            expression="100 * errors / MAX([requests, 1])",
            using_metrics={
                "errors": http_api.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
                "requests": http_api.metric_count(period=FIVE_MINUTES, statistic="Sum"),
            },
            label="5xx rate (%)",
            period=FIVE_MINUTES,
        )
        alarm_above("Api5xxRate", server_errors, API_5XX_PERCENT, f"More than {API_5XX_PERCENT} % of API requests answered 5xx")
        latency = http_api.metric_latency(period=FIVE_MINUTES, statistic="p99")
        alarm_above("ApiLatencyP99", latency, API_P99_MS, f"The API's p99 latency is above {API_P99_MS} ms")

        dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.days(1))
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="API 5xx rate (%)", left=[server_errors]),
            cloudwatch.GraphWidget(title="API latency p99 (ms)", left=[latency]),
            cloudwatch.GraphWidget(title="Escalated orders", left=[escalations]),
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
