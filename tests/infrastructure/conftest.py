"""Synthesize the stack once per test session and target (about 25 s of jsii each: the global target, and the AWS
China target in each of its two regions only when a China test asks for it); bundling is skipped, the template is
not."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.target import CHINA_REGIONS

# aws_s3_deployment's singleton handler (infra/constructs/hosting.py): its logical id starts so.
BUCKET_DEPLOYMENT_HANDLER = "CustomCDKBucketDeployment"
# custom_resources.AwsCustomResource's singleton provider (the folder pages, infra/constructs/hosting.py).
SDK_CALL_PROVIDER = "AWS679f53fac002430cb0da5b7982bd2287"


@dataclass
class Synthesized:
    stack: Any
    assembly_dir: Path  # the cloud assembly (cdk.out), with the staged assets
    template: Any  # aws_cdk.assertions.Template
    resources: dict[str, dict]  # logical id → resource, from the template's JSON

    def of_type(self, cfn_type: str) -> dict[str, dict]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == cfn_type}

    def of_api(self, cfn_type: str, protocol: str = "HTTP") -> dict[str, dict]:
        """The API itself, or its routes, integrations or stages (`cfn_type`): the HTTP API's, or the WebSocket
        API's (web push)."""
        apis = {lid for lid, r in self.of_type("AWS::ApiGatewayV2::Api").items() if r["Properties"]["ProtocolType"] == protocol}
        if cfn_type == "AWS::ApiGatewayV2::Api":
            return {lid: r for lid, r in self.of_type(cfn_type).items() if lid in apis}
        return {lid: r for lid, r in self.of_type(cfn_type).items() if r["Properties"]["ApiId"].get("Ref") in apis}

    def platform_functions(self) -> dict[str, dict]:
        """The catalogue's functions: every Lambda function but the two that deploy the apps (aws_s3_deployment's
        handler, and the SDK-call provider that writes the folder pages)."""
        functions = self.of_type("AWS::Lambda::Function")
        return {lid: r for lid, r in functions.items() if not lid.startswith((BUCKET_DEPLOYMENT_HANDLER, SDK_CALL_PROVIDER))}

    def function_ids_by_handler(self) -> dict[str, str]:
        return {r["Properties"]["Handler"]: lid for lid, r in self.of_type("AWS::Lambda::Function").items()}

    @property
    def template_file(self) -> Path:
        return self.assembly_dir / f"{self.stack.stack_name}.template.json"

    def cfn_lint(self) -> subprocess.CompletedProcess:
        """cfn-lint on the synthesized template, against the regions of its target (AWS China: both China regions).
        W3005: CDK writes DependsOn next to a GetAtt that already implies it; redundant, never wrong."""
        return subprocess.run(
            [
                str(Path(sys.executable).with_name("cfn-lint")),
                "--ignore-checks",
                "W3005",
                "--regions",
                *self.stack.target.lint_regions,
                "--",
                str(self.template_file),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )

    def policy_statements_of_role(self, role_id: str) -> list[dict]:
        statements = []
        for policy in self.of_type("AWS::IAM::Policy").values():
            if {"Ref": role_id} in policy["Properties"]["Roles"]:
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements


def synthesize(context: dict[str, Any] | None = None) -> Synthesized:
    from aws_cdk.assertions import Template

    from infra.app import build_app

    app, stack = build_app(context={"aws:cdk:bundling-stacks": [], **(context or {})})
    assembly = app.synth()
    template = Template.from_stack(stack)
    return Synthesized(
        stack=stack, assembly_dir=Path(assembly.directory), template=template, resources=template.to_json()["Resources"]
    )


@pytest.fixture(scope="session")
def synthesized() -> Synthesized:
    """The global target, as `make synth` builds it."""
    return synthesize()


@pytest.fixture(scope="session", params=CHINA_REGIONS)
def synthesized_china(request) -> Synthesized:
    """The AWS China target, as `make synth REGION=<region>` builds it, once per China region."""
    return synthesize({"region": request.param})
