"""Fixtures shared by the workflow and API tests: one sandbox per session (moto is process-global),
isolated test worlds, and a bounded wait for asynchronous workflow progress."""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

# Generous defaults so no wait expires by accident on a slow machine; tests that exercise a
# timeout shorten just that one with the `timeouts` fixture.
TEST_TIMEOUTS = {
    "LINLI_EMERGENCY_OFFER_SECONDS": "60",
    "LINLI_BOOKING_OFFER_SECONDS": "60",
    "LINLI_COMPANY_DISPATCH_SECONDS": "60",
    "LINLI_ESCALATION_SECONDS": "60",
    "LINLI_COMPLETION_SECONDS": "60",
    "LINLI_PUBLIC_AREA_RESOLVE_SECONDS": "60",
    "LINLI_RATING_SECONDS": "60",
    "LINLI_APPROVAL_SECONDS": "60",
}


# With `-n 2 --dist loadgroup` (make test), each worker process runs its own sandbox, and the suites below run in one
# worker each, in the order they have in one process: tests of a suite leave state (open offers, imported compounds)
# that another suite's tests are not written to expect. The split follows the suites' durations measured in one run
# (e2e 255 s, integration 101 s, workflow 94 s, infrastructure 91 s, api 84 s, bench 31 s, security 18 s).
WORKER_GROUPS = {
    "api": "http",
    "security": "http",
    "integration": "http",
    "infrastructure": "http",
    "bench": "http",
    "e2e": "browser",
    "workflow": "browser",
}


def pytest_collection_modifyitems(items: list) -> None:
    """Fuzz tests go last: their generated requests may change shared data (the catalogue, for one)."""
    items.sort(key=lambda item: item.get_closest_marker("fuzz") is not None)
    for item in items:
        suite = item.path.relative_to(item.session.config.rootpath / "tests").parts[0]
        item.add_marker(pytest.mark.xdist_group(WORKER_GROUPS.get(suite, "browser")))


@pytest.fixture(scope="session")
def sandbox():
    from local.sandbox import Sandbox

    env = {
        **TEST_TIMEOUTS,
        # The SDK's retry backoff is shortened tenfold (every attempt still happens): see docs/reliability.md.
        "LINLI_SANDBOX_SDK_BACKOFF_SCALE": "0.1",
        # Handlers log their events, as an operator may switch on (silent at the sandbox's WARNING level): the
        # personal-data test lowers the level and checks that no phone number gets through.
        "POWERTOOLS_LOGGER_LOG_EVENT": "true",
        # Tests place many orders for the same demo residents within minutes; the quotas' own tests switch them on.
        "LINLI_ORDER_QUOTAS_ENABLED": "false",
    }
    box = Sandbox(port=0, env=env, history=False).start()
    yield box
    box.stop()


def reload_settings() -> None:
    """Make the handlers read the environment as it is now (after a test changed it). Clearing the settings cache
    is not enough: a handler thread of an earlier test's execution may be building the settings from the old
    environment at this moment and store them after the clear (seen in CI: an escalation wait of 60 s where the
    test had set 2). So the cache is filled here, until it agrees with a fresh read; a late store after that
    finds the cache filled and leaves it (functools.lru_cache keeps the first)."""
    from shared.settings import reset_settings, settings_of

    kinds = all_settings_kinds()
    for _ in range(50):
        reset_settings()
        for kind in kinds:
            settings_of(kind)  # fills the cache, unless an old read stores its settings first
        if all(settings_of(kind) == kind() for kind in kinds):  # what the cache holds now
            return
    raise AssertionError("the settings did not settle on the environment")


def all_settings_kinds() -> list[type]:
    """The kernel's settings and every domain's (each domain's module imported, so that its kind exists)."""
    import importlib

    from shared.settings import Settings

    for domain in ("escalation", "identity", "matching", "notify", "orders", "supervision"):
        importlib.import_module(f"{domain}.domain.settings")
    found, pending = [Settings], list(Settings.__subclasses__())
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


@pytest.fixture
def timeouts(sandbox) -> Iterator[Callable[..., None]]:
    """Shorten workflow timeouts for one test: timeouts(offer=1) sets the offer wait to 1 s."""

    names = {
        "offer": ["LINLI_EMERGENCY_OFFER_SECONDS", "LINLI_BOOKING_OFFER_SECONDS"],
        "dispatch": ["LINLI_COMPANY_DISPATCH_SECONDS"],
        "escalation": ["LINLI_ESCALATION_SECONDS"],
        "dispatch_wait_retry": ["LINLI_DISPATCH_WAIT_RETRY_SECONDS"],
        "completion": ["LINLI_COMPLETION_SECONDS", "LINLI_PUBLIC_AREA_RESOLVE_SECONDS"],
        "resolve": ["LINLI_PUBLIC_AREA_RESOLVE_SECONDS"],
        "rating": ["LINLI_RATING_SECONDS"],
        "approval": ["LINLI_APPROVAL_SECONDS"],
    }
    saved = dict(os.environ)

    def set_timeouts(**seconds: int) -> None:
        for key, value in seconds.items():
            for env in names[key]:
                os.environ[env] = str(value)
        reload_settings()

    yield set_timeouts
    for env in TEST_TIMEOUTS:
        os.environ[env] = saved[env]
    os.environ.pop("LINLI_DISPATCH_WAIT_RETRY_SECONDS", None)
    reload_settings()


