"""A real HTTP server on 127.0.0.1 standing in for a company's dispatch system."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import reload_settings

INTEGRATOR_DOCS = Path(__file__).resolve().parents[2] / "docs" / "integrators.md"


def documented(function_name: str) -> Callable:
    """A function exactly as docs/integrators.md shows it to integrators, so the tests prove the docs work."""
    for code in re.findall(r"```python\n(.*?)```", INTEGRATOR_DOCS.read_text(encoding="utf-8"), re.S):
        if f"def {function_name}(" in code:
            namespace: dict = {}
            exec(code, namespace)  # noqa: S102 - our own documentation
            return namespace[function_name]
    raise AssertionError(f"docs/integrators.md shows no {function_name}")


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    fail_first: int = 0  # answer 500 to this many requests, then 204
    received: list[Received] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)

    def for_order(self, order_id: str) -> list[Received]:
        return [r for r in self.received if r.event.get("order", {}).get("order_id") == order_id]

    def of_type(self, event_type: str) -> list[Received]:
        return [r for r in self.received if r.event["type"] == event_type]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            box.received.append(Received(dict(self.headers.items()), body))
            status = 500 if len(box.received) <= box.fail_first else 204
            box.answered.append(status)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/linli")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


@pytest.fixture
def observe(sandbox):
    """What the workflow did to an order (tests/workflow's Observer), for the tests here that run orders."""
    from tests.workflow.conftest import Observer

    return Observer(sandbox)


@pytest.fixture
def settings_env(sandbox) -> Iterator:
    """Override settings for one test (e.g. fast webhook retries); restored afterwards."""

    saved = dict(os.environ)

    def set_env(**values: object) -> None:
        os.environ.update({f"LINLI_{k.upper()}": str(v) for k, v in values.items()})
        reload_settings()

    yield set_env
    os.environ.clear()
    os.environ.update(saved)
    reload_settings()
