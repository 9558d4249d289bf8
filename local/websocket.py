"""The sandbox's WebSocket API (web push): RFC 6455 on the sandbox's own HTTP server.

`GET /live?token=…` with `Upgrade: websocket` is the WebSocket API's stage: the sandbox invokes the catalogue's
WebSocket function with API Gateway's $connect event (the same handler as in AWS, which checks the JWT and stores
the socket) and answers 101 only if it returned 200, as API Gateway does; when the socket closes, $disconnect.
The functions' `PostToConnection` (boto3's apigatewaymanagementapi client, served by moto) is delivered to the
socket here, and raises `GoneException` for a socket that is not open, as API Gateway does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import struct
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import parse_qsl, unquote

from moto.apigatewaymanagementapi.models import ApiGatewayManagementApiBackend
from moto.core.exceptions import JsonRESTError

from deploy.catalog import Trigger, by_trigger

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from local.runtime import LocalAws

STAGE_PATH = "/live"  # the stage name of infra/constructs/push.py
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
MAX_FRAME_BYTES = 128 * 1024  # API Gateway's frame limit is 32 KB; the apps send nothing


class GoneException(JsonRESTError):
    code = 410

    def __init__(self, connection_id: str) -> None:
        super().__init__("GoneException", f"Connection {connection_id} is gone")


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()  # noqa: S324 - the RFC's choice


def frame(opcode: int, payload: bytes = b"") -> bytes:
    """A server frame: final, unmasked (RFC 6455, 5.2)."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def read_frame(stream: BinaryIO) -> tuple[int, bytes] | None:
    """One client frame (masked, as a client must send); None when the peer went away or broke the protocol."""

    def exactly(n: int) -> bytes | None:
        data = stream.read(n) if n else b""
        return data if data is not None and len(data) == n else None

    head = exactly(2)
    if head is None:
        return None
    opcode, masked, n = head[0] & 0x0F, head[1] & 0x80, head[1] & 0x7F
    if n == 126:
        raw = exactly(2)
        n = struct.unpack("!H", raw)[0] if raw else -1
    elif n == 127:
        raw = exactly(8)
        n = struct.unpack("!Q", raw)[0] if raw else -1
    if not masked or not 0 <= n <= MAX_FRAME_BYTES:
        return None
    mask, payload = exactly(4), exactly(n)
    if mask is None or payload is None:
        return None
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class _Socket:
    def __init__(self, connection_id: str, sock: socket.socket, wfile: BinaryIO) -> None:
        self.connection_id, self.sock, self.wfile = connection_id, sock, wfile
        self.lock = threading.Lock()
        self.connected_at = time.time()

    def send(self, opcode: int, payload: bytes = b"") -> None:
        with self.lock:
            self.wfile.write(frame(opcode, payload))
            self.wfile.flush()


