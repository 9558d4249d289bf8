"""The sandbox as the benchmarks drive it: metered, with test worlds (isolated compounds) and bounded waits."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _p in (str(ROOT), str(ROOT / "functions")):
    if _p not in sys.path:
        sys.path.insert(0, _p)
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

from bench.meter import Meter, in_function, unmetered  # noqa: E402

# Waits long enough that none expires during a benchmark (the scenarios answer every callback).
TIMEOUTS = {
    f"LINLI_{name}_SECONDS": "120"
    for name in ("EMERGENCY_OFFER", "BOOKING_OFFER", "COMPANY_DISPATCH", "ESCALATION", "COMPLETION", "RATING", "APPROVAL")
}


def wait_for(check: Callable[[], Any], *, timeout: float = 30, what: str = "condition", every: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        with unmetered():
            result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


class _CountedLog:
    """The Powertools logger's stream while metering: each line is counted (bytes, one log event), not printed."""

    def __init__(self, meter: Meter) -> None:
        self.meter = meter

    def write(self, text: str) -> int:
        line = text.rstrip("\n")
        if line:
            self.meter.count_log(len(line.encode()))
        return len(text)

    def flush(self) -> None:
        pass


class Bench:
    """A started sandbox (HTTP server on a free port) with the meter installed.

    `log_level`: the handlers' log level while metering (their lines counted, not printed); default: the
    sandbox's (quiet, nothing counted). The first call of each handler imports its module outside the call's
    measured duration: the import is in `cold_imports_ms`, the call's duration in `lambdas.invocations`."""

    def __init__(self, *, env: dict[str, str] | None = None, log_level: str | None = None) -> None:
        from local.sandbox import Sandbox

        # No periodic jobs (deadline warnings): a fixed cost of the platform, not of an order. SMS go through SNS (the
        # global target's provider), where the meter counts them, rather than the sandbox's fake provider.
        # No order quotas: a benchmark places orders for a few residents as fast as it can.
        self.box = Sandbox(
            port=0,
            env={**TIMEOUTS, "LINLI_SMS_PROVIDER": "sns", "LINLI_ORDER_QUOTAS_ENABLED": "false", **(env or {})},
            schedule_interval=None,
        )
        self.meter = Meter()
        self.waits: dict[tuple[str, str], float] = {}  # (order id, step) → when the workflow registered the wait
        self.offers_stored: dict[str, float] = {}  # order id → when the Offer task had stored the round's offers
        self.log_level = log_level
        self.cold_imports_ms: dict[str, float] = {}  # function → its handler module's import (first call only)

    def __enter__(self) -> Bench:
        self.box.start()
        self.meter.install()
        handle, meter = self.box.gateway.handle, self.meter

        def counted(*args: Any, **kwargs: Any) -> Any:
            meter.count_api_request()
            return handle(*args, **kwargs)

        self.box.gateway.handle = counted  # type: ignore[method-assign]
        lambdas = self.box.aws.lambdas
        invoke = lambdas.invoke

        def attributed(function_name: str, handler_path: str, event: Any) -> Any:
            if function_name.startswith("Await") and isinstance(event, dict):
                self.waits[(event.get("order_id", ""), event.get("step", ""))] = time.perf_counter()
            if handler_path not in lambdas._handlers:  # a cold start: the module's import, timed on its own
                started = time.perf_counter()
                with in_function(function_name), unmetered():
                    lambdas._handler(handler_path)
                self.cold_imports_ms.setdefault(function_name, (time.perf_counter() - started) * 1000)
            with in_function(function_name):
                result = invoke(function_name, handler_path, event)
            if function_name == "OfferToTechnician" and isinstance(event, dict):
                self.offers_stored[event.get("order_id", "")] = time.perf_counter()
            return result

        lambdas.invoke = attributed  # type: ignore[method-assign]
        self.sfn = self.box.aws.client("stepfunctions")
        if self.log_level:
            from shared.observability import logger

            logger.setLevel(self.log_level)
            logger.registered_handler.setStream(_CountedLog(meter))
        return self

    def __exit__(self, *exc: object) -> None:
        self.meter.uninstall()
        self.box.stop()

    # -- worlds ---------------------------------------------------------------------------------------
    def world(self) -> Any:
        """An isolated compound with a company, a resident and a dispatcher (the test suite's World)."""
        from tests.conftest import WORLD_SITES, Api, World, _world_numbers

        with unmetered():
            from addresses.domain.records import Address
            from addresses.store import address_book
            from compounds.domain.records import Compound, FreePeriod
            from compounds.store import compound_records
            from identity.domain.records import User
            from identity.store import accounts
            from supervision.domain.records import Company
            from supervision.store import company_records

            n = next(_world_numbers)
            lat, lng = WORLD_SITES[n]
            w = World(n=n, lat=lat, lng=lng, api=Api(self.box))
            w.company_id, w.compound_id = f"co_w{n}", f"cp_w{n}"
            w.resident_id, w.address_id, w.dispatcher_id = f"res_w{n}", f"addr_w{n}", f"disp_w{n}"
            company_records.put_company(Company(company_id=w.company_id, name=f"基准物业{n}"))
            compound_records.put_compound(
                Compound(
                    compound_id=w.compound_id,
                    name=f"基准小区{n}",
                    lat=lat,
                    lng=lng,
                    contracted_company_id=w.company_id,
                    free_period=FreePeriod(starts_on="2020-01-01", ends_on="2099-12-31", funded_by="基准试点"),
                )
            )
            accounts.put_user(User(user_id=w.resident_id, role="resident", name=f"基准居民{n}"))
            address_book.put_address(
                w.resident_id,
                Address(address_id=w.address_id, compound_id=w.compound_id, label=f"基准小区{n}1号楼101", lat=lat, lng=lng),
            )
            accounts.put_user(User(user_id=w.dispatcher_id, role="dispatcher", name=f"调度{n}", company_id=w.company_id))
        return w

    @staticmethod
    def add_technician(world: Any, **kwargs: Any) -> str:
        with unmetered():
            return world.add_technician(**kwargs)

    # -- observing (never metered) --------------------------------------------------------------------
    @staticmethod
    def order(order_id: str) -> Any:
        from orders.store import orders

        with unmetered():
            return orders.get(order_id)

    def wait_status(self, order_id: str, *statuses: str, timeout: float = 30) -> Any:
        return wait_for(
            lambda: (o := self.order(order_id)) and o.status in statuses and o, timeout=timeout, what=f"{order_id} {statuses}"
        )

    @staticmethod
    def open_offer(order_id: str, tech_id: str) -> str | None:
        from matching.store import offers

        with unmetered():
            found = [o for o in offers.open_for_technician(tech_id, limit=100)[0] if o.order_id == order_id]
        return found[0].offer_id if found else None

    def wait_offer(self, order_id: str, tech_id: str, timeout: float = 30) -> str:
        return wait_for(lambda: self.open_offer(order_id, tech_id), timeout=timeout, what=f"an offer of {order_id}")

    def history(self, order_id: str) -> list[dict]:
        from shared import workflow

        events, kwargs = [], {"executionArn": workflow.execution_arn_for(order_id)}
        with unmetered():
            while True:
                page = self.sfn.get_execution_history(**kwargs)
                events += page["events"]
                if not page.get("nextToken"):
                    return events
                kwargs["nextToken"] = page["nextToken"]

    def execution_status(self, order_id: str) -> str:
        from shared import workflow

        with unmetered():
            return self.sfn.describe_execution(executionArn=workflow.execution_arn_for(order_id))["status"]

    def wait_execution_done(self, order_id: str, timeout: float = 30) -> str:
        return wait_for(
            lambda: (s := self.execution_status(order_id)) != "RUNNING" and s, timeout=timeout, what=f"{order_id} to end"
        )

    @contextmanager
    def stream_skipped(self):
        """Hold the stream pump, then move its checkpoints past everything written meanwhile, undelivered
        (the floor's bare order items are not orders the notify function could read)."""
        pump = self.box.pump
        with pump._lock, unmetered():
            yield
            streams = self.box.aws.client("dynamodbstreams")
            for shard in streams.describe_stream(StreamArn=pump.stream_arn)["StreamDescription"]["Shards"]:
                while True:
                    page = streams.get_records(ShardIterator=pump._iterator(streams, shard["ShardId"]), Limit=1000)
                    if not page["Records"]:
                        break
                    pump._checkpoints[shard["ShardId"]] = page["Records"][-1]["dynamodb"]["SequenceNumber"]

    def settle(self, quiet_s: float = 1.0, timeout: float = 30) -> None:
        """Wait until the stream and queue pumps have nothing left to deliver (no invocation for quiet_s)."""
        self.box.pump.drain()  # the stream read to its end first: a backlog of records is silent, not settled
        deadline = time.monotonic() + timeout
        last, since = len(self.box.aws.lambdas.invocations), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = len(self.box.aws.lambdas.invocations)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
