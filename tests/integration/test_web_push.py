"""Issue 7, web push, against the sandbox with a real WebSocket client (the `websockets` package): the socket
opens only with the same JWT the HTTP API takes, an order's change reaches the resident's open app at once, a
socket that went away is forgotten, and the message is still in the outbox (GET /messages)."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.conftest import wait_for
from tests.integration.test_notifications_and_webhooks import accept_first_offer

PUSH_BOUND_SECONDS = 15  # an order change to the resident's socket (stream, bus, queue, handler) on a loaded machine


def socket_url(sandbox, token: str | None) -> str:
    return f"ws://127.0.0.1:{sandbox.port}/live" + (f"?token={token}" if token is not None else "")


def open_socket(sandbox, user_id: str, role: str) -> ClientConnection:
    from local import tokens

    return connect(socket_url(sandbox, tokens.issue(user_id, role)), open_timeout=20)


def next_message(ws: ClientConnection, *, kind: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if frame.get("type") == "message" and frame["message"]["kind"] == kind:
            return frame["message"]


def _forged(**changes) -> str:
    """A token signed by the sandbox's real key (unless `key` names another), with these claims changed."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from local import tokens

    now = int(time.time())
    claims = {"sub": "res_wang", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "iat": now, "nbf": now, "exp": now + 600}
    if changes.pop("other_key", False):
        key = ec.generate_private_key(ec.SECP256R1())
        return jwt.encode({**claims, **changes}, key, algorithm="ES256", headers={"kid": tokens.key_id()})
    return tokens.sign_claims({**claims, **changes})


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="no token"),
        pytest.param("not-a-jwt", id="garbage"),
        pytest.param("expired", id="expired"),
        pytest.param("other key", id="other key"),
        pytest.param("other audience", id="other audience"),
        pytest.param("other issuer", id="other issuer"),
    ],
)
def test_a_socket_without_a_valid_token_is_refused(sandbox, token):
    from local import tokens

    made = {
        "expired": lambda: tokens.issue("res_wang", "resident", lifetime=-10),
        "other key": lambda: _forged(other_key=True),
        "other audience": lambda: _forged(aud="someone-else"),
        "other issuer": lambda: _forged(iss="https://evil.example"),
    }
    before = sandbox.push.open_ids()
    with pytest.raises(InvalidStatus) as refused:
        connect(socket_url(sandbox, made[token]() if token in made else token), open_timeout=20)
    assert refused.value.response.status_code == 401
    assert sandbox.push.open_ids() == before


def test_a_valid_token_opens_a_socket_kept_under_its_user_until_it_closes(sandbox, world):
    from notify.store import push_connections

    with open_socket(sandbox, world.resident_id, "resident"):
        [connection_id] = push_connections.of_user(world.resident_id)
        assert connection_id in sandbox.push.open_ids()
    wait_for(lambda: not push_connections.of_user(world.resident_id), timeout=10, what="$disconnect forgot the socket")


def test_an_order_change_reaches_the_residents_open_app_at_once_and_stays_in_the_outbox(sandbox, world, observe):
    tech = world.add_technician()
    with open_socket(sandbox, world.resident_id, "resident") as ws:
        order_id = world.order()["order_id"]
        accept_first_offer(world, observe, tech, order_id)
        accepted_at = time.monotonic()
        message = next_message(ws, kind="order.assigned", timeout=PUSH_BOUND_SECONDS)
        assert time.monotonic() - accepted_at < PUSH_BOUND_SECONDS
        assert message["order_id"] == order_id and message["recipient_id"] == world.resident_id
        assert "师傅已接单" in message["text_zh"]
        # The technician's progress, too, without the resident asking for anything.
        assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": "en_route"}).status == 200
        assert next_message(ws, kind="order.en_route", timeout=PUSH_BOUND_SECONDS)["order_id"] == order_id
    outbox = world.as_resident("GET", "/messages").body["messages"]
    assert {"order.assigned", "order.en_route"} <= {m["kind"] for m in outbox if m["order_id"] == order_id}


def test_an_offer_reaches_the_technicians_open_app(sandbox, world, observe):
    tech = world.add_technician()
    with open_socket(sandbox, tech, "technician") as ws:
        order_id = world.order()["order_id"]
        assert next_message(ws, kind="offer.created", timeout=PUSH_BOUND_SECONDS + 30)["order_id"] == order_id


def test_a_socket_gone_without_a_disconnect_is_forgotten_and_the_open_one_still_told(sandbox, world, observe):
    from notify.store import push_connections
    from shared import clock

    tech = world.add_technician()
    # A phone that lost its network: API Gateway has not called $disconnect yet, PostToConnection says Gone.
    push_connections.add(world.resident_id, "GoneSocket000A=", connected_at=clock.now_iso(), lifetime_seconds=600)
    with open_socket(sandbox, world.resident_id, "resident") as ws:
        assert len(push_connections.of_user(world.resident_id)) == 2
        order_id = world.order()["order_id"]
        accept_first_offer(world, observe, tech, order_id)
        assert next_message(ws, kind="order.assigned", timeout=PUSH_BOUND_SECONDS)["order_id"] == order_id
        wait_for(lambda: "GoneSocket000A=" not in push_connections.of_user(world.resident_id), timeout=10, what="gone socket")
        assert len(push_connections.of_user(world.resident_id)) == 1


def test_a_new_public_area_report_reaches_the_back_office_and_then_the_technician_it_is_dispatched_to(sandbox, world):
    tech = world.add_technician()
    with open_socket(sandbox, world.dispatcher_id, "dispatcher") as office, open_socket(sandbox, tech, "technician") as phone:
        order_id = world.order("public_area", "electrical", place="2号楼 楼道")["order_id"]
        assert next_message(office, kind="public_area.submitted", timeout=PUSH_BOUND_SECONDS)["order_id"] == order_id
        dispatched = world.as_dispatcher("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech})
        assert dispatched.status == 200, dispatched.body
        assert next_message(phone, kind="public_area.dispatched", timeout=PUSH_BOUND_SECONDS)["order_id"] == order_id


def test_the_socket_speaks_rfc_6455_pings_and_takes_no_messages(sandbox, world):
    with open_socket(sandbox, world.resident_id, "resident") as ws:
        assert ws.ping(b"are you there").wait(timeout=10), "pong"
        ws.send(json.dumps({"action": "anything"}))  # no $default route: API Gateway answers with an error
        assert json.loads(ws.recv(timeout=10))["message"] == "Forbidden"


def test_a_handshake_without_a_proper_key_is_a_bad_request(sandbox):
    import socket

    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=20) as raw:
        raw.sendall(
            b"GET /live?token=x HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: not-base64!\r\n\r\n"
        )
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
