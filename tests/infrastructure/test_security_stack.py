"""Security settings of the synthesized stack (docs/security.md#security-review-findings)."""

from __future__ import annotations

import pytest


def test_no_function_puts_its_answers_or_errors_in_traces(synthesized):
    functions = synthesized.platform_functions()
    assert functions
    for lid, function in functions.items():
        env = function["Properties"]["Environment"]["Variables"]
        assert env.get("POWERTOOLS_TRACER_CAPTURE_RESPONSE") == "false", lid
        assert env.get("POWERTOOLS_TRACER_CAPTURE_ERROR") == "false", lid


def test_trace_sampling_is_a_setting(synthesized):
    [rule] = synthesized.of_type("AWS::XRay::SamplingRule").values()
    sampling = rule["Properties"]["SamplingRule"]
    assert sampling["FixedRate"] == 0.05 and sampling["ReservoirSize"] == 1
    assert sampling["ServiceType"] == "AWS::StepFunctions::StateMachine"


def test_an_unknown_tracing_mode_is_refused():
    from infra.app import build_app

    with pytest.raises(ValueError, match="tracing"):
        build_app(context={"aws:cdk:bundling-stacks": [], "tracing": "sometimes"})


def test_no_function_may_deliver_webhooks_to_plain_http_or_loopback(synthesized):
    for lid, function in synthesized.platform_functions().items():
        env = function["Properties"]["Environment"]["Variables"]
        assert "LINLI_ALLOW_HTTP_WEBHOOKS" not in env and "LINLI_ALLOW_LOOPBACK_WEBHOOKS" not in env, lid


def test_partner_public_and_sms_routes_have_their_own_lower_throttles(synthesized):
    from deploy.routes import ROUTES

    [stage] = synthesized.of_api("AWS::ApiGatewayV2::Stage").values()
    props = stage["Properties"]
    default = props["DefaultRouteSettings"]
    settings = props["RouteSettings"]
    signed = [f"{r.method} {r.path}" for r in ROUTES if r.signed]
    assert signed and all(settings[key]["ThrottlingRateLimit"] < default["ThrottlingRateLimit"] for key in signed)
    assert settings["POST /proxy-requests"]["ThrottlingRateLimit"] <= 5
    assert settings["GET /openapi.json"]["ThrottlingRateLimit"] < default["ThrottlingRateLimit"]
    # every route named exists, and the stage is deployed after them
    keys = {r["Properties"]["RouteKey"] for r in synthesized.of_api("AWS::ApiGatewayV2::Route").values()}
    assert set(settings) <= keys
    assert len(stage.get("DependsOn", [])) >= len(keys)


def test_the_apps_distribution_has_a_web_acl_with_a_per_address_rate_limit_where_waf_exists(synthesized):
    [(lid, acl)] = synthesized.of_type("AWS::WAFv2::WebACL").items()
    assert acl["Properties"]["Scope"] == "CLOUDFRONT" and acl["Condition"]
    [rate] = [r for r in acl["Properties"]["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP" and "Block" in rate["Action"]
    [distribution] = synthesized.of_type("AWS::CloudFront::Distribution").values()
    association = distribution["Properties"]["DistributionConfig"]["WebACLId"]
    assert association["Fn::If"][0] == acl["Condition"] and association["Fn::If"][1] == {"Fn::GetAtt": [lid, "Arn"]}


def test_functions_narrowed_to_key_prefixes_touch_only_those_items_and_cannot_scan(synthesized):
    from deploy.catalog import FUNCTIONS

    narrowed = [f for f in FUNCTIONS if f.table_keys]
    assert {f.name for f in narrowed} >= {"Webhooks", "PushConnections"}
    ids = synthesized.function_ids_by_handler()
    for spec in narrowed:
        role = synthesized.resources[ids[spec.handler]]["Properties"]["Role"]["Fn::GetAtt"][0]
        statements = synthesized.policy_statements_of_role(role)
        item_statements = []
        for statement in statements:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(a.startswith("dynamodb:") and a not in ("dynamodb:DescribeTable",) for a in actions):
                item_statements.append((actions, statement))
        assert item_statements, spec.name
        for actions, statement in item_statements:
            assert "dynamodb:Scan" not in actions, spec.name
            condition = statement["Condition"]
            assert condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [f"{p}*" for p in spec.table_keys]
            assert condition["Null"] == {"dynamodb:LeadingKeys": "false"}, "a request without keys is refused"
