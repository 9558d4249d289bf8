"""The synthesized CloudFormation template: what `cdk deploy` would create, checked against the code's own tables
(function catalogue, route table, ASL file, table keys) so that the sandbox and AWS cannot drift apart."""

from __future__ import annotations

import json

import pytest

from deploy.catalog import (
    FUNCTIONS,
    LAMBDA_RUNTIME,
    MAX_RECEIVES,
    NOTIFY_STREAM_FILTER,
    QUEUES,
    DocumentAccess,
    TableAccess,
    Trigger,
    WorkflowAccess,
    by_trigger,
    queue,
)
from deploy.routes import ROUTES
from infra.target import TOKEN_AUDIENCE
from statemachines import ORDER_LIFECYCLE_ASL, placeholder_values, substitute
from tests.infrastructure.expected import IDENTITY, WECHAT_CLIENTS

DYNAMODB_WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _role_of(synthesized, function_id: str) -> str:
    return synthesized.resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]


# --- Lambda functions --------------------------------------------------------------------------------


def test_every_catalogued_function_is_deployed_once_with_the_platform_defaults(synthesized):
    deployed = synthesized.platform_functions()
    by_handler = {r["Properties"]["Handler"]: r["Properties"] for r in deployed.values()}
    assert set(by_handler) == {f.handler for f in FUNCTIONS}
    for props in by_handler.values():
        assert props["Runtime"] == LAMBDA_RUNTIME
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert len(props["Layers"]) == 1, "the dependencies layer"
        assert props["Environment"]["Variables"]["LINLI_TABLE_NAME"] == {"Ref": _table_id(synthesized)}


def test_the_functions_code_is_functions_and_the_api_document_without_the_deploy_lists(synthesized):
    # Given the one code asset every catalogued function is deployed from
    from pathlib import Path

    from deploy.openapi import openapi_document
    from orders.service.api_document import PACKAGED

    keys = {r["Properties"]["Code"]["S3Key"] for r in synthesized.platform_functions().values()}
    assert len(keys) == 1, keys
    code = synthesized.assembly_dir / f"asset.{keys.pop().removesuffix('.zip')}"
    functions = Path(__file__).resolve().parents[2] / "functions"
    # Then it holds functions/ and nothing beside it: no deploy/ (nor infra/, local/, tests/), no caches
    assert {p.name for p in code.iterdir()} == {p.name for p in functions.iterdir() if p.name != "__pycache__"}
    assert not (code / "deploy").exists() and not list(code.rglob("__pycache__"))
    assert not list(code.rglob("catalog.py")) and not list(code.rglob("routes.py"))
    # and every handler, and the API document assembled at deploy time where GET /openapi.json reads it
    for spec in FUNCTIONS:
        assert (code / (spec.handler.rsplit(".", 1)[0].replace(".", "/") + ".py")).is_file(), spec.handler
    packaged = code / PACKAGED.relative_to(functions)
    assert json.loads(packaged.read_text(encoding="utf-8")) == openapi_document()


def test_only_functions_that_touch_the_workflow_know_the_state_machine(synthesized):
    ids = synthesized.function_ids_by_handler()
    for spec in FUNCTIONS:
        env = synthesized.resources[ids[spec.handler]]["Properties"]["Environment"]["Variables"]
        assert ("LINLI_STATE_MACHINE_ARN" in env) == bool(spec.workflow), spec.name


# --- Least privilege ---------------------------------------------------------------------------------


