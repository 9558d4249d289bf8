"""Hosting of the client apps (`apps/`, static files, no build step): a private, encrypted S3 bucket that only
CloudFront reads, served under /app/ as in the sandbox, with security headers. The same design in both targets
(infra/target.py) but for how CloudFront reaches the bucket: origin access control in the global partition, an
origin access identity in China (the only one there), and the domain: China serves on an ICP-filed domain only.

No CloudFront Function (none in China): an S3 REST origin has no index documents, so each folder page the apps
link to (`/app/`, `/app/resident/`, …) is also written as an object whose key is the folder itself, under
`folders/`, and a cache behaviour per folder URL reads it there (the origin path `/folders`). The files are deployed
by `aws_s3_deployment` from the `apps/` folder as it is (a plain directory asset: no Docker), with a generated
`app/config.js` that tells the apps the HTTP API's URL (infra/apps_config.py)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import custom_resources as cr
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from infra.apps_config import SignIn, config_js
from infra.target import OriginAccess, Target

APPS_DIR = Path(__file__).resolve().parents[2] / "apps"
APP_PREFIX = "app/"  # the apps' own links are absolute (/app/shared/core.js …), as the sandbox serves them
CONFIG_FILE = "config.js"  # apps/config.js in the sandbox (same origin); generated here
FOLDERS_PREFIX = "folders"  # where the folder pages live in the bucket (outside app/, which the deployment prunes)
INDEX = "index.html"


def folder_pages(apps_dir: Path = APPS_DIR) -> dict[str, Path]:
    """Every folder URL the apps have, with and without its slash (`/app/`, `/app`, `/app/resident/`, …), and
    the index.html it serves, as the sandbox does for a folder. The apps' links are absolute, so a page answers
    the same from either URL."""
    pages: dict[str, Path] = {}
    for index in sorted(apps_dir.rglob(INDEX)):
        folder = "/app/" + "".join(f"{part}/" for part in index.parent.relative_to(apps_dir).parts)
        pages[folder] = index
        pages[folder.rstrip("/")] = index
    return pages


def content_security_policy(documents_bucket: str, api_origin: str | None = None) -> str:
    """Scripts, styles and images from the apps' own origin only (style attributes allowed: the apps set a few);
    fetches to the region's HTTP APIs (and the API's custom domain when it has one) and the documents bucket
    (uploads through pre-signed URLs), the region's WebSocket APIs (web push); no framing."""
    api = f"https://*.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"
    push = f"wss://*.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"
    documents = f"https://{documents_bucket}.s3.{Aws.REGION}.{Aws.URL_SUFFIX}"
    connect = " ".join(source for source in ("'self'", api, api_origin, push, documents) if source)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class AppHosting(Construct):
    """The bucket and the distribution; `publish` adds the deployment once the API's URL is known."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        logs: s3.IBucket,
        documents_bucket: str,
        api_origin: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.target = target
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=logs,
            server_access_logs_prefix="apps/",
            removal_policy=RemovalPolicy.DESTROY,  # only copies of apps/: the deployment writes them again
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Linli apps: HSTS, CSP, no sniffing, no framing, referrer policy",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365 * 2), include_subdomains=True, preload=True, override=True
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(documents_bucket, api_origin), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
            ),
        )

        def behaviour(origin: cloudfront.IOrigin) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
            )

        self.pages = folder_pages()
        folders = self._origin(f"/{FOLDERS_PREFIX}")
        global_domain = target.apps_domain and not target.china
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Linli client apps (apps/)",
            default_behavior=behaviour(self._origin()),
            # Each folder URL reads its page from folders/ (the URL is the key); the root serves the sign-in screen.
            additional_behaviors={url: behaviour(folders) for url in self.pages},
            default_root_object=f"{APP_PREFIX}{INDEX}",
            http_version=cloudfront.HttpVersion.HTTP2 if target.china else cloudfront.HttpVersion.HTTP2_AND_3,
            # With a certificate only (CloudFront's default one has a fixed policy); in China set with it below.
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if global_domain else None,
            domain_names=[target.apps_domain] if global_domain else None,
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", target.apps_certificate)
            if global_domain
            else None,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
        )
        if target.china:
            _legacy_cache_settings(self.distribution, behaviours=len(self.pages))
        if target.china and target.apps_domain:
            # CloudFront in China takes no ACM certificate: an IAM server certificate, named by its id.
            config = self.distribution.node.default_child
            config.add_property_override("DistributionConfig.Aliases", [target.apps_domain])
            config.add_property_override(
                "DistributionConfig.ViewerCertificate",
                {
                    "IamCertificateId": target.apps_certificate,
                    "SslSupportMethod": "sni-only",
                    "MinimumProtocolVersion": "TLSv1.2_2021",  # as minimum_protocol_version above
                },
            )
        NagSuppressions.add_resource_suppressions(
            self.distribution,
            [
                NagPackSuppression(
                    id="AwsSolutions-CFR1",
                    reason="No geo restriction: residents' family proxies may live abroad; the API authorizes each call.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-CFR2",
                    reason="Static files only (no server-side logic behind CloudFront); the API has its own throttling.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-CFR4",
                    reason=(
                        "The minimum protocol (TLSv1.2_2021) takes effect with a custom certificate only: on the "
                        "default CloudFront name CloudFront's own policy applies until the district's domain and its "
                        "certificate are given (-c apps_domain, -c apps_certificate; docs/deploy-china.md)."
                    ),
                ),
                *(
                    [
                        NagPackSuppression(
                            id="AwsSolutions-CFR7",
                            reason=(
                                "CloudFront in the AWS China regions has no origin access control; the origin access "
                                "identity is the only way there to keep the bucket private (infra/target.py)."
                            ),
                        )
                    ]
                    if target.origin_access == OriginAccess.IDENTITY
                    else []
                ),
            ],
        )

    def _origin(self, origin_path: str | None = None) -> cloudfront.IOrigin:
        """The bucket as an origin (both origins share one access control, or one identity in China)."""
        if self.target.origin_access == OriginAccess.CONTROL:
            if not hasattr(self, "access_control"):
                self.access_control = cloudfront.S3OriginAccessControl(
                    self, "OriginAccessControl", signing=cloudfront.Signing.SIGV4_ALWAYS
                )
            return origins.S3BucketOrigin.with_origin_access_control(
                self.bucket, origin_access_control=self.access_control, origin_path=origin_path
            )
        if not hasattr(self, "access_identity"):
            self.access_identity = cloudfront.OriginAccessIdentity(self, "OriginAccessIdentity", comment="Linli apps")
        return origins.S3BucketOrigin.with_origin_access_identity(
            self.bucket, origin_access_identity=self.access_identity, origin_path=origin_path
        )

    @property
    def origin(self) -> str:
        if self.target.apps_domain:
            return f"https://{self.target.apps_domain}"
        return f"https://{self.distribution.distribution_domain_name}"

    def publish(self, api_url: str, push_url: str, sign_in: SignIn) -> s3deploy.BucketDeployment:
        """apps/ to app/ in the bucket (pruned), with the generated config.js (the API's URL, web push's, how people
        sign in), and the folder pages to folders/; CloudFront's cache invalidated."""
        config = config_js(api_url, sign_in, push_url=push_url)
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Deployment",
            sources=[
                s3deploy.Source.asset(str(APPS_DIR), exclude=[CONFIG_FILE]),
                s3deploy.Source.data(CONFIG_FILE, config),
            ],
            destination_bucket=self.bucket,
            destination_key_prefix=APP_PREFIX,
            distribution=self.distribution,
            distribution_paths=[f"/{APP_PREFIX}*", "/app", "/"],
            prune=True,
        )
        # Written before the deployment, so that its invalidation covers them too.
        for page in self._folder_pages():
            self.deployment.node.add_dependency(page)
        _explain_deployment_handler(Stack.of(self))
        return self.deployment

    def _folder_pages(self) -> list[cr.AwsCustomResource]:
        """One object per folder URL, `folders/<url>`, holding that folder's index.html (a key may end in a slash;
        a file cannot, so `BucketDeployment` cannot write it). The page's text is a property: a changed page is
        written again on the next deployment; a removed URL's object is deleted."""
        keys = {url: f"{FOLDERS_PREFIX}{url}" for url in self.pages}
        policy = cr.AwsCustomResourcePolicy.from_statements(
            [
                iam.PolicyStatement(
                    actions=["s3:PutObject", "s3:DeleteObject"],
                    resources=[self.bucket.arn_for_objects(key) for key in keys.values()],
                )
            ]
        )
        pages = []
        for number, (url, index) in enumerate(self.pages.items()):
            put = cr.AwsSdkCall(
                service="S3",
                action="putObject",
                parameters={
                    "Bucket": self.bucket.bucket_name,
                    "Key": keys[url],
                    "Body": index.read_text(encoding="utf-8"),
                    "ContentType": "text/html; charset=utf-8",
                },
                physical_resource_id=cr.PhysicalResourceId.of(keys[url]),
            )
            pages.append(
                cr.AwsCustomResource(
                    self,
                    f"FolderPage{number}",
                    on_create=put,
                    on_update=put,
                    on_delete=cr.AwsSdkCall(
                        service="S3", action="deleteObject", parameters={"Bucket": self.bucket.bucket_name, "Key": keys[url]}
                    ),
                    policy=policy,
                    install_latest_aws_sdk=False,  # the runtime's SDK: nothing fetched from npm at deployment
                )
            )
        return pages


