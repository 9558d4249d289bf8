"""The client apps' hosting on the synthesized template (infra/constructs/hosting.py): a private bucket that only
the distribution reads (origin access control), security headers, the folder pages (no CloudFront Function), the
deployment of apps/ with its config.js, and the API's CORS for the apps' origin only. The AWS China differences:
test_china_stack.py."""

from __future__ import annotations

import json
from pathlib import Path

from infra.constructs.hosting import FOLDERS_PREFIX, folder_pages
from tests.infrastructure.conftest import BUCKET_DEPLOYMENT_HANDLER, SDK_CALL_PROVIDER

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
    origins = props["DistributionConfig"]["Origins"]
    assert [o.get("OriginPath") for o in origins] == [None, f"/{FOLDERS_PREFIX}"]  # the apps, the folder pages
    for origin in origins:
        assert origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
        assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
        assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    assert not synthesized.of_type("AWS::CloudFront::CloudFrontOriginAccessIdentity")


def test_each_folder_url_serves_its_index_page_without_a_cloudfront_function(synthesized):
    """What the sandbox does for a folder, with S3 and CloudFront only (no CloudFront Function exists in China):
    each folder URL, with or without its slash, has a behaviour reading the object `folders/<url>`, which a custom
    resource writes with the folder's index.html as it is in apps/; the root serves the sign-in screen."""
    assert not synthesized.of_type("AWS::CloudFront::Function")
    bucket_id, _ = _one(synthesized, "AWS::S3::Bucket", "AppsBucket")
    _, props = _one(synthesized, "AWS::CloudFront::Distribution")
    config = props["DistributionConfig"]
    assert "FunctionAssociations" not in config["DefaultCacheBehavior"]
    assert config["DefaultRootObject"] == "app/index.html"
    folders_origin = config["Origins"][1]["Id"]
    pages = folder_pages()
    assert {"/app/", "/app", "/app/resident/", "/app/resident", "/app/technician/", "/app/company/"} <= set(pages)
    assert pages["/app/resident/"] == ROOT / "apps" / "resident" / "index.html"
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviours) == set(pages)
    assert {b["TargetOriginId"] for b in behaviours.values()} == {folders_origin}
    assert all(
        b["ResponseHeadersPolicyId"] == config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] for b in behaviours.values()
    )
    written = {}
    for resource in synthesized.of_type("Custom::AWS").values():
        create = json.loads(_text(resource["Properties"]["Create"]))
        assert create["service"] == "S3" and create["action"] == "putObject"
        assert create["parameters"]["Bucket"] == f"<Ref {bucket_id}>"
        assert create["parameters"]["ContentType"] == "text/html; charset=utf-8"
        written[create["parameters"]["Key"]] = create["parameters"]["Body"]
        delete = json.loads(_text(resource["Properties"]["Delete"]))
        assert delete["action"] == "deleteObject" and delete["parameters"]["Key"] == create["parameters"]["Key"]
        assert not resource["Properties"]["InstallLatestAwsSdk"] or resource["Properties"]["InstallLatestAwsSdk"] == "false"
    assert written == {f"{FOLDERS_PREFIX}{url}": index.read_text(encoding="utf-8") for url, index in pages.items()}
    # written before the deployment, whose invalidation then covers them
    deployment_id, _ = _one(synthesized, "Custom::CDKBucketDeployment")
    assert set(synthesized.of_type("Custom::AWS")) <= set(synthesized.resources[deployment_id]["DependsOn"])


def _text(value) -> str:
    """A CloudFormation string (a literal or an Fn::Join) as text, references as <Ref X>."""
    if isinstance(value, str):
        return value
    return "".join(p if isinstance(p, str) else f"<Ref {p['Ref']}>" for p in value["Fn::Join"][1])


def test_the_distribution_serves_https_only_with_security_headers_and_logs(synthesized):
    headers_id, headers = _one(synthesized, "AWS::CloudFront::ResponseHeadersPolicy")
    _, props = _one(synthesized, "AWS::CloudFront::Distribution")
    config = props["DistributionConfig"]
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": headers_id}
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
    assert "wss://*.execute-api.<token>.<token>" in directives["connect-src"]  # web push, in the stack's region


def test_apps_are_deployed_under_app_with_a_generated_config_and_the_cache_invalidated(synthesized):
    _, deployment = _one(synthesized, "Custom::CDKBucketDeployment")
    bucket_id, _ = _one(synthesized, "AWS::S3::Bucket", "AppsBucket")
    distribution_id, _ = _one(synthesized, "AWS::CloudFront::Distribution")
    api_id, _ = _one(synthesized, "AWS::ApiGatewayV2::Api", "Http")
    assert deployment["DestinationBucketName"] == {"Ref": bucket_id}
    assert deployment["DestinationBucketKeyPrefix"] == "app/"
    assert deployment["Prune"] is True
    assert deployment["DistributionId"] == {"Ref": distribution_id}
    assert deployment["DistributionPaths"] == ["/app/*", "/app", "/"]
    # two sources: apps/ as it is (without the sandbox's config.js) and the generated config.js with the API's URL
    files, config = (synthesized.assembly_dir / f"asset.{key.removesuffix('.zip')}" for key in deployment["SourceObjectKeys"])
    assert (files / "resident" / "index.html").read_bytes() == (ROOT / "apps" / "resident" / "index.html").read_bytes()
    assert not (files / "config.js").exists()
    assert [p.name for p in config.iterdir()] == ["config.js"]
    markers = deployment["SourceMarkers"][1]
    [api_marker] = [m for m, value in markers.items() if value == {"Fn::GetAtt": [api_id, "ApiEndpoint"]}]
    [push_api_id] = synthesized.of_api("AWS::ApiGatewayV2::Api", "WEBSOCKET")
    [push_api_marker] = [m for m, value in markers.items() if value == {"Ref": push_api_id}]
    text = (config / "config.js").read_text(encoding="utf-8")
    assert f'export const API_BASE_URL = "{api_marker}";' in text
    [push_line] = [line for line in text.splitlines() if line.startswith("export const PUSH_URL")]
    assert push_line.startswith(f'export const PUSH_URL = "wss://{push_api_marker}.execute-api.') and push_line.endswith(
        '/live";'
    )
    # its handler is aws_s3_deployment's own; with the folder pages' writer, the two Lambda functions outside the catalogue
    extra = set(synthesized.of_type("AWS::Lambda::Function")) - set(synthesized.platform_functions())
    assert sorted(lid[:6] for lid in extra) == sorted([BUCKET_DEPLOYMENT_HANDLER[:6], SDK_CALL_PROVIDER[:6]])


def test_the_api_answers_preflights_for_the_apps_origin_only(synthesized):
    distribution_id, _ = _one(synthesized, "AWS::CloudFront::Distribution")
    _, api = _one(synthesized, "AWS::ApiGatewayV2::Api", "Http")
    cors = api["CorsConfiguration"]
    assert cors["AllowOrigins"] == [{"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}]
    assert set(cors["AllowHeaders"]) == {"authorization", "content-type", "idempotency-key"}
    assert "AllowCredentials" not in cors  # the token is a header, never a cookie
