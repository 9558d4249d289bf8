"""Every Lambda function in `deploy.catalog`, with the platform's defaults in one place, and its table grant."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import AssetHashType, BundlingOptions, DockerImage, Duration, RemovalPolicy, Stack, Stage
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_xray as xray
from constructs import Construct

from deploy.catalog import FUNCTIONS, LAMBDA_RUNTIME, FunctionSpec, TableAccess
from infra.bundling import PipLayerBundling, stage_function_code

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = lambda_.Runtime(LAMBDA_RUNTIME, lambda_.RuntimeFamily.PYTHON)

# Step Functions and API Gateway wait at most 29 s for an API answer; no handler should come near it.
DEFAULT_TIMEOUT = Duration.seconds(15)
DEFAULT_MEMORY_MB = 512  # Powertools + pydantic import in ~1/3 the time at 512 MB than at 128 MB

# Tracing (docs/security.md): a trace holds timings, never a handler's answer or error (shared.observability turns
# capture off in code; the environment says the same for any tracer built elsewhere). Two settings, CDK context:
#   tracing              active (default) | pass_through (traced only when the caller, e.g. the workflow, sampled)
#                        | disabled
#   trace_sampling_rate  the share of workflow executions traced beyond one a second (default 0.05); Lambda's own
#                        sampling of the calls it starts is AWS's fixed one request a second and 5 % more.
TRACING_MODES = {
    "active": lambda_.Tracing.ACTIVE,
    "pass_through": lambda_.Tracing.PASS_THROUGH,
    "disabled": lambda_.Tracing.DISABLED,
}
NO_CAPTURE = {"POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false", "POWERTOOLS_TRACER_CAPTURE_ERROR": "false"}
DEFAULT_TRACE_SAMPLING_RATE = 0.05


class PlatformFunctions(Construct):
    """`functions[name]` is the deployed function of catalogue entry `name`."""

    def __init__(self, scope: Construct, construct_id: str, *, table: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            description="Linli runtime dependencies (requirements.in): Powertools, pydantic, PynamoDB",
            code=lambda_.Code.from_asset(
                str(ROOT),
                exclude=["*", "!requirements.in", "!requirements-dev.lock"],
                asset_hash_type=AssetHashType.SOURCE,
                bundling=BundlingOptions(
                    # Never pulled: the local bundler always succeeds, so no Docker is needed.
                    image=DockerImage.from_registry(f"public.ecr.aws/sam/build-{LAMBDA_RUNTIME}"),
                    local=PipLayerBundling(
                        requirements=ROOT / "requirements.in",
                        constraints=ROOT / "requirements-dev.lock",
                        python_version=LAMBDA_RUNTIME.removeprefix("python"),
                    ),
                ),
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.ARM_64],
        )
        # functions/ and the API document assembled at deploy time, staged beside the cloud assembly.
        staged = stage_function_code(ROOT / "functions", Path(Stage.of(self).outdir) / "linli-functions")
        code = lambda_.Code.from_asset(str(staged))
        mode = str(self.node.try_get_context("tracing") or "active")
        if mode not in TRACING_MODES:
            raise ValueError(f"context tracing={mode!r}: one of {sorted(TRACING_MODES)}")
        self.tracing = TRACING_MODES[mode]
        rate = float(self.node.try_get_context("trace_sampling_rate") or DEFAULT_TRACE_SAMPLING_RATE)
        if not 0 <= rate <= 1:
            raise ValueError(f"context trace_sampling_rate={rate}: between 0 and 1")
        self.sampling = xray.CfnSamplingRule(
            self,
            "TraceSampling",
            sampling_rule=xray.CfnSamplingRule.SamplingRuleProperty(
                rule_name=f"{Stack.of(self).stack_name}-workflow"[:32],
                priority=100,
                fixed_rate=rate,
                reservoir_size=1,
                service_name="*",
                service_type="AWS::StepFunctions::StateMachine",
                host="*",
                http_method="*",
                url_path="*",
                resource_arn="*",
                version=1,
            ),
        )
        self.functions: dict[str, lambda_.Function] = {spec.name: self._function(spec, code, table) for spec in FUNCTIONS}

    def _function(self, spec: FunctionSpec, code: lambda_.Code, table: dynamodb.ITable) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            f"{spec.name}Logs",
            retention=logs.RetentionDays.SIX_MONTHS,
            removal_policy=RemovalPolicy.RETAIN,
        )
        fn = lambda_.Function(
            self,
            spec.name,
            description=spec.description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=spec.handler,
            code=code,
            layers=[self.dependencies],
            timeout=DEFAULT_TIMEOUT,
            memory_size=DEFAULT_MEMORY_MB,
            tracing=self.tracing,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=log_group,
            environment={
                "LINLI_TABLE_NAME": table.table_name,
                "POWERTOOLS_SERVICE_NAME": "linli",
                "POWERTOOLS_METRICS_NAMESPACE": "Linli",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **NO_CAPTURE,
            },
        )
        if spec.table_keys:
            grant_leading_keys(fn, table, spec)
        elif spec.table == TableAccess.READ_WRITE:
            table.grant_read_write_data(fn)
        else:
            table.grant_read_data(fn)
            if spec.table == TableAccess.READ_UPDATE:
                table.grant(fn, "dynamodb:UpdateItem")
        return fn


KEYED_READS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem")
KEYED_WRITES = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")


def grant_leading_keys(fn: lambda_.Function, table: dynamodb.ITable, spec: FunctionSpec) -> None:
    """Item access only under the function's partition-key prefixes. `Null: false` makes a request without keys (a
    Scan) fail the condition, which `ForAllValues` alone would let through."""
    writes = {TableAccess.READ: (), TableAccess.READ_UPDATE: ("dynamodb:UpdateItem",), TableAccess.READ_WRITE: KEYED_WRITES}
    fn.add_to_role_policy(
        iam.PolicyStatement(
            actions=[*KEYED_READS, *writes[spec.table]],
            resources=[table.table_arn],
            conditions={
                "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{prefix}*" for prefix in spec.table_keys]},
                "Null": {"dynamodb:LeadingKeys": "false"},
            },
        )
    )
    fn.add_to_role_policy(iam.PolicyStatement(actions=["dynamodb:DescribeTable"], resources=[table.table_arn]))
