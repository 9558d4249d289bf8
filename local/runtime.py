"""The AWS side of the sandbox, in one process: moto's DynamoDB, Step Functions (executing the real
ASL file) and Lambda, with each Lambda invocation routed to the real handler, in-process.

Used by the sandbox (`make run`) and by the workflow and API tests, so all three run the same thing.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import itertools
import json
import logging
import re
import tempfile
import threading
import time
import traceback
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import boto3
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from botocore.retries.standard import ExponentialBackoff
from moto import mock_aws
from moto.awslambda.models import LambdaFunction
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.stepfunctions.parser.asl.component.state import state as moto_state
from moto.stepfunctions.parser.asl.eval.environment import Environment as AslEnvironment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
from moto.stepfunctions.parser.backend.execution import Execution as ParserExecution
from moto.stepfunctions.parser.models import StepFunctionsParserBackend, stepfunctions_parser_backends

from deploy.catalog import FUNCTIONS, LAMBDA_RUNTIME, MAX_RECEIVES, QUEUES, queue
from local import tokens as sign_in
from local.fast_dynamodb import FastDynamoDB, stored_item
from local.fast_sqs import FastSQS
from shared import clock
from shared.dal.tables import INDEX_NAMES
from shared.errors import TransientError
from shared.idempotency import TTL_ATTRIBUTE
from statemachines import ORDER_LIFECYCLE_ASL, placeholder_values, substitute

REGION = "cn-north-1"
# The WebSocket stage's management endpoint as a function sees it (moto answers execute-api hosts).
PUSH_ENDPOINT = f"https://local.execute-api.{REGION}.amazonaws.com/live"
ACCOUNT = "123456789012"
TABLE_NAME = "linli"
STATE_MACHINE_NAME = "linli-order-lifecycle"
EVENT_BUS_NAME = "linli-events"
DOCUMENTS_BUCKET = "linli-documents"
HISTORY_ARCHIVE_BUCKET = "linli-history-archive"
# A failed message is received again after this long (60 s in AWS); short here so retries show at once.
QUEUE_VISIBILITY_SECONDS = 1


@dataclass
class LambdaContext:
    """The parts of the Lambda context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@dataclass
class Invocation:
    function_name: str
    duration_ms: float
    errored: bool


_fault_ids = itertools.count(1)


@dataclass
class Fault:
    """Makes the next `times` invocations of a function fail (tests), optionally only those `when` picks:
    other tests' orders still moving in the background must not use up a test's faults."""

    function_name: str
    times: int
    when: Callable[[Any], bool] = lambda _event: True
    fired: int = 0
    fault_id: int = field(default_factory=lambda: next(_fault_ids))

    def describe(self) -> dict:
        return {"id": self.fault_id, "function": self.function_name, "times_left": self.times, "fired": self.fired}


class _Faults:
    """A thread-safe list of faults, each with `times` shots left; `take` uses one shot of the first that matches."""

    def __init__(self) -> None:
        self._faults: list[Any] = []
        self._lock = threading.Lock()

    def add(self, fault: Any) -> Any:
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault: Any) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if f is not fault]

    def clear(self) -> None:
        with self._lock:
            self._faults = []

    def all(self) -> list[Any]:
        with self._lock:
            return list(self._faults)

    def take(self, matches: Callable[[Any], bool]) -> Any | None:
        with self._lock:
            armed = [f for f in self._faults if f.times > 0]
        # The predicates run outside this lock: one may read the table (tests' World.owns_order_call).
        for fault in armed:
            if matches(fault):
                with self._lock:
                    if fault.times > 0:
                        fault.times -= 1
                        fault.fired += 1
                        return fault
        return None


