"""The single DynamoDB table, keyed as the data layer's PynamoDB models expect (docs/data-model.md)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from shared.dal.tables import INDEX_NAMES
from shared.idempotency import TTL_ATTRIBUTE


class DataTable(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        string = dynamodb.AttributeType.STRING
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=string),
            sort_key=dynamodb.Attribute(name="sk", type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
            # The notify function reads order and offer changes from the stream.
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            # Short-lived items (remembered answers to idempotent calls) expire by themselves.
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for name in INDEX_NAMES:
            self.table.add_global_secondary_index(
                index_name=name,
                partition_key=dynamodb.Attribute(name=f"{name}pk", type=string),
                sort_key=dynamodb.Attribute(name=f"{name}sk", type=string),
                projection_type=dynamodb.ProjectionType.ALL,
            )