EXPECTED_WORKFLOW_ACTIONS = {
    WorkflowAccess.START: {"states:StartExecution"},
    WorkflowAccess.RESUME: {"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"},
    WorkflowAccess.STOP: {"states:StopExecution"},
    WorkflowAccess.READ_HISTORY: {"states:DescribeExecution", "states:GetExecutionHistory"},
    WorkflowAccess.READ_EVENTS: {"states:GetExecutionHistory"},
}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda f: f.name)
def test_each_function_gets_exactly_the_access_the_catalogue_declares(synthesized, spec):
    function_id = synthesized.function_ids_by_handler()[spec.handler]
    statements = synthesized.policy_statements_of_role(_role_of(synthesized, function_id))
    actions = set().union(*(_actions(s) for s in statements))

    assert not any(a.endswith("*") and a.split(":")[0] in ("dynamodb", "states", "lambda") for a in actions)
    dynamodb_writes = actions & DYNAMODB_WRITES
    if spec.table == TableAccess.READ:
        assert not dynamodb_writes
    elif spec.table == TableAccess.READ_UPDATE:
        assert dynamodb_writes == {"dynamodb:UpdateItem"}
    else:
        assert dynamodb_writes == DYNAMODB_WRITES
    scans = "dynamodb:Scan" in actions or bool(spec.table_keys)  # narrowed to key prefixes: no Scan
    assert "dynamodb:Query" in actions and scans or spec.table == TableAccess.READ

    expected_states = set().union(*(EXPECTED_WORKFLOW_ACTIONS[a] for a in spec.workflow)) if spec.workflow else set()
    assert {a for a in actions if a.startswith("states:")} == expected_states
    assert not {a for a in actions if a.startswith("lambda:")}, "functions never invoke each other"
    assert ("events:PutEvents" in actions) == spec.publishes_events
    assert ("sns:Publish" in actions) == spec.sends_sms, "the global target sends SMS through SNS"
    assert ({"kms:Sign", "kms:GetPublicKey"} <= actions) == (spec.name == IDENTITY), "only Identity signs tokens"
    archive_kms = ({"kms:GenerateDataKey"} if DocumentAccess.PUT in spec.histories else set()) | (
        {"kms:Decrypt"} if DocumentAccess.GET in spec.histories else set()
    )
    assert {a for a in actions if a in ("kms:GenerateDataKey", "kms:Decrypt")} == archive_kms, "the history archive's key"
    assert not {a for a in actions if a.startswith("kms:")} - {"kms:Sign", "kms:GetPublicKey"} - archive_kms
    assert ("secretsmanager:GetSecretValue" in actions) == (spec.name in WECHAT_CLIENTS), "the WeChat secret only"
    assert ("execute-api:ManageConnections" in actions) == spec.pushes
    names = {logical_id: name for name, logical_id in _queue_ids_by_name(synthesized).items()}

    def queues_allowed(action: str) -> set[str]:
        return {
            names.get(resource["Fn::GetAtt"][0], "(another queue)")
            for statement in statements
            if action in _actions(statement)
            for resource in (statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]])
        }

    # The stream function also sends failed batches' descriptions to its own dead-letter queue.
    expected_sends = set(spec.sends_to) | ({"(another queue)"} if spec.trigger == Trigger.STREAM else set())
    assert queues_allowed("sqs:SendMessage") == expected_sends
    assert queues_allowed("sqs:ReceiveMessage") == set(spec.peeks) | ({spec.consumes} if spec.consumes else set())
    assert queues_allowed("sqs:DeleteMessage") == ({spec.consumes} if spec.consumes else set()), "only a consumer takes"


def test_sms_may_go_to_phone_numbers_but_never_to_a_topic(synthesized):
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "sns:Publish" in _actions(statement):
                assert "Resource" not in statement and statement["NotResource"] == "arn:*:sns:*:*:*"


def test_workflow_access_is_limited_to_the_order_state_machine_and_its_executions(synthesized):
    machine_name = synthesized.resources[_state_machine_id(synthesized)]["Properties"]["StateMachineName"]
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if any(a.startswith("states:") for a in _actions(statement)):
                text = json.dumps(statement["Resource"])
                assert f":stateMachine:{machine_name}" in text or f":execution:{machine_name}:*" in text, statement


