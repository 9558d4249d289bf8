"""The client apps' hosting on the synthesized template (infra/constructs/hosting.py): a private bucket that only
the distribution reads (origin access control), security headers, the deployment of apps/ with its config.js,
and the API's CORS for the apps' origin only."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.constructs.hosting import INDEX_FUNCTION
from tests.infrastructure.conftest import BUCKET_DEPLOYMENT_HANDLER

ROOT = Path(__file__).resolve().parents[2]


def _one(synthesized, cfn_type: str, prefix: str = "") -> tuple[str, dict]:
    [(lid, resource)] = [(lid, r) for lid, r in synthesized.of_type(cfn_type).items() if lid.startswith(prefix)]
    return lid, resource["Properties"]


def test_the_apps_bucket_is_private_encrypted_and_logged(synthesized):
    lid, props = _one(synthesized, "AWS::S3::Bucket", "AppsBucket")
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    assert props["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}  # no ACLs
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "apps/"
    assert "WebsiteConfiguration" not in props  # never a public website endpoint


def test_only_the_distribution_reads_the_bucket_and_only_over_tls(synthesized):
    bucket_id, _ = _one(synthesized, "AWS::S3::Bucket", "AppsBucket")
    distribution_id, _ = _one(synthesized, "AWS::CloudFront::Distribution")
    [policy] = [
        p for p in synthesized.of_type("AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    deny, allow = [s for s in statements if s["Effect"] == "Deny"], [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Condition"] for s in deny] == [{"Bool": {"aws:SecureTransport": "false"}}]
    [read] = allow  # nothing else is allowed: no public read, no other principal
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/*"]]}
    source = json.dumps(read["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert ":distribution/" in source and distribution_id in source  # this distribution, not any


def test_the_distribution_reaches_the_bucket_with_origin_access_control(synthesized):
    oac_id, oac = _one(synthesized, "AWS::CloudFront::OriginAccessControl")
    assert oac["OriginAccessControlConfig"] | {"Name": None} == {
        "Name": None,
        "OriginAccessControlOriginType": "s3",
        "SigningBehavior": "always",
        "SigningProtocol": "sigv4",
    }
    bucket_id, _ = _one(synthesized, "AWS::S3::Bucket", "AppsBucket")
    _, props = _one(synthesized, "AWS::CloudFront::Distribution")
    [origin] = props["DistributionConfig"]["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    assert not synthesized.of_type("AWS::CloudFront::CloudFrontOriginAccessIdentity")


def test_the_distribution_serves_https_only_with_security_headers_and_logs(synthesized):
    headers_id, headers = _one(synthesized, "AWS::CloudFront::ResponseHeadersPolicy")
    _, props = _one(synthesized, "AWS::CloudFront::Distribution")
    config = props["DistributionConfig"]
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": headers_id}
    assert [f["EventType"] for f in behaviour["FunctionAssociations"]] == ["viewer-request"]
    assert config["Logging"]["Prefix"] == "cloudfront/"
    security = headers["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 365 * 86400 and hsts["IncludeSubdomains"] and hsts["Override"]
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = "".join(
        p if isinstance(p, str) else "<token>" for p in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Join"][1]
    )
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["default-src"] == "'self'"
    assert "https://*.execute-api.<token>.<token>" in directives["connect-src"]  # the API, in the stack's region


def test_apps_are_deployed_under_app_with_a_generated_config_and_the_cache_invalidated(synthesized):
    _, deployment = _one(synthesized, "Custom::CDKBucketDeployment")
    bucket_id, _ = _one(synthesized, "AWS::S3::Bucket", "AppsBucket")
    distribution_id, _ = _one(synthesized, "AWS::CloudFront::Distribution")
    api_id, _ = _one(synthesized, "AWS::ApiGatewayV2::Api")
    assert deployment["DestinationBucketName"] == {"Ref": bucket_id}
    assert deployment["DestinationBucketKeyPrefix"] == "app/"
    assert deployment["Prune"] is True
    assert deployment["DistributionId"] == {"Ref": distribution_id} and deployment["DistributionPaths"] == ["/app/*"]
    # two sources: apps/ as it is (without the sandbox's config.js) and the generated config.js with the API's URL
    files, config = (synthesized.assembly_dir / f"asset.{key.removesuffix('.zip')}" for key in deployment["SourceObjectKeys"])
    assert (files / "resident" / "index.html").read_bytes() == (ROOT / "apps" / "resident" / "index.html").read_bytes()
    assert not (files / "config.js").exists()
    assert [p.name for p in config.iterdir()] == ["config.js"]
    [marker] = [m for m, value in deployment["SourceMarkers"][1].items() if value == {"Fn::GetAtt": [api_id, "ApiEndpoint"]}]
    assert f'export const API_BASE_URL = "{marker}";' in (config / "config.js").read_text(encoding="utf-8")
    # its handler is aws_s3_deployment's own, the one Lambda function outside the catalogue
    extra = set(synthesized.of_type("AWS::Lambda::Function")) - set(synthesized.platform_functions())
    assert len(extra) == 1 and next(iter(extra)).startswith(BUCKET_DEPLOYMENT_HANDLER)


def test_the_api_answers_preflights_for_the_apps_origin_only(synthesized):
    distribution_id, _ = _one(synthesized, "AWS::CloudFront::Distribution")
    _, api = _one(synthesized, "AWS::ApiGatewayV2::Api")
    cors = api["CorsConfiguration"]
    assert cors["AllowOrigins"] == [{"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}]
    assert set(cors["AllowHeaders"]) == {"authorization", "content-type", "idempotency-key"}
    assert "AllowCredentials" not in cors  # the token is a header, never a cookie


@pytest.mark.skipif(not shutil.which("node"), reason="node runs the CloudFront function's JavaScript")
def test_the_viewer_request_function_serves_folders_and_redirects_as_the_sandbox_does():
    uris = ["/", "/app", "/app/", "/app/resident/", "/app/resident", "/app/shared/core.js"]
    script = (
        INDEX_FUNCTION
        + f"""
const out = {{}};
for (const uri of {json.dumps(uris)}) {{
  const r = handler({{ request: {{ uri, querystring: {{}}, headers: {{}} }} }});
  out[uri] = r.statusCode ? [r.statusCode, r.headers.location.value] : r.uri;
}}
console.log(JSON.stringify(out));
"""
    )
    result = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=30).stdout)
    assert result == {
        "/": [301, "/app/"],
        "/app": [301, "/app/"],
        "/app/": "/app/index.html",
        "/app/resident/": "/app/resident/index.html",
        "/app/resident": [301, "/app/resident/"],
        "/app/shared/core.js": "/app/shared/core.js",
    }
