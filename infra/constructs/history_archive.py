"""The history archive: ended orders' execution histories, kept after Step Functions drops them (90 days after the
execution's end). One private bucket, versioned, TLS only, encrypted with its own KMS key (rotated yearly), access
logged beside the documents bucket's.

Objects are never expired nor moved to another storage class: an archive is a few KB of gzip, below the 128 KB an
infrequent-access class bills at least. Each function gets the access the catalogue declares
(`FunctionSpec.histories`) on `histories/*` only: PUT is s3:PutObject and kms:GenerateDataKey, GET is s3:GetObject
and kms:Decrypt. No function lists the bucket: readers find an archive by its record in the table."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deploy.catalog import FUNCTIONS, DocumentAccess

HISTORY_PREFIX = "histories/*"


class HistoryArchive(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function], access_logs: s3.IBucket
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description="Linli history archive: ended orders' execution histories",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,  # one data key per bucket and period, not a KMS call per object
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            removal_policy=RemovalPolicy.RETAIN,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="histories/",
            # An archive is written once (a conditional put); a version beside it would only be a failed overwrite.
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))],
        )
        for spec in FUNCTIONS:
            if not spec.histories:
                continue
            fn = functions[spec.name]
            fn.add_environment("LINLI_HISTORY_ARCHIVE_BUCKET", self.bucket.bucket_name)
            fn.add_environment("LINLI_HISTORY_ARCHIVE_KEY_ID", self.key.key_arn)
            objects = self.bucket.arn_for_objects(HISTORY_PREFIX)
            if DocumentAccess.PUT in spec.histories:
                fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects]))
                fn.add_to_role_policy(iam.PolicyStatement(actions=["kms:GenerateDataKey"], resources=[self.key.key_arn]))
            if DocumentAccess.GET in spec.histories:
                fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects]))
                fn.add_to_role_policy(iam.PolicyStatement(actions=["kms:Decrypt"], resources=[self.key.key_arn]))