@dataclass
class Faults:
    """Faults a test arms (handlers and DynamoDB calls, local.runtime); all removed when the test ends."""

    sandbox: Any
    armed: list = field(default_factory=list)

    def handler(self, function_name: str, times: int, when: Callable[[Any], bool] | None = None):
        fault = self.sandbox.aws.lambdas.inject(function_name, times, when=when)
        self.armed.append(fault)
        return fault

    def dynamodb(self, operation: str, times: int, *, error: str = "ProvisionedThroughputExceededException", when=None):
        fault = self.sandbox.aws.dynamodb_faults.inject(operation, times, error=error, when=when)
        self.armed.append(fault)
        return fault

    def clear(self) -> None:
        for fault in self.armed:
            self.sandbox.aws.remove_fault(fault.fault_id)
        self.armed.clear()


@pytest.fixture
def faults(sandbox) -> Iterator[Faults]:
    armed = Faults(sandbox)
    yield armed
    armed.clear()


# The audit log is appended by a queue consumer, one transaction per event, behind every other test's events:
# on a loaded 2-core machine it can trail the order by more than the default ceiling.
AUDIT_LAG_SECONDS = 150


def wait_for(check: Callable[[], Any], *, timeout: float = 45, what: str = "condition") -> Any:
    """Poll until check() returns something truthy; fail (never hang) after `timeout` seconds.
    The ceiling is generous because a passing wait returns at once; only a failing one waits it out,
    and a loaded 2-core machine can take many seconds for an execution step."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


@dataclass
class ApiResult:
    status: int
    body: Any
    headers: dict = field(default_factory=dict)


@dataclass
class Api:
    """Calls the API through the sandbox's gateway in-process: the same events API Gateway sends."""

    sandbox: Any

    def call(
        self, user_id: str | None, role: str | None, method: str, path: str, body: Any = None, headers: dict | None = None
    ) -> ApiResult:
        from local import tokens

        headers = {"content-type": "application/json", **(headers or {})}
        if user_id:
            headers["authorization"] = f"Bearer {tokens.issue(user_id, role)}"
        raw = json.dumps(body).encode() if body is not None else b""
        response = self.sandbox.gateway.handle(method, path, headers, raw)
        if response.body and "json" not in response.headers.get("content-type", "application/json"):
            return ApiResult(response.status, response.body.decode("utf-8"), response.headers)  # e.g. a CSV export
        return ApiResult(response.status, json.loads(response.body) if response.body else None, response.headers)


