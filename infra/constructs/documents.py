"""The documents bucket: private, encrypted, versioned, TLS only, with access logs. It holds the qualification
documents (under `companies/`) and photos (under `photos/`).

Functions never move the files: they sign upload and download URLs. Each function gets exactly the access the
catalogue declares, on one prefix: `FunctionSpec.documents` on `companies/*`, `FunctionSpec.photos` on
`photos/*` (and ListBucket on the bucket with GET, to tell a missing object from a forbidden one)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from deploy.catalog import FUNCTIONS, DocumentAccess

DOCUMENT_PREFIX = "companies/*"
PHOTO_PREFIX = "photos/*"


class DocumentStore(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, functions: dict[str, lambda_.Function]) -> None:
        super().__init__(scope, construct_id)
        common = {
            "encryption": s3.BucketEncryption.S3_MANAGED,
            "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
            "enforce_ssl": True,
            "versioned": True,
            "removal_policy": RemovalPolicy.RETAIN,
            "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        }
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            **(common | {"object_ownership": s3.ObjectOwnership.BUCKET_OWNER_PREFERRED}),
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365 * 3))],
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            **common,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="documents/",
            # Replaced documents stay readable for the vetting record, for five years.
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(5 * 365))],
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.GET],
                    allowed_origins=["*"],  # the URLs are signed; the apps upload from the browser
                    allowed_headers=["Content-Type"],
                    max_age=3000,
                )
            ],
        )
        for spec in FUNCTIONS:
            if not (spec.documents or spec.photos):
                continue
            fn = functions[spec.name]
            fn.add_environment("LINLI_DOCUMENTS_BUCKET", self.bucket.bucket_name)
            self._grant(fn, spec.documents, DOCUMENT_PREFIX)
            self._grant(fn, spec.photos, PHOTO_PREFIX)

    def _grant(self, fn: lambda_.Function, access: tuple[DocumentAccess, ...], prefix: str) -> None:
        objects = self.bucket.arn_for_objects(prefix)
        if DocumentAccess.PUT in access:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects]))
        if DocumentAccess.GET in access:
            fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[objects]))
            # Without ListBucket a missing object reads as 403, not 404 (checking an upload arrived). It cannot be
            # narrowed with an s3:prefix condition: a HeadObject request carries no prefix, so it would fail it.
            fn.add_to_role_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn]))
