"""Issue 7, web push, on the synthesized template: the WebSocket API with its two routes, the token settings of
$connect, and least privilege: only the notifications function may write to sockets, and only this API's."""

from __future__ import annotations

import json

from deploy.catalog import FUNCTIONS, Trigger, by_trigger

[CONNECTIONS] = by_trigger(Trigger.WEBSOCKET)
PUSHERS = [f for f in FUNCTIONS if f.pushes]


def _actions(statement: dict) -> set[str]:
    return {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])


def test_one_websocket_api_with_connect_and_disconnect_on_the_connections_function(synthesized):
    api_id, api = _websocket_api(synthesized)
    assert api["ProtocolType"] == "WEBSOCKET" and api["RouteSelectionExpression"] == "$request.body.action"
    routes = [
        r["Properties"]
        for r in synthesized.of_type("AWS::ApiGatewayV2::Route").values()
        if r["Properties"]["ApiId"] == {"Ref": api_id}
    ]
    assert sorted(r["RouteKey"] for r in routes) == ["$connect", "$disconnect"], "no $default: clients send nothing"
    function_id = synthesized.function_ids_by_handler()[CONNECTIONS.handler]
    for route in routes:
        assert route.get("AuthorizationType", "NONE") == "NONE", "the JWT is checked by $connect's function"
        integration_id = route["Target"]["Fn::Join"][1][1]["Ref"]
        integration = synthesized.resources[integration_id]["Properties"]
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert json.dumps(function_id) in json.dumps(integration["IntegrationUri"])


def _websocket_api(synthesized) -> tuple[str, dict]:
    [(logical_id, resource)] = [
        (lid, r)
        for lid, r in synthesized.of_type("AWS::ApiGatewayV2::Api").items()
        if r["Properties"]["ProtocolType"] == "WEBSOCKET"
    ]
    return logical_id, resource["Properties"]


def test_the_stage_is_throttled_and_logs_no_query_string(synthesized):
    api_id, _ = _websocket_api(synthesized)
    [stage] = [
        s["Properties"]
        for s in synthesized.of_type("AWS::ApiGatewayV2::Stage").values()
        if s["Properties"]["ApiId"] == {"Ref": api_id}
    ]
    assert stage["StageName"] == "live" and stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    log_format = stage["AccessLogSettings"]["Format"]
    assert "connectionId" in log_format and "querystring" not in log_format.lower(), "the token travels in the query"


def test_connect_checks_the_platforms_tokens_as_the_http_apis_authorizer_does(synthesized):
    env = synthesized.resources[synthesized.function_ids_by_handler()[CONNECTIONS.handler]]["Properties"]["Environment"][
        "Variables"
    ]
    [authorizer] = synthesized.of_type("AWS::ApiGatewayV2::Authorizer").values()
    jwt = authorizer["Properties"]["JwtConfiguration"]
    assert env["LINLI_TOKEN_ISSUER"] == jwt["Issuer"], "the same issuer (its JWKS) as the HTTP API's authorizer"
    assert [env["LINLI_TOKEN_AUDIENCE"]] == jwt["Audience"] == ["linli"]
    assert "LINLI_PUSH_ENDPOINT" not in env, "the connections function never writes to sockets"
    assert "LINLI_TOKEN_SIGNING_KEY_IDS" not in env, "it verifies with the published keys; it cannot sign"


def test_only_the_notifications_function_may_post_to_sockets_and_only_this_apis(synthesized):
    api_id, _ = _websocket_api(synthesized)
    assert [f.name for f in PUSHERS] == ["Notifications"]
    ids = synthesized.function_ids_by_handler()
    roles_allowed = set()
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if any(a.startswith("execute-api:") for a in _actions(statement)):
                assert _actions(statement) == {"execute-api:ManageConnections"}
                parts = statement["Resource"]["Fn::Join"][1]
                assert {"Ref": api_id} in parts and parts[-1] == "/live/*/@connections/*", statement
                roles_allowed |= {r["Ref"] for r in policy["Properties"]["Roles"]}
    expected = {synthesized.resources[ids[f.handler]]["Properties"]["Role"]["Fn::GetAtt"][0] for f in PUSHERS}
    assert roles_allowed == expected
    for spec in PUSHERS:
        env = synthesized.resources[ids[spec.handler]]["Properties"]["Environment"]["Variables"]
        assert {"Ref": api_id} in env["LINLI_PUSH_ENDPOINT"]["Fn::Join"][1], "the stage's management endpoint"


def test_the_connections_function_may_write_only_the_table(synthesized):
    function_id = synthesized.function_ids_by_handler()[CONNECTIONS.handler]
    role_id = synthesized.resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    services = {a.split(":")[0] for s in synthesized.policy_statements_of_role(role_id) for a in _actions(s)}
    assert services == {"dynamodb", "xray"}
