"""The AWS side of the sandbox, in one process: moto's DynamoDB, Step Functions (executing the real
ASL file) and Lambda, with each Lambda invocation routed to the real handler, in-process.

Used by the sandbox (`make run`) and by the workflow and API tests, so all three run the same thing.
"""

from __future__ import annotations

import copy
import importlib
import io
import json
import logging
import threading
import time
import traceback
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto import mock_aws
from moto.awslambda.models import LambdaFunction
from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.stepfunctions.models import StateMachineInstance
from moto.stepfunctions.parser.asl.eval.environment import Environment as AslEnvironment
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
from moto.stepfunctions.parser.backend.execution import Execution as ParserExecution

from shared.catalog import FUNCTIONS, LAMBDA_RUNTIME, MAX_RECEIVES, QUEUES, queue
from shared.dal.tables import INDEX_NAMES
from shared.errors import TransientError
from shared.idempotency import TTL_ATTRIBUTE
from statemachines import ORDER_LIFECYCLE_ASL, placeholder_values, substitute

REGION = "cn-north-1"
ACCOUNT = "123456789012"
TABLE_NAME = "linli"
STATE_MACHINE_NAME = "linli-order-lifecycle"
EVENT_BUS_NAME = "linli-events"
DOCUMENTS_BUCKET = "linli-documents"
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


@dataclass
class Fault:
    """Makes the next `times` invocations of a function fail (tests), optionally only those `when` picks:
    other tests' orders still moving in the background must not use up a test's faults."""

    function_name: str
    times: int
    when: Callable[[Any], bool] = lambda _event: True