class InProcessLambdas:
    """Replaces moto's docker-based invocation with a call of the real handler in this process."""

    def __init__(self) -> None:
        self.invocations: list[Invocation] = []
        self.faults = _Faults()
        self._original = LambdaFunction._invoke_lambda
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._import_lock = threading.Lock()

    def _handler(self, handler_path: str) -> Callable[..., Any]:
        """The handler function, its module imported once: threads importing the same packages at once (the
        first calls of a race test, the pumps) would otherwise see each other's half-initialised modules."""
        handler = self._handlers.get(handler_path)
        if handler is None:
            with self._import_lock:
                module_name, func_name = handler_path.rsplit(".", 1)
                handler = self._handlers[handler_path] = getattr(importlib.import_module(module_name), func_name)
        return handler

    def install(self) -> None:
        lambdas = self

        def _invoke_lambda(fn: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
            return lambdas.invoke(fn.function_name, fn.handler, event if event is not None else {})

        LambdaFunction._invoke_lambda = _invoke_lambda

    def uninstall(self) -> None:
        LambdaFunction._invoke_lambda = self._original

    def inject(self, function_name: str, times: int, when: Callable[[Any], bool] | None = None) -> Fault:
        return self.faults.add(Fault(function_name, times, when or Fault.when))

    def remove(self, fault: Fault) -> None:
        self.faults.remove(fault)

    def _maybe_fail(self, function_name: str, event: Any) -> None:
        if self.faults.take(lambda f: f.function_name == function_name and f.when(event)) is not None:
            raise TransientError(f"injected fault in {function_name}")

    def invoke(self, function_name: str, handler_path: str, event: Any) -> tuple[str, bool, str]:
        started = time.perf_counter()
        errored = False
        try:
            self._maybe_fail(function_name, event)
            result = self._handler(handler_path)(event, LambdaContext(function_name=function_name))
            payload = json.dumps(result)
        except Exception as exc:  # noqa: BLE001 - reported to the caller as Lambda does
            errored = True
            payload = json.dumps(
                {"errorType": type(exc).__name__, "errorMessage": str(exc), "stackTrace": traceback.format_exception(exc)[-3:]}
            )
        self.invocations.append(Invocation(function_name, (time.perf_counter() - started) * 1000, errored))
        return payload, errored, ""


class DynamoDBError(StrEnum):
    """What an injected DynamoDB fault looks like to the caller."""

    THROTTLED = "ProvisionedThroughputExceededException"  # HTTP 400, retried by the SDKs as throttling
    THROTTLING = "ThrottlingException"  # HTTP 400, throttling (control plane, on-demand tables)
    SERVER_ERROR = "InternalServerError"  # HTTP 500
    READ_TIMEOUT = "ReadTimeout"  # no answer, and the request never reached the table
    RESPONSE_LOST = "ResponseLost"  # the table applied the request, then the answer was lost (a read timeout)


_ERROR_STATUS = {DynamoDBError.THROTTLED: 400, DynamoDBError.THROTTLING: 400, DynamoDBError.SERVER_ERROR: 500}
_ORDER_KEY = re.compile(r"ORDER#(\w+)")
# moto's Step Functions interpreter signs its service integrations' calls with this access key.
_WORKFLOW_CREDENTIAL = "Credential=ak/"


@dataclass(frozen=True)
class DynamoDBCall:
    """One DynamoDB request as sent (DynamoDB JSON), for fault predicates."""

    operation: str  # e.g. "UpdateItem", "TransactWriteItems"
    params: dict
    from_workflow: bool  # a direct service integration of the state machine (not a Lambda's SDK call)

    def strings(self) -> list[str]:
        """Every string in the request: table and index names, keys, items, expression values."""
        found: list[str] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)
            elif isinstance(value, str):
                found.append(value)

        walk(self.params)
        return found

    def touches(self, key_prefix: str) -> bool:
        """True if any key, item or key-condition value in the request starts with `key_prefix` (e.g. "ORDER#")."""
        return any(s.startswith(key_prefix) for s in self.strings())

    def order_ids(self) -> set[str]:
        return {m.group(1) for s in self.strings() for m in _ORDER_KEY.finditer(s)}


@dataclass
class DynamoDBFault:
    """Makes the next `times` DynamoDB calls of `operation` ("*": any) that `when` picks fail with `error`."""

    operation: str
    times: int
    error: DynamoDBError = DynamoDBError.THROTTLED
    when: Callable[[DynamoDBCall], bool] = lambda _call: True
    fired: int = 0
    fault_id: int = field(default_factory=lambda: next(_fault_ids))

    def matches(self, call: DynamoDBCall) -> bool:
        return self.operation in ("*", call.operation) and self.when(call)

    def describe(self) -> dict:
        return {
            "id": self.fault_id,
            "operation": self.operation,
            "error": self.error.value,
            "times_left": self.times,
            "fired": self.fired,
        }


