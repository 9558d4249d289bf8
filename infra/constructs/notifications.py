"""Order and offer changes flow from the table's stream to the notify function; failures land in a DLQ."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from deploy.catalog import StreamKeyFilter


def filter_pattern(keys: StreamKeyFilter) -> dict:
    """The event filter for stream records whose sort key matches `keys` (Lambda event filtering syntax)."""
    return {"dynamodb": {"Keys": {"sk": {"S": [*keys.exact, *({"prefix": p} for p in keys.prefixes)]}}}}


class StreamNotifications(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITable,
        function: lambda_.Function,
        keys: StreamKeyFilter,
    ) -> None:
        super().__init__(scope, construct_id)
        # Records that failed every retry are described here (not the records themselves: the stream
        # keeps them 24 h), so an operator can replay them.
        self.dead_letters = sqs.Queue(
            self,
            "FailedBatches",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        function.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=50,
                max_batching_window=Duration.seconds(1),
                bisect_batch_on_error=True,
                retry_attempts=5,
                report_batch_item_failures=True,  # the handler reports partial batch failures
                on_failure=sources.SqsDlq(self.dead_letters),
                filters=[lambda_.FilterCriteria.filter(filter_pattern(keys))],
            )
        )