class InProcessLambdas:
    """Replaces moto's docker-based invocation with a call of the real handler in this process."""

    def __init__(self) -> None:
        self.invocations: list[Invocation] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        # Handlers are imported on their first call, from whichever pump or request thread gets there first.
        # Two threads importing modules that share packages (powertools) at once can meet a partially
        # initialised module (Python breaks the import deadlock that way): the first imports take turns.
        self._import_lock = threading.Lock()
        self._original = LambdaFunction._invoke_lambda

    def install(self) -> None:
        lambdas = self

        def _invoke_lambda(fn: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
            return lambdas.invoke(fn.function_name, fn.handler, event if event is not None else {})

        LambdaFunction._invoke_lambda = _invoke_lambda

    def uninstall(self) -> None:
        LambdaFunction._invoke_lambda = self._original

    def inject(self, function_name: str, times: int, when: Callable[[Any], bool] | None = None) -> Fault:
        fault = Fault(function_name, times, when or Fault.when)
        with self._lock:
            self.faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self.faults = [f for f in self.faults if f is not fault]

    def _maybe_fail(self, function_name: str, event: Any) -> None:
        with self._lock:
            candidates = [f for f in self.faults if f.function_name == function_name and f.times > 0]
        fault = next((f for f in candidates if f.when(event)), None)
        if fault is not None:
            with self._lock:
                fault.times -= 1
            raise TransientError(f"injected fault in {function_name}")

    def invoke(self, function_name: str, handler_path: str, event: Any) -> tuple[str, bool, str]:
        module_name, func_name = handler_path.rsplit(".", 1)
        started = time.perf_counter()
        errored = False
        try:
            self._maybe_fail(function_name, event)
            with self._import_lock:
                module = importlib.import_module(module_name)
            handler = getattr(module, func_name)
            result = handler(event, LambdaContext(function_name=function_name))
            payload = json.dumps(result)
        except Exception as exc:  # noqa: BLE001 - reported to the caller as Lambda does
            errored = True
            payload = json.dumps(
                {"errorType": type(exc).__name__, "errorMessage": str(exc), "stackTrace": traceback.format_exception(exc)[-3:]}
            )
        self.invocations.append(Invocation(function_name, (time.perf_counter() - started) * 1000, errored))
        return payload, errored, ""


class _PerThread:
    """A resolver attribute with a value per thread (and per resolver, for `context`)."""

    def __init__(self, state: threading.local, name: str, per_instance: bool = False) -> None:
        self.state, self.name, self.per_instance = state, name, per_instance

    def _values(self) -> dict:
        if not hasattr(self.state, "values"):
            self.state.values = {}
        return self.state.values

    def _key(self, obj: Any) -> tuple:
        return (self.name, id(obj)) if self.per_instance else (self.name,)

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if self.per_instance and obj is None:
            return self
        return self._values().setdefault(self._key(obj), {} if self.per_instance else None)

    def __set__(self, obj: Any, value: Any) -> None:
        self._values()[self._key(obj)] = value


class PerInvocationRequests:
    """In AWS each concurrent invocation has a container of its own; the sandbox runs them as threads of one
    process. Powertools keeps the request being resolved in class attributes (`BaseRouter.current_event`,
    `lambda_context`) and the matched route in the resolver's `context`, so two requests resolved at once
    would read each other's. Here those attributes hold one value per thread, as if per container."""

    SHARED = ("current_event", "lambda_context")

    def __init__(self) -> None:
        self._state = threading.local()

    def install(self) -> None:
        from abc import ABCMeta

        from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, BaseRouter

        self._saved = {name: BaseRouter.__dict__.get(name) for name in self.SHARED}
        shared = {name: _PerThread(self._state, name) for name in self.SHARED}

        class PerThreadClassAttributes(ABCMeta):
            # `BaseRouter.current_event = …` would replace the descriptor: route it to the thread's value.
            def __setattr__(cls, name: str, value: Any) -> None:
                if name in shared:
                    shared[name].__set__(None, value)
                else:
                    super().__setattr__(name, value)

        for name, descriptor in shared.items():
            type.__setattr__(BaseRouter, name, descriptor)
        BaseRouter.__class__ = PerThreadClassAttributes
        ApiGatewayResolver.context = _PerThread(self._state, "context", per_instance=True)

    def uninstall(self) -> None:
        from abc import ABCMeta

        from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, BaseRouter

        BaseRouter.__class__ = ABCMeta
        for name, value in self._saved.items():
            setattr(BaseRouter, name, value)
        del ApiGatewayResolver.context


class SerializedDynamoDB:
    """moto evaluates a condition and writes without a lock; DynamoDB does both atomically per item.
    Serialising DynamoDB calls restores that, so races in tests behave as they would on AWS."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._original = BotocoreStubber.__call__

    def install(self) -> None:
        lock, original = self._lock, self._original

        def __call__(stubber: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
            # The stream too: a reader must never see a transaction's records before it commits or is undone.
            if ".dynamodb." in event_name or ".dynamodb-streams." in event_name:
                with lock:
                    return original(stubber, event_name, request, **kwargs)
            return original(stubber, event_name, request, **kwargs)

        BotocoreStubber.__call__ = __call__

    def uninstall(self) -> None:
        BotocoreStubber.__call__ = self._original


class CheapTransactions:
    """moto backs up a transaction by deep-copying every table it touches, once per item: with the
    audit chain's transactions on a growing table that made each write O(table). DynamoDB calls are
    serialised (SerializedDynamoDB), so an undo log of the touched items' previous versions and the
    stream's length is an equivalent backup at O(items in the transaction)."""

    def __init__(self) -> None:
        self._original = DynamoDBBackend.transact_write_items

    def install(self) -> None:
        original = self._original

        def transact_write_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
            undo = _UndoLog(backend, transact_items)
            Table.__deepcopy__ = _same_table  # the backup moto takes: the undo log does its work
            try:
                original(backend, transact_items)
            except Exception:
                undo.restore()
                raise
            finally:
                del Table.__deepcopy__

        DynamoDBBackend.transact_write_items = transact_write_items

    def uninstall(self) -> None:
        DynamoDBBackend.transact_write_items = self._original


def _same_table(table: Any, memo: dict) -> Any:
    return table


class _UndoLog:
    """The items a transaction may write, as they were before it, and each stream's length."""

    def __init__(self, backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        self.backend = backend
        self.previous: list[tuple[Any, Any, Any, Any]] = []
        self.stream_lengths: dict[str, int] = {}
        for entry in transact_items:
            op = next(iter(entry.values()), {})
            table = backend.tables.get(op.get("TableName", ""))
            if table is None:
                continue
            key = op.get("Key") or {
                name: op.get("Item", {}).get(name) for name in (table.hash_key_attr, table.range_key_attr) if name is not None
            }
            if table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
                continue
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            current = table.get_item(hash_value, range_value)
            self.previous.append((table, hash_value, range_value, copy.deepcopy(current)))
            if table.stream_shard is not None:
                self.stream_lengths.setdefault(table.name, len(table.stream_shard.items))

    def restore(self) -> None:
        for table, hash_value, range_value, item in reversed(self.previous):
            if range_value is None:
                table.items.pop(hash_value, None)
                if item is not None:
                    table.items[hash_value] = item
            else:
                table.items[hash_value].pop(range_value, None)
                if item is not None:
                    table.items[hash_value][range_value] = item
                elif not table.items[hash_value]:
                    del table.items[hash_value]
        for name, length in self.stream_lengths.items():
            shard = self.backend.tables[name].stream_shard
            del shard.items[length:]


def _clone_without_executions(machine: Any, memo: dict) -> Any:
    """moto deep-copies the state machine on every StartExecution, running executions (with their
    locks and threads) included, which fails from the second order on. The clone only needs the
    definition, so copy everything but the executions."""
    clone = machine.__class__.__new__(machine.__class__)
    memo[id(machine)] = clone
    for key, value in machine.__dict__.items():
        setattr(clone, key, [] if key == "executions" else copy.deepcopy(value, memo))
    return clone


def _stop_and_release_waits(original_stop: Any) -> Any:
    """On AWS, StopExecution ends the execution at once, even mid-wait. moto marks it stopped but
    leaves the task-token wait blocking until its timeout; releasing the waits lets it end now."""

    def stop(execution: Any, stop_date: Any, error: Any = None, cause: Any = None) -> None:
        original_stop(execution, stop_date=stop_date, error=error, cause=cause)
        worker = getattr(execution, "exec_worker", None)
        pool = getattr(getattr(worker, "env", None), "callback_pool_manager", None)
        for endpoint in list(getattr(pool, "_pool", {}).values()):
            endpoint.interrupt_all()

    return stop


def _keep_stopped(original_set_error: Any) -> Any:
    """A stopped execution stays aborted: the released wait's failure must not turn it into FAILED."""

    def set_error(env: Any, error: Any) -> None:
        if isinstance(env.program_state(), ProgramStopped):
            return
        original_set_error(env, error)

    return set_error


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
        self.dynamodb_lock = SerializedDynamoDB()
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self.transactions = CheapTransactions()
        self.requests = PerInvocationRequests()
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
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                "LINLI_TABLE_NAME": TABLE_NAME,
                "LINLI_EVENT_BUS_NAME": EVENT_BUS_NAME,
                "LINLI_DOCUMENTS_BUCKET": DOCUMENTS_BUCKET,
                # The sandbox's webhook receivers are local test servers on plain http://127.0.0.1.
                "LINLI_ALLOW_HTTP_WEBHOOKS": "true",
                **self.env_overrides,
            }
        )
        # moto logs every caught States.Timeout as an error; here they are ordinary workflow paths.
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
        self.mock.start()
        StateMachineInstance.__deepcopy__ = _clone_without_executions
        self._original_stop = ParserExecution.stop
        ParserExecution.stop = _stop_and_release_waits(self._original_stop)
        self._original_set_error = AslEnvironment.set_error
        AslEnvironment.set_error = _keep_stopped(self._original_set_error)
        self.lambdas.install()
        self.dynamodb_lock.install()
        self.transactions.install()
        self.requests.install()
        self._create_resources()
        os.environ["LINLI_STATE_MACHINE_ARN"] = self.state_machine_arn
        os.environ.update({f"LINLI_{queue(name).setting.upper()}": url for name, url in self.queue_urls.items()})
        self._reset_caches()
        return self

    def stop(self) -> None:
        self._clients.clear()
        self.requests.uninstall()
        self.transactions.uninstall()
        self.dynamodb_lock.uninstall()
        self.lambdas.uninstall()
        self.mock.stop()
        del StateMachineInstance.__deepcopy__
        ParserExecution.stop = self._original_stop
        AslEnvironment.set_error = self._original_set_error
        self._reset_caches()

    @staticmethod
    def _reset_caches() -> None:
        from shared import events, idempotency, queues, sms, storage, workflow
        from shared.dal import base
        from shared.settings import get_settings

        get_settings.cache_clear()
        base.ensure_bound.cache_clear()
        for port in (workflow, events, queues, sms, idempotency, storage):
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

    def _create_documents_bucket(self) -> None:
        """The qualification documents bucket, private and encrypted as CDK creates it."""
        s3 = self.client("s3")
        s3.create_bucket(Bucket=DOCUMENTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_public_access_block(
            Bucket=DOCUMENTS_BUCKET,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_versioning(Bucket=DOCUMENTS_BUCKET, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(
            Bucket=DOCUMENTS_BUCKET,
            ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        )

    def _create_resources(self) -> None:
        dynamodb = self.client("dynamodb")
        dynamodb.create_table(**table_definition())
        dynamodb.update_time_to_live(
            TableName=TABLE_NAME, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )
        self._create_queues_and_bus()
        self._create_documents_bucket()
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

    def invoke(self, function_name: str, event: dict) -> dict:
        """Invoke a function through moto's Lambda API, as API Gateway or a stream would."""
        response = self.client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(event))
        payload = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            raise RuntimeError(f"{function_name} failed: {payload}")
        return payload