class DynamoDBFaults:
    """Fault injection at the botocore layer, below every SDK's retries: each failed attempt counts, so
    botocore's own retries (and the state machine's Retry for direct integrations) see exactly what they
    would see from DynamoDB. Same shape as the Lambda faults: `inject(...)` returns a fault, `remove(fault)`."""

    def __init__(self) -> None:
        self.faults = _Faults()

    def inject(
        self,
        operation: str,
        times: int,
        *,
        error: DynamoDBError | str = DynamoDBError.THROTTLED,
        when: Callable[[DynamoDBCall], bool] | None = None,
        key_prefix: str | None = None,
    ) -> DynamoDBFault:
        def picks(call: DynamoDBCall) -> bool:
            return (key_prefix is None or call.touches(key_prefix)) and (when is None or when(call))

        return self.faults.add(DynamoDBFault(operation, times, DynamoDBError(error), picks))

    def remove(self, fault: DynamoDBFault) -> None:
        self.faults.remove(fault)

    def around(self, operation: str, request: Any, send: Callable[[], Any]) -> Any:
        """Send the request, unless a fault picks it: then answer as the failing DynamoDB would."""
        if not self.faults.all():
            return send()
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        authorization = request.headers.get("Authorization", b"")
        call = DynamoDBCall(
            operation=operation,
            params=json.loads(body or "{}"),
            from_workflow=_WORKFLOW_CREDENTIAL in (authorization.decode() if isinstance(authorization, bytes) else authorization),
        )
        fault = self.faults.take(lambda f: f.matches(call))
        if fault is None:
            return send()
        if fault.error == DynamoDBError.RESPONSE_LOST:
            send()
            raise ReadTimeoutError(endpoint_url=request.url)
        if fault.error == DynamoDBError.READ_TIMEOUT:
            raise ReadTimeoutError(endpoint_url=request.url)
        return _dynamodb_answer(request, _ERROR_STATUS[fault.error], fault.error.value, f"injected fault ({operation})")


def _dynamodb_answer(request: Any, status: int, error_code: str | None = None, message: str = "") -> AWSResponse:
    """An answer as DynamoDB gives it: `{}` for success, else its JSON error shape."""
    payload = {"__type": f"com.amazonaws.dynamodb.v20120810#{error_code}", "message": message} if error_code else {}
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": str(uuid.uuid4())}
    return AWSResponse(request.url, status, headers, MockRawResponse(json.dumps(payload)))


class TransactionTokens:
    """DynamoDB takes a TransactWriteItems whose ClientRequestToken it has seen in the last ten minutes as
    already done (the SDK fills the token in and sends it again with each retry): an SDK retry of a
    transaction whose answer was lost succeeds without writing twice. moto ignores the token; this restores it."""

    WINDOW_SECONDS = 600

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, float]] = {}

    def around(self, operation: str, request: Any, send: Callable[[], Any]) -> Any:
        if operation != "TransactWriteItems":
            return send()
        params = json.loads(request.body.decode() if isinstance(request.body, bytes) else request.body or "{}")
        token = params.pop("ClientRequestToken", None)
        if not token:
            return send()
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
        now = time.monotonic()
        seen = self._seen.get(token)
        if seen is not None and now - seen[1] < self.WINDOW_SECONDS:
            if seen[0] != digest:
                return _dynamodb_answer(request, 400, "IdempotentParameterMismatchException", "token reused with other items")
            return _dynamodb_answer(request, 200)
        response = send()
        if response is not None and response.status_code == 200:
            self._seen = {t: v for t, v in self._seen.items() if now - v[1] < self.WINDOW_SECONDS}
            self._seen[token] = (digest, now)
        return response


