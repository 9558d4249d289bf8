"""Synthesize the stack once per test session (about 10 s of jsii); bundling is skipped, the template is not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# aws_s3_deployment's singleton handler (infra/constructs/hosting.py): its logical id starts so.
BUCKET_DEPLOYMENT_HANDLER = "CustomCDKBucketDeployment"


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
        """The catalogue's functions: every Lambda function but aws_s3_deployment's handler (the apps' upload)."""
        functions = self.of_type("AWS::Lambda::Function")
        return {lid: r for lid, r in functions.items() if not lid.startswith(BUCKET_DEPLOYMENT_HANDLER)}

    def function_ids_by_handler(self) -> dict[str, str]:
        return {r["Properties"]["Handler"]: lid for lid, r in self.of_type("AWS::Lambda::Function").items()}

    def policy_statements_of_role(self, role_id: str) -> list[dict]:
        statements = []
        for policy in self.of_type("AWS::IAM::Policy").values():
            if {"Ref": role_id} in policy["Properties"]["Roles"]:
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements


@pytest.fixture(scope="session")
def synthesized() -> Synthesized:
    from aws_cdk.assertions import Template

    from infra.app import build_app

    app, stack = build_app(context={"aws:cdk:bundling-stacks": []})
    assembly = app.synth()
    template = Template.from_stack(stack)
    return Synthesized(
        stack=stack, assembly_dir=Path(assembly.directory), template=template, resources=template.to_json()["Resources"]
    )