class PushSockets:
    """The open sockets by connection id, and the moto hook that delivers PostToConnection to them."""

    def __init__(self, aws: LocalAws) -> None:
        self.aws = aws
        self._open: dict[str, _Socket] = {}
        self._lock = threading.Lock()
        self._original_post: Any = None
        self.posted = 0  # frames delivered, for the tests
        self._closing = False  # the sandbox stops: no $disconnect into a stopped moto

    # --- moto's management API -------------------------------------------------------------------------

    def install(self) -> None:
        self._original_post = ApiGatewayManagementApiBackend.post_to_connection
        sockets = self

        def post_to_connection(backend: ApiGatewayManagementApiBackend, data: bytes, connection_id: str) -> None:
            sockets.post(unquote(connection_id), data)  # moto hands over the id as it stood in the URL

        ApiGatewayManagementApiBackend.post_to_connection = post_to_connection

    def uninstall(self) -> None:
        if self._original_post is not None:
            ApiGatewayManagementApiBackend.post_to_connection = self._original_post

    def post(self, connection_id: str, data: bytes) -> None:
        with self._lock:
            target = self._open.get(connection_id)
        if target is None:
            raise GoneException(connection_id)
        try:
            target.send(TEXT, data)
        except OSError:
            raise GoneException(connection_id) from None
        self.posted += 1

    def open_ids(self) -> set[str]:
        with self._lock:
            return set(self._open)

    def close_all(self) -> None:
        self._closing = True
        with self._lock:
            sockets = list(self._open.values())
        for s in sockets:
            try:
                s.send(CLOSE, struct.pack("!H", 1001))  # going away
                s.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # --- the stage ------------------------------------------------------------------------------------

    def _event(self, route_key: str, connection_id: str, request: BaseHTTPRequestHandler | None, query: str) -> dict:
        now = time.time()
        headers = dict(request.headers.items()) if request is not None else {}
        return {
            "headers": headers or None,
            "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
            "queryStringParameters": dict(parse_qsl(query)) or None,
            "requestContext": {
                "routeKey": route_key,
                "eventType": route_key.strip("$").upper(),
                "extendedRequestId": str(uuid.uuid4()),
                "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "messageDirection": "IN",
                "stage": STAGE_PATH.strip("/"),
                "connectedAt": int(now * 1000),
                "requestTimeEpoch": int(now * 1000),
                "requestId": str(uuid.uuid4()),
                "domainName": "localhost",
                "connectionId": connection_id,
                "apiId": "local",
            },
            "isBase64Encoded": False,
        }

    def _invoke(self, event: dict) -> dict:
        [spec] = by_trigger(Trigger.WEBSOCKET)
        return self.aws.invoke(spec.name, event) or {}

    def serve(self, request: BaseHTTPRequestHandler, query: str) -> None:
        """Handle an upgrade request on `request`'s connection until the socket closes."""
        request.close_connection = True
        key = request.headers.get("Sec-WebSocket-Key", "")
        try:
            valid_key = len(base64.b64decode(key, validate=True)) == 16
        except ValueError:
            valid_key = False
        if request.headers.get("Sec-WebSocket-Version") != "13" or not valid_key:
            return _refuse(request, 400, "Bad Request")
        # Shaped like API Gateway's connection ids: 11 random bytes in base64 (e.g. "L0SM9cOFvHcCIhw=").
        connection_id = base64.urlsafe_b64encode(secrets.token_bytes(11)).decode()
        try:
            answer = self._invoke(self._event("$connect", connection_id, request, query))
        except RuntimeError:  # the function failed: API Gateway answers 500 and opens nothing
            return _refuse(request, 500, "Internal Server Error")
        status = int(answer.get("statusCode", 200))
        if status != 200:
            return _refuse(request, status if status in (401, 403) else 403, "Unauthorized" if status == 401 else "Forbidden")
        target = _Socket(connection_id, request.connection, request.wfile)
        try:
            with target.lock:  # open before the client hears so (a post waits for the lock: it follows the 101)
                with self._lock:
                    self._open[connection_id] = target
                request.send_response(101, "Switching Protocols")
                request.send_header("Upgrade", "websocket")
                request.send_header("Connection", "Upgrade")
                request.send_header("Sec-WebSocket-Accept", accept_key(key))
                request.end_headers()
                request.wfile.flush()
            self._read_until_closed(request, target)
        except OSError:
            pass  # the client left during the handshake
        finally:
            with self._lock:
                self._open.pop(connection_id, None)
            if not self._closing:
                self._invoke(self._event("$disconnect", connection_id, None, ""))

    @staticmethod
    def _read_until_closed(request: BaseHTTPRequestHandler, target: _Socket) -> None:
        while True:
            try:
                got = read_frame(request.rfile)
            except OSError:
                return
            if got is None:
                return
            opcode, payload = got
            try:
                if opcode == PING:
                    target.send(PONG, payload)
                elif opcode == CLOSE:
                    target.send(CLOSE, payload[:2])
                    return
                elif opcode in (TEXT, BINARY):
                    # No $default route: API Gateway answers a client's message with an error message.
                    message = {"message": "Forbidden", "connectionId": target.connection_id, "requestId": str(uuid.uuid4())}
                    target.send(TEXT, json.dumps(message).encode())
            except OSError:
                return


def _refuse(request: BaseHTTPRequestHandler, status: int, reason: str) -> None:
    body = reason.encode()
    request.send_response(status, reason)
    request.send_header("content-type", "text/plain")
    request.send_header("content-length", str(len(body)))
    request.send_header("connection", "close")
    try:
        request.end_headers()
        request.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # a client that gave up on the upgrade (an app reconnecting, a page closed) needs no answer