class SerializedDynamoDB:
    """moto evaluates a condition and writes without a lock; DynamoDB does both atomically per item.
    Serialising DynamoDB calls restores that, so races in tests behave as they would on AWS. Injected
    faults (DynamoDBFaults) are applied here too, per attempt."""

    def __init__(self, faults: DynamoDBFaults) -> None:
        self._lock = threading.RLock()
        self._original = BotocoreStubber.__call__
        self.faults = faults
        self.tokens = TransactionTokens()

    def install(self) -> None:
        lock, original, faults, tokens = self._lock, self._original, self.faults, self.tokens

        def __call__(stubber: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
            if ".dynamodb-streams." in event_name:
                # A stream reader must never see a transaction's records before it commits or is undone.
                with lock:
                    return original(stubber, event_name, request, **kwargs)
            if ".dynamodb." in event_name:
                operation = event_name.rsplit(".", 1)[-1]
                with lock:
                    return faults.around(
                        operation,
                        request,
                        lambda: tokens.around(operation, request, lambda: original(stubber, event_name, request, **kwargs)),
                    )
            return original(stubber, event_name, request, **kwargs)

        BotocoreStubber.__call__ = __call__

    def uninstall(self) -> None:
        BotocoreStubber.__call__ = self._original


def _stop_and_release_waits(original_stop: Any) -> Any:
    """On AWS, StopExecution ends the execution at once, even mid-wait. moto marks it stopped but
    leaves the task-token wait blocking until its timeout; releasing the waits lets it end now."""

    def stop(execution: Any, stop_date: Any, error: Any = None, cause: Any = None) -> None:
        worker = getattr(execution, "exec_worker", None)
        # A stop right after the start can come before moto's worker thread has built the execution's environment,
        # and moto then fails (AttributeError, a 500 to the resident who cancelled at once; seen in the soak), or
        # after the environment but before the program runs, and moto then ignores the stop (the execution goes
        # on; seen in CI). AWS stops a just-started execution like any other: wait a moment for it to be running.
        deadline = time.monotonic() + 5
        while worker is not None and not _has_started(worker) and time.monotonic() < deadline:
            time.sleep(0.01)
        original_stop(execution, stop_date=stop_date, error=error, cause=cause)
        pool = getattr(getattr(worker, "env", None), "callback_pool_manager", None)
        for endpoint in list(getattr(pool, "_pool", {}).values()):
            endpoint.interrupt_all()

    return stop


def _aws_state_data(original: Any) -> Any:
    """`$$.State` as Step Functions writes it: `EnteredTime` to the millisecond with `Z` (moto writes microseconds
    and `+00:00`), the one timestamp format of everything the platform stores and answers (`shared.clock.iso`)."""

    def state_data(**fields: Any) -> Any:
        if fields.get("EnteredTime"):
            fields["EnteredTime"] = clock.iso(clock.parse(fields["EnteredTime"]))
        return original(**fields)

    return state_data


def _has_started(worker: Any) -> bool:
    """Has moto's worker thread built the execution's environment and started its program (a stop before
    that is lost)?"""
    env = getattr(worker, "env", None)
    return env is not None and env.program_state() is not None


def _keep_stopped(original_set_error: Any) -> Any:
    """A stopped execution stays aborted: the released wait's failure must not turn it into FAILED."""

    def set_error(env: Any, error: Any) -> None:
        if isinstance(env.program_state(), ProgramStopped):
            return
        original_set_error(env, error)

    return set_error


def _only_started(original_get_executions: Any) -> Any:
    """moto's SendTaskSuccess/Failure/Heartbeat look for the token in each running execution's environment, and an
    execution started a moment ago has none yet (its worker thread builds it): the call then fails with an
    AttributeError, a 500 for whoever answered an offer at that moment (seen in the soak). Such an execution holds
    no task token yet, so the search leaves it out."""

    def get_executions(backend: Any, execution_status: Any = None) -> list:
        found = original_get_executions(backend, execution_status)
        return [e for e in found if getattr(getattr(e, "exec_worker", None), "env", None) is not None]

    return get_executions


class PerThreadRequests:
    """Powertools' HTTP event handler keeps the request it is resolving in class-level state
    (`BaseRouter.current_event`, `.lambda_context`) and in each resolver's `context` dict: right on Lambda,
    where a process serves one request at a time, wrong here, where concurrent requests (the threading HTTP
    front, the race tests) run on threads of one process and one could read another's caller. As Powertools'
    own ASGI resolver does with a ContextVar, this keeps that state per thread."""

    _NAMES = ("current_event", "lambda_context", "context")

    def __init__(self) -> None:
        self._meta = type(BaseRouter)

    def install(self) -> None:
        state = threading.local()

        def slot(name: str, default: Callable[[], Any]) -> property:
            def get(_owner: Any) -> Any:
                if not hasattr(state, name):
                    setattr(state, name, default())
                return getattr(state, name)

            return property(get, lambda _owner, value: setattr(state, name, value))

        def contexts() -> dict[int, dict]:
            if not hasattr(state, "contexts"):
                state.contexts = {}
            return state.contexts

        def set_context(router: Any, value: dict) -> None:
            contexts()[id(router)] = value

        per_thread = type(
            "PerThreadRouterMeta",
            (self._meta,),
            {"current_event": slot("current_event", lambda: None), "lambda_context": slot("lambda_context", lambda: None)},
        )
        # Instances read the same per-thread values; each resolver has its own per-thread context dict.
        type.__setattr__(BaseRouter, "current_event", property(lambda _router: per_thread.current_event.fget(None)))
        type.__setattr__(BaseRouter, "lambda_context", property(lambda _router: per_thread.lambda_context.fget(None)))
        type.__setattr__(BaseRouter, "context", property(lambda router: contexts().setdefault(id(router), {}), set_context))
        BaseRouter.__class__ = per_thread

    def uninstall(self) -> None:
        BaseRouter.__class__ = self._meta
        for name in self._NAMES:
            if name in BaseRouter.__dict__:
                type.__delattr__(BaseRouter, name)


class CompressedBackoff:
    """Shortens botocore's retry backoff by `scale` (tests: 0.1), keeping every attempt: the retry counts are
    the point of the fault tests, the seconds waited between them are not (like the 1 s queue visibility)."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._original = ExponentialBackoff.delay_amount

    def install(self) -> None:
        original, scale = self._original, self.scale
        ExponentialBackoff.delay_amount = lambda backoff, context: original(backoff, context) * scale

    def uninstall(self) -> None:
        ExponentialBackoff.delay_amount = self._original


def table_definition() -> dict:
    gsis = [
        {
            "IndexName": f"gsi{i}",
            "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": f"gsi{i}pk", "KeyType": "HASH"}, {"AttributeName": f"gsi{i}sk", "KeyType": "RANGE"}],
        }
        for i in range(1, len(INDEX_NAMES) + 1)
    ]
    names = ["pk", "sk"] + [f"gsi{i}{k}" for i in range(1, len(INDEX_NAMES) + 1) for k in ("pk", "sk")]
    return {
        "TableName": TABLE_NAME,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in names],
        "GlobalSecondaryIndexes": gsis,
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def _zip_stub() -> bytes:
    # moto stores a code package; the code that runs is the handler in this process.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "Runs in-process in the Linli sandbox.")
    return buffer.getvalue()


class LocalAws:
    """Start/stop moto with the platform's resources created as CDK would create them."""

    def __init__(self, env_overrides: dict[str, str] | None = None) -> None:
        self.mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": True}})
        self.lambdas = InProcessLambdas()
        self.dynamodb_faults = DynamoDBFaults()
        self.dynamodb_lock = SerializedDynamoDB(self.dynamodb_faults)
        self.fast_dynamodb = FastDynamoDB()
        self.fast_sqs = FastSQS()
        self.requests = PerThreadRequests()
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self.state_machine_arn = ""
        self.queue_urls: dict[str, str] = {}
        self.env_overrides = env_overrides or {}

    def client(self, service: str) -> Any:
        """One client per service, shared by every thread (botocore clients are thread-safe; creating one
        costs tens of milliseconds of CPU, which the pumps and every invocation would otherwise pay)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(service, region_name=REGION)
            return self._clients[service]

    def start(self) -> LocalAws:
        import os

        os.environ.update(
            {
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "sandbox",
                "AWS_SECRET_ACCESS_KEY": "sandbox",
                "MOTO_ACCOUNT_ID": ACCOUNT,
                "POWERTOOLS_TRACE_DISABLED": "1",
                "POWERTOOLS_METRICS_NAMESPACE": "Linli",
                # No CloudWatch here: the metrics' EMF lines would only be noise on the sandbox's stdout.
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                "LINLI_TABLE_NAME": TABLE_NAME,
                "LINLI_EVENT_BUS_NAME": EVENT_BUS_NAME,
                "LINLI_DOCUMENTS_BUCKET": DOCUMENTS_BUCKET,
                "LINLI_HISTORY_ARCHIVE_BUCKET": HISTORY_ARCHIVE_BUCKET,
                # An order archived a moment before its execution ends is tried again 1 s, 2 s, 4 s … later (5 s in AWS).
                "LINLI_HISTORY_ARCHIVE_RETRY_BASE_SECONDS": "1",
                # The sandbox's webhook receivers are local test servers on plain http://127.0.0.1.
                "LINLI_ALLOW_HTTP_WEBHOOKS": "true",
                "LINLI_ALLOW_LOOPBACK_WEBHOOKS": "true",  # the tests' receivers listen on 127.0.0.1
                # Sign-in: the token service's issuer (its signing key is created in moto's KMS below). Web push:
                # $connect checks the same tokens; PostToConnection goes to moto, which the sandbox's WebSocket
                # stage (local/websocket.py) hooks to reach the local sockets.
                "LINLI_TOKEN_ISSUER": sign_in.ISSUER,
                "LINLI_TOKEN_AUDIENCE": sign_in.AUDIENCE,
                "LINLI_PUSH_ENDPOINT": PUSH_ENDPOINT,
                **self.env_overrides,
            }
        )
        # moto logs every caught States.Timeout as an error; here they are ordinary workflow paths.
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
        self.mock.start()
        self._original_stop = ParserExecution.stop
        ParserExecution.stop = _stop_and_release_waits(self._original_stop)
        self._original_set_error = AslEnvironment.set_error
        AslEnvironment.set_error = _keep_stopped(self._original_set_error)
        self._original_get_executions = StepFunctionsParserBackend._get_executions
        StepFunctionsParserBackend._get_executions = _only_started(self._original_get_executions)
        self._original_state_data = moto_state.StateData
        moto_state.StateData = _aws_state_data(self._original_state_data)
        self.lambdas.install()
        self.dynamodb_lock.install()
        self.backoff = CompressedBackoff(float(os.environ.get("LINLI_SANDBOX_SDK_BACKOFF_SCALE") or 1))
        self.backoff.install()
        self.requests.install()
        self.fast_dynamodb.install()
        self.fast_sqs.install()
        self._create_resources()
        os.environ["LINLI_STATE_MACHINE_ARN"] = self.state_machine_arn
        os.environ.update({f"LINLI_{queue(name).setting.upper()}": url for name, url in self.queue_urls.items()})
        self._reset_caches()
        self._publish_signing_keys()
        self._publish_api_document()
        return self

    def _publish_api_document(self) -> None:
        """The OpenAPI document `GET /openapi.json` answers with, assembled as at deploy time (CDK writes it into the
        functions' asset), in a file of its own named in LINLI_OPENAPI_DOCUMENT."""
        import os

        from deploy.openapi import write_document

        if "LINLI_OPENAPI_DOCUMENT" not in self.env_overrides:
            folder = Path(tempfile.mkdtemp(prefix="linli-openapi-"))
            os.environ["LINLI_OPENAPI_DOCUMENT"] = str(write_document(folder / "openapi.json"))
            self._reset_caches()

    def _publish_signing_keys(self) -> None:
        """The token signing key in moto's KMS (unless the environment names keys), and its JWKS as a file the
        verifiers read (the gateway's authorizer, the WebSocket's $connect)."""
        import os

        from identity.service.wiring import sign_in as token_service

        if "LINLI_TOKEN_SIGNING_KEY_IDS" not in self.env_overrides:
            os.environ["LINLI_TOKEN_SIGNING_KEY_IDS"] = sign_in.create_signing_key(self.client("kms"))
            self._reset_caches()
        if "LINLI_JWKS_URL" not in self.env_overrides:
            os.environ["LINLI_JWKS_URL"] = sign_in.write_jwks(token_service().jwks())
            self._reset_caches()

    def stop(self) -> None:
        self._clients.clear()
        self.requests.uninstall()
        self.backoff.uninstall()
        self.fast_sqs.uninstall()
        self.fast_dynamodb.uninstall()
        self.dynamodb_lock.uninstall()
        self.lambdas.uninstall()
        self.mock.stop()
        ParserExecution.stop = self._original_stop
        AslEnvironment.set_error = self._original_set_error
        StepFunctionsParserBackend._get_executions = self._original_get_executions
        moto_state.StateData = self._original_state_data
        self._reset_caches()

    def reset_caches(self) -> None:
        """After a change of the environment the handlers read (settings, SDK clients)."""
        self._reset_caches()

    @staticmethod
    def _reset_caches() -> None:
        from identity.service import wiring
        from notify.service import web_push
        from shared import events, idempotency, identity, queues, sms, storage, workflow
        from shared.dal import base
        from shared.settings import reset_settings

        reset_settings()
        base.ensure_bound.cache_clear()
        for port in (workflow, events, queues, sms, idempotency, storage, web_push, identity, wiring):
            port.reset()

    def _create_queues_and_bus(self) -> None:
        """The event bus, and a queue per catalogue entry, each fed by its rule, as CDK defines them."""
        sqs, bus = self.client("sqs"), self.client("events")
        bus.create_event_bus(Name=EVENT_BUS_NAME)
        arns = {}
        for spec in sorted(QUEUES, key=lambda q: q.dead_letter is not None):  # dead-letter queues first
            attributes = {"VisibilityTimeout": str(QUEUE_VISIBILITY_SECONDS)}
            if spec.dead_letter:
                attributes["RedrivePolicy"] = json.dumps(
                    {"deadLetterTargetArn": arns[spec.dead_letter], "maxReceiveCount": MAX_RECEIVES}
                )
            url = sqs.create_queue(QueueName=f"linli-{spec.name}", Attributes=attributes)["QueueUrl"]
            self.queue_urls[spec.name] = url
            arns[spec.name] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            if spec.from_bus:
                rule = f"linli-to-{spec.name}"
                bus.put_rule(Name=rule, EventBusName=EVENT_BUS_NAME, EventPattern=json.dumps(spec.rule_pattern()))
                bus.put_targets(Rule=rule, EventBusName=EVENT_BUS_NAME, Targets=[{"Id": spec.name, "Arn": arns[spec.name]}])

    def _create_private_bucket(self, name: str, encryption: dict) -> None:
        """A private, versioned bucket with this default encryption rule, as CDK creates the platform's buckets."""
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [encryption]})

    def _create_documents_bucket(self) -> None:
        """The qualification documents and photos bucket, encrypted with S3's keys."""
        self._create_private_bucket(DOCUMENTS_BUCKET, {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}})

    def _create_history_archive_bucket(self) -> None:
        """The history archive bucket, encrypted with its own KMS key."""
        import os

        key_arn = self.client("kms").create_key(Description="Linli history archive")["KeyMetadata"]["Arn"]
        self._create_private_bucket(
            HISTORY_ARCHIVE_BUCKET,
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                "BucketKeyEnabled": True,
            },
        )
        os.environ["LINLI_HISTORY_ARCHIVE_KEY_ID"] = key_arn

    def forget_execution(self, execution_arn: str) -> bool:
        """Remove an ended execution from moto's Step Functions, as AWS does 90 days after its end: its history can
        no longer be read (ExecutionDoesNotExist). False if there was no such execution."""
        backend = stepfunctions_parser_backends[ACCOUNT][REGION]
        for machine in backend.state_machines:
            for execution in list(machine.executions):
                if execution.execution_arn == execution_arn:
                    if execution.status == "RUNNING":
                        raise ValueError("a running execution is kept")
                    machine.executions.remove(execution)
                    return True
        return False

    def _create_resources(self) -> None:
        dynamodb = self.client("dynamodb")
        dynamodb.create_table(**table_definition())
        dynamodb.update_time_to_live(
            TableName=TABLE_NAME, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )
        self._create_queues_and_bus()
        self._create_documents_bucket()
        self._create_history_archive_bucket()
        role_arn = self.client("iam").create_role(
            RoleName="linli-sandbox",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        lam = self.client("lambda")
        arns = {}
        for spec in FUNCTIONS:
            arns[spec.name] = lam.create_function(
                FunctionName=spec.name,
                Runtime=LAMBDA_RUNTIME,
                Role=role_arn,
                Handler=spec.handler,
                Code={"ZipFile": _zip_stub()},
                Architectures=["arm64"],
                Timeout=10,
                MemorySize=256,
            )["FunctionArn"]
        definition = substitute(
            ORDER_LIFECYCLE_ASL.read_text(encoding="utf-8"),
            placeholder_values(table_name=TABLE_NAME, function_arns=arns),
        )
        self.state_machine_arn = self.client("stepfunctions").create_state_machine(
            name=STATE_MACHINE_NAME,
            definition=definition,
            roleArn=role_arn,
            type="STANDARD",
        )["stateMachineArn"]

    def stored_item(self, pk: str, sk: str) -> dict | None:
        """An item as moto holds it (plain values), read without a DynamoDB call: fault predicates run
        inside the DynamoDB layer, where a call would meet the fault again."""
        table = dynamodb_backends[ACCOUNT][REGION].tables.get(TABLE_NAME)
        item = stored_item(table, DynamoType({"S": pk}), DynamoType({"S": sk})) if table is not None else None
        return {name: value.value for name, value in item.attrs.items()} if item is not None else None

    # --- Fault injection, switched from tests, from /dev/faults and from LINLI_FAULTS (docs/sandbox.md) ----

    def inject_fault(self, spec: dict) -> Fault | DynamoDBFault:
        """A fault from its JSON description:
        `{"function": "SelectCandidate", "times": 2}` makes the next two invocations raise TransientError;
        `{"dynamodb": "UpdateItem", "times": 3, "error": "ThrottlingException", "key_prefix": "ORDER#",
        "source": "workflow"}` fails the next three matching DynamoDB calls ("*": any operation; `source`,
        optional: "workflow" for the state machine's direct integrations, "sdk" for the functions' calls)."""
        times = spec.get("times")
        if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 1_000_000:
            raise ValueError("times: a whole number from 1 to 1000000")
        if "function" in spec:
            if spec["function"] not in {f.name for f in FUNCTIONS}:
                raise ValueError(f"function: one of {sorted(f.name for f in FUNCTIONS)}")
            return self.lambdas.inject(spec["function"], times)
        if "dynamodb" in spec:
            operation, prefix, source = spec["dynamodb"], spec.get("key_prefix"), spec.get("source")
            if not isinstance(operation, str) or not (operation == "*" or operation.isalpha()):
                raise ValueError('dynamodb: an operation name such as "UpdateItem", or "*"')
            if prefix is not None and not isinstance(prefix, str):
                raise ValueError("key_prefix: a string such as ORDER#")
            if source not in (None, "workflow", "sdk"):
                raise ValueError('source: "workflow" or "sdk"')
            try:
                error = DynamoDBError(spec.get("error", DynamoDBError.THROTTLED))
            except ValueError:
                raise ValueError(f"error: one of {[e.value for e in DynamoDBError]}") from None
            when = None if source is None else (lambda call: call.from_workflow == (source == "workflow"))
            return self.dynamodb_faults.inject(operation, times, error=error, key_prefix=prefix, when=when)
        raise ValueError('a fault names a "function" or a "dynamodb" operation')

    def active_faults(self) -> list[Fault | DynamoDBFault]:
        return [f for f in self.lambdas.faults.all() + self.dynamodb_faults.faults.all() if f.times > 0]

    def remove_fault(self, fault_id: int | None = None) -> int:
        """Remove one fault by id, or every fault; returns how many were removed."""
        removed = 0
        for book in (self.lambdas.faults, self.dynamodb_faults.faults):
            for fault in book.all():
                if fault_id is None or fault.fault_id == fault_id:
                    book.remove(fault)
                    removed += 1
        return removed

    def invoke(self, function_name: str, event: dict) -> dict:
        """Invoke a function through moto's Lambda API, as API Gateway or a stream would."""
        response = self.client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(event))
        payload = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            raise RuntimeError(f"{function_name} failed: {payload}")
        return payload
