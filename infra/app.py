"""Builds the CDK app: the Linli stack for its target (the global partition, or AWS China by `-c region=cn-…`:
infra/target.py), checked by cdk-nag's AWS Solutions rules on every synth."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The stack reads the function catalogue, the route table and the ASL module, which live beside the handlers.
if str(ROOT / "functions") not in sys.path:
    sys.path.insert(0, str(ROOT / "functions"))

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.stack import LinliStack  # noqa: E402
from infra.target import target_for  # noqa: E402

STACK_NAME = "Linli"
# What an operator may give with -c (docs/deploy-china.md).
TARGET_CONTEXT = ("region", "api_domain", "api_certificate_arn", "apps_domain", "apps_certificate", "wechat_template_ids")


def build_app(context: dict[str, Any] | None = None) -> tuple[cdk.App, LinliStack]:
    # Server access logs are granted by a bucket policy, not the legacy LogDeliveryWrite ACL (cfn-lint W3045).
    app = cdk.App(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True, **(context or {})})
    target = target_for({key: app.node.try_get_context(key) for key in TARGET_CONTEXT})
    stack = LinliStack(
        app,
        STACK_NAME,
        target=target,
        description="邻里 Linli: door-to-door repair for old residential compounds",
        env=cdk.Environment(account=app.node.try_get_context("account"), region=target.region),
    )
    cdk.Tags.of(app).add("project", "linli")
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return app, stack


def main() -> None:
    app, _ = build_app()
    app.synth()