def tiny_png(rgb: tuple[int, int, int] = (200, 60, 40), size: int = 8) -> bytes:
    """A real PNG image (a browser draws it), a few dozen bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def upload_certificate_scan(api: Api, dispatcher: str) -> str:
    """A certificate scan uploaded through the pre-signed URL (its exact length signed), as the back office does."""
    import requests

    data = b"\x89PNG scan"
    created = api.call(
        dispatcher,
        "dispatcher",
        "POST",
        "/documents",
        {"kind": "certificate", "filename": "cert.png", "content_type": "image/png", "size": len(data)},
    )
    assert created.status == 201, created.body
    put = requests.put(created.body["upload_url"], data=data, headers=created.body["headers"], timeout=10)
    assert put.status_code == 200, put.text
    return created.body["document_id"]


def upload_photo(api: Api, user_id: str, role: str, purpose: str, data: bytes | None = None) -> str:
    """POST /photos, then PUT the image to the pre-signed URL (the sandbox's /s3 front), as the apps do."""
    import requests

    data = data if data is not None else tiny_png()
    created = api.call(user_id, role, "POST", "/photos", {"purpose": purpose, "content_type": "image/png", "size": len(data)})
    assert created.status == 201, created.body
    put = requests.put(created.body["upload_url"], data=data, headers=created.body["headers"], timeout=10)
    assert put.status_code == 200, put.text
    return created.body["photo_id"]


_world_numbers = itertools.count(1)


def _world_sites() -> list[tuple[float, float]]:
    """Where test worlds go: a grid inside the service area (availability checks it), 0.09° of latitude
    (~10 km) by 0.11° of longitude (~9.4 km) apart, so that no world's technicians (a few km from its compound at
    most) come within another's widest search (5 km), and away from the demo compounds in Tongzhou (the HTTP tests
    use those). About 330 sites: one per world the suite makes."""
    tongzhou = (39.905, 116.66)
    sites = [(round(39.45 + 0.09 * r, 3), round(115.45 + 0.11 * c, 3)) for r in range(18) for c in range(19)]
    return [(0.0, 0.0)] + [s for s in sites if abs(s[0] - tongzhou[0]) > 0.2 or abs(s[1] - tongzhou[1]) > 0.25]


WORLD_SITES = _world_sites()  # indexed by world number, from 1


@dataclass
class World:
    """An isolated compound with its own company, resident and technicians, far from every other."""

    n: int
    lat: float
    lng: float
    api: Api
    company_id: str = ""
    compound_id: str = ""
    resident_id: str = ""
    address_id: str = ""
    dispatcher_id: str = ""
    supervisor_id: str = "sup_tongzhou"
    technicians: list[str] = field(default_factory=list)
    _order_owners: dict[str, bool] = field(default_factory=dict, repr=False)

    def owns_order(self, task_input: dict) -> bool:
        """For fault injection: does this workflow task's input concern one of this world's orders?"""
        from orders.store import orders

        order = orders.get(task_input.get("order_id", ""))
        return order is not None and order.resident_id == self.resident_id

    def owns_order_call(self, call: Any) -> bool:
        """For DynamoDB fault injection: does this DynamoDB call (local.runtime.DynamoDBCall) read or write
        one of this world's orders, its offers, waits or rating? Reads moto's table directly (no call)."""
        if self.resident_id in call.strings():
            return True  # e.g. the order's creation, or a resident's order list
        for order_id in call.order_ids():
            if order_id not in self._order_owners:
                stored = self.api.sandbox.aws.stored_item(f"ORDER#{order_id}", "ORDER")
                if stored is None:
                    continue
                self._order_owners[order_id] = stored.get("resident_id") == self.resident_id
            if self._order_owners[order_id]:
                return True
        return False

    def as_resident(self, method: str, path: str, body: Any = None) -> ApiResult:
        return self.api.call(self.resident_id, "resident", method, path, body)

    def as_technician(self, tech_id: str, method: str, path: str, body: Any = None) -> ApiResult:
        return self.api.call(tech_id, "technician", method, path, body)

    def as_supervisor(self, method: str, path: str, body: Any = None) -> ApiResult:
        return self.api.call(self.supervisor_id, "supervisor", method, path, body)

    def as_dispatcher(self, method: str, path: str, body: Any = None) -> ApiResult:
        return self.api.call(self.dispatcher_id, "dispatcher", method, path, body)

    def photo(self, user_id: str, role: str, purpose: str) -> str:
        """An uploaded photo of `user_id`'s (a photo id), for `purpose`: fault, work or profile."""
        return upload_photo(self.api, user_id, role, purpose)

    def add_technician(
        self,
        *,
        skills=("electrical",),
        on_duty: bool = True,
        metres_east: float = 100,
        certificates: list | None = None,
        status: str = "active",
    ) -> str:
        """A technician `metres_east` of the compound, holding every certificate the skills need unless
        `certificates` says otherwise."""

        from identity.domain.records import Certificate, User
        from identity.store import accounts
        from supervision.domain.qualifications import certificates_needed

        if certificates is None:
            certificates = [Certificate(kind=k, expires_on="2099-12-31") for k in certificates_needed(list(skills))]

        tech_id = f"tech_w{self.n}_{len(self.technicians) + 1}"
        accounts.put_user(
            User(
                user_id=tech_id,
                role="technician",
                name=f"测试师傅{len(self.technicians) + 1}",
                company_id=self.company_id,
                skills=list(skills),
                on_duty=on_duty,
                status=status,
                certificates=certificates,
                lat=self.lat,
                lng=self.lng + metres_east / 85_000,
            )
        )
        self.technicians.append(tech_id)
        return tech_id

    def order(self, order_type: str = "emergency", category: str = "electrical", **extra: Any) -> dict:
        body = {"type": order_type, "category": category, "description": "灯不亮了", "address_id": self.address_id, **extra}
        result = self.as_resident("POST", "/orders", body)
        assert result.status == 201, result.body
        return result.body


@pytest.fixture
def api(sandbox) -> Api:
    return Api(sandbox)


@pytest.fixture
def world(sandbox, api) -> World:
    return make_world(api)


def make_world(api: Api) -> World:
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
    w = World(n=n, lat=lat, lng=lng, api=api)
    w.company_id, w.compound_id = f"co_w{n}", f"cp_w{n}"
    w.resident_id, w.address_id, w.dispatcher_id = f"res_w{n}", f"addr_w{n}", f"disp_w{n}"
    company_records.put_company(Company(company_id=w.company_id, name=f"测试物业{n}"))
    compound_records.put_compound(
        Compound(
            compound_id=w.compound_id,
            name=f"测试小区{n}",
            lat=w.lat,
            lng=w.lng,
            contracted_company_id=w.company_id,
            free_period=FreePeriod(starts_on="2020-01-01", ends_on="2099-12-31", funded_by="测试试点"),
        )
    )
    accounts.put_user(User(user_id=w.resident_id, role="resident", name=f"测试居民{n}"))
    address_book.put_address(
        w.resident_id,
        Address(address_id=w.address_id, compound_id=w.compound_id, label=f"测试小区{n}1号楼101", lat=w.lat, lng=w.lng),
    )
    accounts.put_user(User(user_id=w.dispatcher_id, role="dispatcher", name=f"调度{n}", company_id=w.company_id))
    return w
