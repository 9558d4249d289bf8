"""A local HTTP API Gateway: turns HTTP requests into API Gateway HTTP API (v2) events, with the JWT
claims the authorizer would add, and invokes the route's Lambda through moto."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import jwt

from deploy.catalog import api_function
from deploy.routes import ROUTES, Route
from local import tokens
from local.websocket import STAGE_PATH

if TYPE_CHECKING:
    from local.runtime import LocalAws

MAX_BODY_BYTES = 1_000_000  # API Gateway allows 10 MB; no request of ours comes near 1 MB
# The sandbox's /s3 front takes uploads (S3 itself takes objects far larger; photos are at most 5 MB).
S3_FRONT_MAX_BODY_BYTES = 20_000_000


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def _json(status: int, code: str, zh: str, en: str) -> GatewayResponse:
    body = json.dumps({"error": {"code": code, "message": zh, "message_en": en}}, ensure_ascii=False)
    return GatewayResponse(status, {"content-type": "application/json"}, body.encode())


def _compile(route: Route) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path) + "$")


_COMPILED = [(route, _compile(route)) for route in ROUTES]


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route, pattern in _COMPILED:
        m = pattern.match(path)
        if m and route.method == method:
            return route, m.groupdict()
    return None


def build_event(
    route: Route, path_params: dict, method: str, path: str, query: str, headers: dict[str, str], body: bytes, claims: dict | None
) -> dict:
    try:
        text, is_base64 = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, is_base64 = base64.b64encode(body).decode(), True
    now = time.time()
    route_key = f"{route.method} {route.path}"
    authorizer = {"jwt": {"claims": tokens.claims_as_api_gateway_passes_them(claims), "scopes": None}} if claims else None
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": {k.lower(): v for k, v in headers.items()},
        "queryStringParameters": dict(parse_qsl(query)) or None,
        "pathParameters": path_params or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
            **({"authorizer": authorizer} if authorizer else {}),
        },
        "body": text if body else None,
        "isBase64Encoded": is_base64,
    }


class Gateway:
    def __init__(self, aws: LocalAws) -> None:
        self.aws = aws

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> GatewayResponse:
        parts = urlsplit(raw_path)
        found = match_route(method, parts.path)
        if found is None:
            if any(p.match(parts.path) for _, p in _COMPILED):
                return _json(405, "method_not_allowed", "不支持该请求方法", "This method is not allowed here.")
            return _json(404, "route_not_found", "没有这个接口", "There is no such endpoint.")
        route, params = found
        claims = None
        if route.needs_jwt:
            auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
            if not auth.startswith("Bearer "):
                return _json(401, "unauthenticated", "请先登录", "Sign in first.")
            try:
                claims = tokens.verify(auth.removeprefix("Bearer ").strip())
            except jwt.PyJWTError:
                return _json(401, "invalid_token", "登录已失效，请重新登录", "The sign-in token is not valid.")
        event = build_event(route, params, method, parts.path, parts.query, headers, body, claims)
        result = self.aws.invoke(api_function(route.function).name, event)
        payload = result.get("body") or ""
        raw = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        return GatewayResponse(
            int(result.get("statusCode", 200)), {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}, raw
        )


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """HTTP front: the API at the root, the sandbox-only /dev endpoints and the client apps under /app/."""

    server: SandboxHttpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: Any) -> None:  # keep the console for the operator's output
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _send(self, response: GatewayResponse) -> None:
        self.send_response(response.status)
        headers = {"content-type": "application/json", **response.headers}
        for key, value in headers.items():
            if key != "content-length":
                self.send_header(key, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _dispatch(self) -> None:
        if self.headers.get("upgrade", "").lower() == "websocket" and self.server.upgrade is not None:
            bare, _, query = self.path.partition("?")
            if self.command == "GET" and bare == STAGE_PATH:
                return self.server.upgrade(self, query)
        length = int(self.headers.get("content-length") or 0)
        if length > (S3_FRONT_MAX_BODY_BYTES if self.path.startswith("/s3/") else MAX_BODY_BYTES):
            self.close_connection = True
            return self._send(_json(413, "payload_too_large", "请求内容过大", "The request body is too large."))
        body = self.rfile.read(length) if length else b""
        try:
            response = self.server.route(self.command, self.path, dict(self.headers.items()), body)
        except Exception:  # noqa: BLE001 - a gateway answers 502 when the integration fails
            self.server.log_exception()
            response = _json(502, "bad_gateway", "服务暂时不可用", "The service failed to answer.")
        self._send(response)

    def __getattr__(self, name: str) -> Any:
        # Every method (TRACE, QUERY, anything) reaches the gateway, which answers the ones no route takes
        # with a JSON 404/405, as the API does, instead of http.server's HTML 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)


class SandboxHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], router: Any, verbose: bool = False, upgrade: Any = None) -> None:
        super().__init__(address, SandboxRequestHandler)
        self.route = router
        self.verbose = verbose
        self.upgrade = upgrade  # (request handler, query string): the WebSocket stage at STAGE_PATH

    @staticmethod
    def log_exception() -> None:
        import traceback

        traceback.print_exc()
