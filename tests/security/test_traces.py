"""Traces hold timings, never what a handler answered or raised: an answer can carry a door code, a phone number or
a secret shown once, and X-Ray keeps trace metadata for 30 days, out of reach of the log masking. A secret shown
once is not kept in an idempotency record either."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any

import pytest

SECRET = "lsk_this-must-never-reach-a-trace"


class RecordingProvider:
    """An X-Ray provider that keeps everything put on a subsegment (Powertools' BaseProvider shape)."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, Any]] = []

    @contextmanager
    def in_subsegment(self, name: str = "", **_: Any):
        provider = self

        class Subsegment:
            def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
                provider.recorded.append((key, value))

            def put_annotation(self, key: str, value: Any) -> None:
                provider.recorded.append((key, value))

            def add_exception(self, exception: BaseException, stack: Any = None, remote: bool = False) -> None:
                provider.recorded.append(("exception", repr(exception)))

        yield Subsegment()

    in_subsegment_async = in_subsegment

    def put_annotation(self, key: str, value: Any) -> None:
        self.recorded.append((key, value))

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        self.recorded.append((key, value))

    def patch(self, modules: Any) -> None:
        pass

    def patch_all(self) -> None:
        pass


@pytest.fixture
def provider(monkeypatch) -> Any:
    """A real Powertools Tracer, enabled, on a recording provider, behind shared.observability's tracer; the
    environment asks for responses and errors to be captured, as Powertools does by default."""
    from aws_lambda_powertools import Tracer

    from shared import observability

    recording = RecordingProvider()
    monkeypatch.setenv("POWERTOOLS_TRACER_CAPTURE_RESPONSE", "true")
    monkeypatch.setenv("POWERTOOLS_TRACER_CAPTURE_ERROR", "true")
    real = Tracer(service="linli", provider=recording, auto_patch=False, disabled=False)
    monkeypatch.setattr(observability, "get_tracer", lambda: real)
    yield recording
    Tracer._reset_config()


def test_a_handlers_answer_is_never_put_in_its_trace(provider):
    from shared.observability import tracer

    @tracer.capture_lambda_handler
    def handler(event: dict, context: Any) -> dict:
        return {"statusCode": 201, "body": json.dumps({"secret": SECRET, "order_code": "4711"})}

    assert json.loads(handler({}, None)["body"])["secret"] == SECRET
    assert provider.recorded, "the handler was traced"
    assert SECRET not in repr(provider.recorded) and "4711" not in repr(provider.recorded)
    assert {key for key, _ in provider.recorded} <= {"ColdStart", "Service"}


def test_a_handlers_error_is_never_put_in_its_trace(provider):
    from shared.observability import tracer

    @tracer.capture_lambda_handler()
    def handler(event: dict, context: Any) -> dict:
        raise RuntimeError(f"failed for 13812345678 with {SECRET}")

    with pytest.raises(RuntimeError):
        handler({}, None)
    assert SECRET not in repr(provider.recorded) and "13812345678" not in repr(provider.recorded)


def test_a_traced_method_keeps_its_answer_out_of_the_trace_too(provider):
    from shared.observability import tracer

    @tracer.capture_method
    def secret_of_the_day() -> str:
        return SECRET

    assert secret_of_the_day() == SECRET
    assert SECRET not in repr(provider.recorded)


def test_a_new_api_keys_secret_is_shown_once_and_never_kept_for_a_replay(world):
    import boto3

    from shared.settings import get_settings

    headers = {"Idempotency-Key": "create-key-1"}
    body = {"label": "调度系统 dispatch system", "operations": ["offers.read"]}
    first = world.api.call(world.dispatcher_id, "dispatcher", "POST", "/companies/me/api-keys", body, headers=headers)
    again = world.api.call(world.dispatcher_id, "dispatcher", "POST", "/companies/me/api-keys", body, headers=headers)
    assert first.status == again.status == 201
    assert first.body["secret"].startswith("lsk_")
    # The replay is the same answer (one key made), without the secret
    assert again.headers.get("idempotent-replayed") and again.body["key_id"] == first.body["key_id"]
    assert again.body["secret"] is None
    # and the idempotency record holds no secret: nothing in the table but the key's own item has it
    settings = get_settings()
    table = boto3.resource("dynamodb", region_name=settings.aws_region).Table(settings.table_name)
    records = table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "IDEMPOTENCY"})["Items"]
    mine = [r for r in records if first.body["key_id"] in json.dumps(r, default=str)]
    assert mine, "the call was remembered"
    assert all(first.body["secret"] not in json.dumps(r, default=str) for r in mine)
