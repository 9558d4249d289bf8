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
