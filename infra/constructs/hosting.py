"""Hosting of the client apps (`apps/`, static files, no build step): a private, encrypted S3 bucket that only
CloudFront reads (origin access control), served under /app/ as in the sandbox, with security headers.

The files are deployed by `aws_s3_deployment` from the `apps/` folder as it is (a plain directory asset: no
Docker), with a generated `app/config.js` that tells the apps the HTTP API's URL and how to sign in (infra/apps_config.py)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import Construct

from infra.apps_config import SignIn, config_js

APPS_DIR = Path(__file__).resolve().parents[2] / "apps"
APP_PREFIX = "app/"  # the apps' own links are absolute (/app/shared/core.js …), as the sandbox serves them
CONFIG_FILE = "config.js"  # apps/config.js in the sandbox (same origin); generated here

# A folder (/app/resident/) gives its index.html, a folder without its slash and the root are redirected, as
# the sandbox does (local/sandbox.py). CloudFront Functions JavaScript runtime 2.0.
INDEX_FUNCTION = """
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/" || uri === "/app") {
    return { statusCode: 301, statusDescription: "Moved Permanently", headers: { location: { value: "/app/" } } };
  }
  if (uri.endsWith("/")) {
    request.uri = uri + "index.html";
  } else if (uri.split("/").pop().indexOf(".") === -1) {
    return { statusCode: 301, statusDescription: "Moved Permanently", headers: { location: { value: uri + "/" } } };
  }
  return request;
}
""".strip()


def content_security_policy(documents_bucket: str, sign_in_domain: str) -> str:
    """Scripts, styles and images from the apps' own origin only (style attributes allowed: the apps set a few);
    fetches to the region's HTTP APIs, the documents bucket (uploads through pre-signed URLs) and the sign-in domain
    (Cognito's token and revocation endpoints), the region's WebSocket APIs (web push); no framing."""
    api = f"https://*.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"
    push = f"wss://*.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"
    documents = f"https://{documents_bucket}.s3.{Aws.REGION}.{Aws.URL_SUFFIX}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            f"connect-src 'self' {api} {push} {documents} {sign_in_domain}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class AppHosting(Construct):
    """The bucket and the distribution; `publish` adds the deployment once the API's URL is known."""

    def __init__(
        self, scope: Construct, construct_id: str, *, logs: s3.IBucket, documents_bucket: str, sign_in_domain: str
    ) -> None:
        super().__init__(scope, construct_id)
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
                    content_security_policy=content_security_policy(documents_bucket, sign_in_domain), override=True
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
        index = cloudfront.Function(
            self,
            "IndexFunction",
            code=cloudfront.FunctionCode.from_inline(INDEX_FUNCTION),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Folders give their index.html; /app and / redirect to /app/",
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Linli client apps (apps/)",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(function=index, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)
                ],
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix="cloudfront/",
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
                        "default *.cloudfront.net name CloudFront's own policy applies until the district's domain "
                        "and its ACM certificate are attached at deployment."
                    ),
                ),
            ],
        )

    @property
    def origin(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def publish(self, api_url: str, push_url: str, sign_in: SignIn) -> s3deploy.BucketDeployment:
        """apps/ to app/ in the bucket (pruned), with the generated config.js (the API's URL, web push's, Cognito's
        managed login and the apps' client); CloudFront's cache invalidated."""
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
            distribution_paths=[f"/{APP_PREFIX}*"],
            prune=True,
        )
        _explain_deployment_handler(Stack.of(self))
        return self.deployment


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
                                regex="/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\\/\\*$/"
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
