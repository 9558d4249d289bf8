"""cdk-nag findings we accept, each with its reason. Any other finding fails `make test`."""

from __future__ import annotations

from aws_cdk import Stack
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo


def suppress_accepted_findings(stack: Stack) -> None:
    NagSuppressions.add_stack_suppressions(
        stack,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM4",
                reason="AWSLambdaBasicExecutionRole only lets a function write its own logs; no data access.",
                applies_to=["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
            ),
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                reason=(
                    "Wildcards limited to: X-Ray and CloudWatch Logs delivery (these actions take no resource), "
                    "SMS through SNS in the global target (sns:Publish to phone numbers: no topic), "
                    "the table's own indexes (queries on gsi1-4), "
                    "versions of the workflow's own functions, executions of the order state machine only, and the objects "
                    "under companies/ and photos/ of the documents bucket (one key per uploaded document or photo), the objects "
                    "under histories/ of the history archive bucket (one key per ended order), and "
                    "the sockets of the web-push API's own stage (PostToConnection names a connection only known at run time)."
                ),
                applies_to=[
                    "Resource::*",
                    RegexAppliesTo(regex="/^Resource::<DataTable[A-Za-z0-9]+\\.Arn>\\/index\\/\\*$/"),
                    RegexAppliesTo(regex="/^Resource::<Functions[A-Za-z0-9]+\\.Arn>:\\*$/"),
                    RegexAppliesTo(
                        regex="/^Resource::arn:<AWS::Partition>:execute-api:(<AWS::Region>|[a-z]{2}-[a-z]+-[0-9]):<AWS::AccountId>:<PushApi[A-Za-z0-9]+>\\/live\\/\\*\\/@connections\\/\\*$/"
                    ),
                    RegexAppliesTo(regex="/^Resource::<DocumentsBucket[A-Za-z0-9]+\\.Arn>\\/(companies|photos)\\/\\*$/"),
                    RegexAppliesTo(regex="/^Resource::<HistoryArchiveBucket[A-Za-z0-9]+\\.Arn>\\/histories\\/\\*$/"),
                    RegexAppliesTo(
                        regex="/^Resource::arn:<AWS::Partition>:states:(<AWS::Region>|[a-z]{2}-[a-z]+-[0-9]):<AWS::AccountId>:execution:.*-order-lifecycle:\\*$/"
                    ),
                ],
            ),
            NagPackSuppression(
                id="AwsSolutions-SF1",
                reason=(
                    "The state machine logs errors by default (-c workflow_log_level=ALL for every state): each step of "
                    "every order is in its execution history, read through the supervisors' history API and archived "
                    "when the order ends."
                ),
            ),
            NagPackSuppression(
                id="AwsSolutions-SQS3",
                reason="This queue is itself the dead-letter destination of the notification stream.",
            ),
        ],
    )


def suppress_access_log_bucket_logging(stack: Stack, bucket_path: str) -> None:
    """The access-log bucket of the documents bucket cannot log to itself."""
    NagSuppressions.add_resource_suppressions_by_path(
        stack,
        bucket_path,
        [NagPackSuppression(id="AwsSolutions-S1", reason="This bucket receives the documents bucket's server access logs.")],
    )
