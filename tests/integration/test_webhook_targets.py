"""Where webhooks may go and how long one may take (docs/security.md#security-review-findings): public addresses on
HTTPS ports only, checked when the URL is registered and again at every delivery; a wall-clock deadline per delivery;
a batch that never starts a delivery it cannot finish. Real receiving servers on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.conftest import wait_for
from tests.integration.test_notifications_and_webhooks import register_webhook

REFUSED_URLS = [
    "https://127.0.0.1/hook",
    "https://127.1.2.3:443/hook",
    "https://localhost/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.5/hook",
    "https://172.16.3.4/hook",
    "https://192.168.1.1/hook",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://[::1]/hook",
    "https://[fd00::1]/hook",
    "https://[fe80::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://partner:secret@dispatch.example.com/hook",
    "https://dispatch.example.com@127.0.0.1/hook",
    "https://dispatch.example.com:22/hook",
    "https://dispatch.example.com:6379/hook",
    "http://127.0.0.1:8080/hook",
]


@pytest.fixture
def no_loopback(settings_env):
    """The settings of AWS: https only, no loopback."""
    settings_env(allow_http_webhooks="false", allow_loopback_webhooks="false")


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_a_webhook_to_a_non_public_address_an_odd_port_or_with_user_info_is_refused(world, no_loopback, url):
    refused = world.as_dispatcher("PUT", "/companies/me/webhook", {"url": url})
    assert refused.status == 400 and refused.body["error"]["code"] == "validation_error", (url, refused.body)
    assert world.as_dispatcher("GET", "/companies/me/webhook").status == 404, "nothing stored"


@pytest.mark.parametrize("url", ["https://1.1.1.1/hook", "https://[2606:4700::1111]:8443/hook"])
def test_a_public_https_endpoint_is_accepted(world, no_loopback, url):
    assert world.as_dispatcher("PUT", "/companies/me/webhook", {"url": url}).status == 200


def test_the_sandbox_setting_admits_loopback_only_where_it_is_on(world, settings_env, receiver):
    # In the sandbox (LINLI_ALLOW_LOOPBACK_WEBHOOKS=true) a receiver on 127.0.0.1 is fine, on any port
    assert world.as_dispatcher("PUT", "/companies/me/webhook", {"url": receiver.url}).status == 200
    # but not private or link-local addresses, which no sandbox needs
    for url in ("http://10.0.0.5:8080/hook", "http://169.254.169.254/latest/meta-data/"):
        assert world.as_dispatcher("PUT", "/companies/me/webhook", {"url": url}).status == 400, url
    # Off (as in AWS), the same loopback URL is refused
    settings_env(allow_loopback_webhooks="false")
    assert world.as_dispatcher("PUT", "/companies/me/webhook", {"url": receiver.url}).status == 400


def _delivery_for(world, order_id: str) -> dict | None:
    entries = world.as_dispatcher("GET", "/companies/me/webhook/deliveries").body["deliveries"]
    return next((d for d in entries if d.get("order_id") == order_id and d["attempts"]), None)


def test_every_delivery_checks_the_address_again(world, settings_env, receiver):
    # Given a webhook that pointed somewhere allowed when it was registered (or a name that now resolves elsewhere)
    register_webhook(world, receiver.url, events=["offer.created"])
    settings_env(allow_loopback_webhooks="false", webhook_retry_window_seconds=0)
    world.add_technician()
    # When an event is delivered, the address is checked again: nothing is sent, and the log says why in plain words
    order_id = world.order()["order_id"]
    entry = wait_for(lambda: _delivery_for(world, order_id), timeout=30, what="the delivery log")
    assert entry["attempts"][0]["status_code"] is None
    assert entry["attempts"][0]["error"] == "not delivered: the address is not a public one"
    assert receiver.received == []


def test_a_name_with_any_non_public_address_is_refused(monkeypatch):
    from notify.service import webhook_http as http

    def resolves_to(*addresses):
        return lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 443)) for ip in addresses]

    policy = http.Policy()
    monkeypatch.setattr(socket, "getaddrinfo", resolves_to("93.184.215.14"))
    assert http.resolve_public("dispatch.example.com", 443, policy) == "93.184.215.14"
    for private in ("169.254.169.254", "10.1.2.3", "127.0.0.1"):
        monkeypatch.setattr(socket, "getaddrinfo", resolves_to("93.184.215.14", private))
        with pytest.raises(http.TargetRefused):
            http.resolve_public("dispatch.example.com", 443, policy)
    # and a delivery to it is not made: the connection goes to the address checked, or nowhere
    result = http.post("https://dispatch.example.com/hook", b"{}", {}, timeout=1, policy=policy)
    assert result.status is None and result.error == "not delivered: the address is not a public one"


# --- One slow receiver ---------------------------------------------------------------------------------------


@dataclass
class Trickler:
    """A receiver that answers one byte at a time, each byte within any per-read timeout."""

    url: str
    byte_every: float
    requests: list[float] = field(default_factory=list)


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    server = socket.create_server(("127.0.0.1", 0))
    box = Trickler(url=f"http://127.0.0.1:{server.getsockname()[1]}/slow", byte_every=0.4)
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            box.requests.append(time.monotonic())
            try:
                for byte in b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n":
                    if stop.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(box.byte_every)
            except OSError:
                return

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield box
    stop.set()
    server.close()


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_deadline(world, settings_env, trickler):
    # Given a receiver that would take 19 s to answer, a byte every 0.4 s, and a delivery deadline of 1 s
    settings_env(webhook_timeout_seconds=1, webhook_retry_window_seconds=0)
    register_webhook(world, trickler.url, events=["offer.created"])
    world.add_technician()
    order_id = world.order()["order_id"]
    # Then the delivery ends at its deadline, and the log says so
    entry = wait_for(lambda: _delivery_for(world, order_id), timeout=30, what="the delivery log")
    [attempt] = entry["attempts"]
    assert attempt["status_code"] is None and attempt["error"] == "timed out"
    assert 900 <= attempt["duration_ms"] < 2000, attempt


class _Context:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms
        self.function_name, self.function_version, self.aws_request_id = "Webhooks", "1", "test"
        self.invoked_function_arn = "arn:aws:lambda:cn-north-1:123456789012:function:Webhooks"
        self.memory_limit_in_mb = 512

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_a_batch_never_starts_a_delivery_it_cannot_finish_in_the_time_left(world, receiver):
    from notify.domain.webhooks import DeliveryJob
    from notify.handlers import webhooks as handler
    from shared.events import DomainEvent

    # Given deliveries due to a receiver, and an invocation with less time left than a delivery may take (5 s + 3 s)
    register_webhook(world, receiver.url, events=["offer.created"])
    world.add_technician()
    order_id = world.order()["order_id"]
    [first] = wait_for(lambda: receiver.for_order(order_id), timeout=30, what="the first delivery")
    event = DomainEvent.model_validate_json(first.body)
    jobs = [DeliveryJob(company_id=event.company_id, event=event, attempt=1) for _ in range(3)]
    records = [
        {
            "messageId": f"m{i}",
            "receiptHandle": f"r{i}",
            "body": job.model_dump_json(),
            "attributes": {},
            "eventSource": "aws:sqs",
        }
        for i, job in enumerate(jobs)
    ]
    before = len(receiver.received)
    # When the batch runs with 4 s left, nothing is attempted in it and nothing fails (no dead letters, no gap in the log)
    answer = handler.handler({"Records": records}, _Context(remaining_ms=4000))
    assert answer == {"batchItemFailures": []}
    assert len(receiver.received) == before, "no delivery started that the function could not finish"
    # Then every job is back on the queue, and delivered by the next invocation
    wait_for(lambda: len(receiver.for_order(order_id)) >= 4, timeout=30, what="the deferred deliveries")
    assert {json.loads(r.body)["event_id"] for r in receiver.for_order(order_id)} == {event.event_id}


def test_a_replay_is_one_attempt_and_not_while_the_delivery_is_still_retried(world, settings_env, receiver):
    settings_env(webhook_retry_base_seconds=1, webhook_retry_max_seconds=1, webhook_retry_window_seconds=30)
    receiver.fail_first = 10**6
    register_webhook(world, receiver.url, events=["offer.created"])
    world.add_technician()
    order_id = world.order()["order_id"]
    entry = wait_for(lambda: _delivery_for(world, order_id), timeout=30, what="the first attempt")
    assert entry["status"] == "retrying"
    replay = f"/companies/me/webhook/deliveries/{entry['delivery_id']}/replay"
    busy = world.as_dispatcher("POST", replay)
    assert busy.status == 409 and busy.body["error"]["code"] == "delivery_retrying"
    # Once it has failed for good, a replay is one more attempt, not another window of retries
    settings_env(webhook_retry_window_seconds=0)

    def failed():
        found = _delivery_for(world, order_id)
        return found if found and found["status"] == "failed" else None

    entry = wait_for(failed, timeout=30, what="the delivery to fail")
    made = len(entry["attempts"])
    settings_env(webhook_retry_window_seconds=30)  # a new chain of retries would be allowed now
    assert world.as_dispatcher("POST", replay).status == 200
    wait_for(lambda: len(_delivery_for(world, order_id)["attempts"]) > made, timeout=30, what="the replay")
    time.sleep(3)  # three retry periods
    assert len(_delivery_for(world, order_id)["attempts"]) == made + 1


def test_a_redirect_is_not_followed_and_counts_as_a_failed_delivery():
    """A receiver answering 302 to another address (here a second local server) would let any company make the
    platform call a URL it never checked: the answer is the 302, and the second server is never asked."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from notify.service import webhook_http as http

    asked_second: list[str] = []

    class Second(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            asked_second.append(self.path)
            self.send_response(204)
            self.end_headers()

        do_GET = do_POST  # noqa: N815 - a followed redirect may turn into a GET

        def log_message(self, *args: object) -> None:
            pass

    second = ThreadingHTTPServer(("127.0.0.1", 0), Second)
    target = f"http://127.0.0.1:{second.server_address[1]}/internal"

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    first = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    servers = [first, second]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = http.post(
            f"http://127.0.0.1:{first.server_address[1]}/hook",
            b"{}",
            {"Content-Type": "application/json"},
            timeout=2,
            policy=http.Policy(allow_http=True, allow_loopback=True),
        )
        time.sleep(0.2)  # a follow-up request, had there been one, would have arrived by now
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert result.status == 302 and not result.ok
    assert asked_second == []