def test_the_state_machine_may_invoke_only_the_workflow_functions_and_update_and_read_the_table(synthesized):
    role_id = synthesized.resources[_state_machine_id(synthesized)]["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    statements = synthesized.policy_statements_of_role(role_id)
    invoke = [s for s in statements if "lambda:InvokeFunction" in _actions(s)]
    invoked = {r["Fn::GetAtt"][0] for s in invoke for r in s["Resource"] if isinstance(r, dict) and "Fn::GetAtt" in r}
    ids = synthesized.function_ids_by_handler()
    assert invoked == {ids[f.handler] for f in by_trigger(Trigger.WORKFLOW)}
    table_statements = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    assert [_actions(s) for s in table_statements] == [{"dynamodb:GetItem", "dynamodb:UpdateItem"}]
    assert table_statements[0]["Resource"] == {"Fn::GetAtt": [_table_id(synthesized), "Arn"]}


# --- The state machine -------------------------------------------------------------------------------


def _table_id(synthesized) -> str:
    (table_id,) = synthesized.of_type("AWS::DynamoDB::Table")
    return table_id


def _state_machine_id(synthesized) -> str:
    (machine_id,) = synthesized.of_type("AWS::StepFunctions::StateMachine")
    return machine_id


def _render(part) -> str:
    """A CloudFormation reference as a readable marker: {"Ref": "X"} → «Ref X», GetAtt → «X.Arn»."""
    if "Ref" in part:
        return f"«Ref {part['Ref']}»"
    return f"«{'.'.join(part['Fn::GetAtt'])}»"


def test_the_deployed_definition_is_the_asl_file_with_the_right_functions_substituted(synthesized):
    props = synthesized.resources[_state_machine_id(synthesized)]["Properties"]
    assert props["StateMachineType"] == "STANDARD"
    # Given the file CDK uploads as the definition…
    uploaded = synthesized.assembly_dir / f"asset.{props['DefinitionS3Location']['Key']}"
    assert uploaded.read_text(encoding="utf-8") == ORDER_LIFECYCLE_ASL.read_text(encoding="utf-8")
    # …and the values Step Functions substitutes into it at deployment,
    deployed = {name: _render(value) for name, value in props["DefinitionSubstitutions"].items()}
    # then each placeholder is the table or the workflow function the catalogue names, and none is left over.
    ids = synthesized.function_ids_by_handler()
    expected = placeholder_values(
        table_name=f"«Ref {_table_id(synthesized)}»",
        function_arns={f.name: f"«{ids[f.handler]}.Arn»" for f in by_trigger(Trigger.WORKFLOW)},
    )
    assert deployed == expected
    json.loads(substitute(uploaded.read_text(encoding="utf-8"), deployed))


def test_the_state_machine_is_traced_and_logs_errors_without_execution_data(synthesized):
    props = synthesized.resources[_state_machine_id(synthesized)]["Properties"]
    assert props["TracingConfiguration"] == {"Enabled": True}
    logging = props["LoggingConfiguration"]
    assert logging["Level"] == "ERROR"
    assert logging["IncludeExecutionData"] is False, "execution data would log task tokens"


def test_the_state_machines_log_level_is_a_setting():
    from infra.app import build_app
    from tests.infrastructure.conftest import synthesize

    every_state = synthesize({"workflow_log_level": "all"})
    props = every_state.resources[_state_machine_id(every_state)]["Properties"]
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False
    with pytest.raises(ValueError, match="workflow_log_level"):
        build_app(context={"aws:cdk:bundling-stacks": [], "workflow_log_level": "verbose"})


# --- Data ----------------------------------------------------------------------------------------------


def test_the_table_has_the_keys_and_indexes_the_sandbox_and_the_data_layer_use(synthesized):
    from local.runtime import table_definition

    props = synthesized.resources[_table_id(synthesized)]["Properties"]
    local = table_definition()
    assert props["KeySchema"] == local["KeySchema"]
    assert sorted(props["AttributeDefinitions"], key=str) == sorted(local["AttributeDefinitions"], key=str)

    def indexes(gsis):
        return {g["IndexName"]: (g["KeySchema"], g["Projection"]["ProjectionType"]) for g in gsis}

    assert indexes(props["GlobalSecondaryIndexes"]) == indexes(local["GlobalSecondaryIndexes"])
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    from shared.idempotency import TTL_ATTRIBUTE

    assert props["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert synthesized.resources[_table_id(synthesized)]["DeletionPolicy"] == "Retain"


def _queue_ids_by_name(synthesized) -> dict[str, str]:
    """The catalogue's queues by name, as logical ids (looked up, never written down: they are hashed)."""
    stack = synthesized.stack
    return {name: stack.resolve(stack.get_logical_id(q.node.default_child)) for name, q in stack.messaging.queues.items()}


def test_the_notify_function_reads_orders_and_offers_from_the_stream_with_a_dead_letter_queue(synthesized):
    [mapping] = [
        m for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values() if "StartingPosition" in m["Properties"]
    ]
    props = mapping["Properties"]
    ids = synthesized.function_ids_by_handler()
    assert props["FunctionName"] == {"Ref": ids[by_trigger(Trigger.STREAM)[0].handler]}
    assert props["EventSourceArn"] == {"Fn::GetAtt": [_table_id(synthesized), "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True and props["MaximumRetryAttempts"] >= 1
    destination = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert synthesized.resources[destination]["Type"] == "AWS::SQS::Queue"
    assert destination not in _queue_ids_by_name(synthesized).values(), "a queue of its own"
    (pattern,) = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    wanted = pattern["dynamodb"]["Keys"]["sk"]["S"]
    assert set(NOTIFY_STREAM_FILTER.exact) == {w for w in wanted if isinstance(w, str)}
    assert set(NOTIFY_STREAM_FILTER.prefixes) == {w["prefix"] for w in wanted if isinstance(w, dict)}


def test_each_catalogued_queue_exists_with_its_dead_letter_queue_and_is_fed_by_its_rule(synthesized):
    ids = _queue_ids_by_name(synthesized)
    assert set(ids) == {q.name for q in QUEUES}
    rules = list(synthesized.of_type("AWS::Events::Rule").values())
    (bus_id,) = synthesized.of_type("AWS::Events::EventBus")
    for spec in QUEUES:
        props = synthesized.resources[ids[spec.name]]["Properties"]
        assert props["SqsManagedSseEnabled"] is True
        if spec.dead_letter:
            assert props["RedrivePolicy"] == {
                "deadLetterTargetArn": {"Fn::GetAtt": [ids[spec.dead_letter], "Arn"]},
                "maxReceiveCount": MAX_RECEIVES,
            }
        feeding = [r for r in rules if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [ids[spec.name], "Arn"]}]
        if spec.from_bus:
            (rule,) = feeding
            assert rule["Properties"]["EventBusName"] == {"Ref": bus_id}
            assert rule["Properties"]["EventPattern"] == spec.rule_pattern()
        else:
            assert not feeding


def test_each_queue_function_consumes_its_queue_reporting_partial_failures(synthesized):
    ids, functions = _queue_ids_by_name(synthesized), synthesized.function_ids_by_handler()
    mappings = [m["Properties"] for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()]
    for spec in by_trigger(Trigger.QUEUE):
        [mapping] = [m for m in mappings if m["FunctionName"] == {"Ref": functions[spec.handler]}]
        assert mapping["EventSourceArn"] == {"Fn::GetAtt": [ids[spec.consumes], "Arn"]}
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_functions_that_send_to_a_queue_are_told_its_url(synthesized):
    ids, functions = _queue_ids_by_name(synthesized), synthesized.function_ids_by_handler()
    for spec in FUNCTIONS:
        env = synthesized.resources[functions[spec.handler]]["Properties"]["Environment"]["Variables"]
        for name in spec.sends_to + spec.peeks:
            assert env[f"LINLI_{queue(name).setting.upper()}"] == {"Ref": ids[name]}


# --- HTTP API and sign-in -----------------------------------------------------------------------------


def test_every_route_of_the_route_table_is_deployed_to_its_function(synthesized):
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in synthesized.of_api("AWS::ApiGatewayV2::Route").values()}
    assert set(routes) == {f"{r.method} {r.path}" for r in ROUTES}
    integrations = synthesized.of_type("AWS::ApiGatewayV2::Integration")
    ids = synthesized.function_ids_by_handler()
    for route in ROUTES:
        props = routes[f"{route.method} {route.path}"]
        integration_id = props["Target"]["Fn::Join"][1][1]["Ref"]
        target = integrations[integration_id]["Properties"]["IntegrationUri"]
        from deploy.catalog import api_function

        assert target == {"Fn::GetAtt": [ids[api_function(route.function).handler], "Arn"]}, route


def test_every_route_but_the_public_and_the_signed_ones_requires_the_platforms_token(synthesized):
    (authorizer_id, authorizer), *rest = synthesized.of_type("AWS::ApiGatewayV2::Authorizer").items()
    assert not rest
    props = authorizer["Properties"]
    (api_id,) = synthesized.of_api("AWS::ApiGatewayV2::Api")
    assert props["AuthorizerType"] == "JWT" and props["ApiId"] == {"Ref": api_id}
    # The platform is the issuer: the API's own address, where API Gateway finds the discovery document and JWKS.
    assert props["JwtConfiguration"] == {"Issuer": {"Fn::GetAtt": [api_id, "ApiEndpoint"]}, "Audience": [TOKEN_AUDIENCE]}
    assert props["IdentitySource"] == ["$request.header.Authorization"]
    public = {f"{r.method} {r.path}" for r in ROUTES if not r.needs_jwt}
    assert {"GET /.well-known/openid-configuration", "GET /.well-known/jwks.json"} <= public
    for route in synthesized.of_api("AWS::ApiGatewayV2::Route").values():
        props = route["Properties"]
        if props["RouteKey"] in public:
            assert props.get("AuthorizationType", "NONE") == "NONE"
        else:
            assert props["AuthorizationType"] == "JWT" and props["AuthorizerId"] == {"Ref": authorizer_id}


def test_the_api_stage_logs_every_request(synthesized):
    (stage,) = synthesized.of_api("AWS::ApiGatewayV2::Stage").values()
    settings = stage["Properties"]["AccessLogSettings"]
    assert "$context.requestId" in settings["Format"]
    json.loads(settings["Format"].replace("$context.status", "200").replace("$context.responseLatency", "1"))


# --- Operations ---------------------------------------------------------------------------------------


def test_failed_orders_and_dead_lettered_notifications_raise_alarms(synthesized):
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm").values()
    metrics = {(a["Properties"].get("Namespace"), a["Properties"].get("MetricName")) for a in alarms}
    assert ("AWS/States", "ExecutionsFailed") in metrics
    dead_letter_alarms = [a for a in alarms if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"]
    assert len(dead_letter_alarms) == 1 + sum(1 for q in QUEUES if not q.from_bus), "the stream's DLQ and each queue DLQ"
    lambda_alarms = [a for a in alarms if a["Properties"].get("MetricName") == "Errors"]
    assert len(lambda_alarms) == len(FUNCTIONS)
    assert all(a["Properties"]["AlarmActions"] for a in alarms)


def test_operators_are_alarmed_on_escalations_api_5xx_rate_and_p99_latency(synthesized):
    from infra.constructs.monitoring import API_5XX_PERCENT, API_P99_MS, ESCALATIONS_METRIC
    from notify.handlers.stream import ESCALATIONS_METRIC as COUNTED

    assert ESCALATIONS_METRIC == COUNTED, "the alarm watches the metric the stream function counts"
    alarms = list(synthesized.of_type("AWS::CloudWatch::Alarm").values())
    escalated = [a for a in alarms if a["Properties"].get("MetricName") == ESCALATIONS_METRIC]
    assert len(escalated) == 1 and escalated[0]["Properties"]["Namespace"] == "Linli"
    assert escalated[0]["Properties"]["Dimensions"] == [{"Name": "service", "Value": "linli"}]
    latency = [a for a in alarms if a["Properties"].get("MetricName") == "Latency"]
    assert [a["Properties"]["ExtendedStatistic"] for a in latency] == ["p99"]
    assert latency[0]["Properties"]["Threshold"] == API_P99_MS
    rate = [
        a
        for a in alarms
        if any(
            "5xx" in (m.get("MetricStat", {}).get("Metric", {}).get("MetricName", "")) for m in a["Properties"].get("Metrics", [])
        )
    ]
    assert len(rate) == 1 and rate[0]["Properties"]["Threshold"] == API_5XX_PERCENT
    assert all(a["Properties"]["AlarmActions"] for a in escalated + latency + rate)


def test_cdk_nag_finds_nothing_unexplained(synthesized):
    from aws_cdk.assertions import Annotations, Match

    annotations = Annotations.from_stack(synthesized.stack)
    findings = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*")) + annotations.find_warning(
        "*", Match.string_like_regexp("AwsSolutions-.*")
    )
    assert not findings, "\n".join(f"{f.id}: {str(f.entry.data)[:160]}" for f in findings)


def test_cfn_lint_finds_nothing_in_the_template(synthesized):
    assert synthesized.stack.target.lint_regions == ("us-east-1",)
    result = synthesized.cfn_lint()
    assert result.returncode == 0, result.stdout + result.stderr