def _legacy_cache_settings(distribution: cloudfront.Distribution, *, behaviours: int) -> None:
    """CloudFront in China rejects `CachePolicyId` ("can't be set for this region": aws/aws-cdk#31033): each
    behaviour caches with the legacy settings instead, as the managed CachingOptimized policy does (no query
    string, no cookies, no headers in the key; CloudFront's default TTLs, the origin's Cache-Control honoured)."""
    config = distribution.node.default_child
    legacy = {"QueryString": False, "Cookies": {"Forward": "none"}}
    for path in ("DefaultCacheBehavior", *(f"CacheBehaviors.{i}" for i in range(behaviours))):
        config.add_property_deletion_override(f"DistributionConfig.{path}.CachePolicyId")
        config.add_property_override(f"DistributionConfig.{path}.ForwardedValues", legacy)


def _explain_deployment_handler(stack: Stack) -> None:
    """The deployment's custom resource (one singleton Lambda per stack, built by aws_s3_deployment)."""
    for child in stack.node.children:
        if child.node.id.startswith("Custom::CDKBucketDeployment"):
            NagSuppressions.add_resource_suppressions(
                child,
                [
                    NagPackSuppression(
                        id="AwsSolutions-IAM5",
                        reason=(
                            "aws_s3_deployment's handler copies the staged apps/ archive from the CDK assets bucket and "
                            "syncs it into the apps bucket (objects of those two buckets only), then invalidates "
                            "the distribution's cache (cloudfront:CreateInvalidation takes no resource)."
                        ),
                        applies_to=[
                            *(f"Action::s3:{verb}*" for verb in ("GetObject", "GetBucket", "List", "DeleteObject", "Abort")),
                            RegexAppliesTo(regex="/^Resource::<AppsBucket[A-Za-z0-9]+\\.Arn>\\/\\*$/"),
                            RegexAppliesTo(
                                regex="/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-(<AWS::Region>|[a-z]{2}-[a-z]+-[0-9])\\/\\*$/"
                            ),
                        ],
                    ),
                    NagPackSuppression(
                        id="AwsSolutions-L1",
                        reason="The deployment handler's runtime is chosen by aws-cdk-lib, which updates it.",
                    ),
                ],
                apply_to_children=True,
            )
