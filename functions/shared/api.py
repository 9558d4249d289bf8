"""Builds each domain's HTTP resolver with the same validation, errors and identity rules."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from functools import partial
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.shared.json_encoder import Encoder

from shared import acting, auth, idempotency, inputs, partner
from shared.auth import Caller, caller_from_claims
from shared.dal.base import is_transient
from shared.errors import DomainError, InvalidId, ServiceUnavailable, ValidationFailed
from shared.observability import logger
from shared.partner import PARTNER_PREFIX

# The routes whose body is a CSV file (text/csv) rather than JSON (the route table checks they exist).
CSV_ROUTES = frozenset({("POST", "/compounds/import")})

API_TITLE = "Linli 邻里 API"
API_VERSION = "1.0.0"
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "中文说明"},
                "message_en": {"type": "string", "description": "English explanation"},
            },
        }
    },
}


def error_body(code: str, message_zh: str, message_en: str) -> dict:
    return {"error": {"code": code, "message": message_zh, "message_en": message_en}}


def error_response(status: int, code: str, message_zh: str, message_en: str, *, retry_after: int | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(error_body(code, message_zh, message_en), ensure_ascii=False),
        headers={"Retry-After": str(retry_after)} if retry_after is not None else None,
    )


def _describe_validation(errors: Iterable[dict]) -> str:
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)[:500]


def current_caller(router: Router | APIGatewayHttpResolver) -> Caller:
    """The caller the token names, whose account still exists and is usable, with the account's role: a token
    outlives a suspension by up to its lifetime, so the account is read on every call."""
    return usable_caller(router.current_event.request_context.authorizer.jwt_claim)


def usable_caller(claims: dict | None) -> Caller:
    """The caller the verified claims name (only `sub` is read), if their account exists and is usable."""
    return caller_from_claims(claims)


def _json_response(status: int, code: str, message_zh: str, message_en: str) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps(error_body(code, message_zh, message_en), ensure_ascii=False),
    }


def _is_utf8_text(encoded: str) -> bool:
    # API Gateway base64-encodes a body it cannot pass as text; JSON is always UTF-8 text.
    try:
        base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return True


def _refused_body(event: dict) -> dict | None:
    """A 400 for a body no handler should parse (too large, too deep, not JSON): every parse failure is the
    caller's, never a 500."""
    body = event["body"]
    text = base64.b64decode(body).decode("utf-8") if event.get("isBase64Encoded") else body
    try:
        inputs.parse_json_body(text)
    except inputs.BodyRefused as exc:
        detail = str(exc)
        return _json_response(
            400, "invalid_body", f"请求内容不是可接受的 JSON（{detail}）", f"The request body is not acceptable JSON: {detail}."
        )
    return None


def _check_path_ids(app: APIGatewayHttpResolver, next_middleware: Any) -> Response:
    """Every id in a path has one shape (`shared.inputs.ID_PATTERN`): anything else is refused before a handler
    reads it."""
    route, arguments = app.context.get("_route"), app.context.get("_route_args") or {}
    for name in re.findall(r"<(\w+)>", getattr(route, "path", "")):
        value = arguments.get(name)
        if not isinstance(value, str) or not inputs.is_valid_id(value):
            raise InvalidId(
                f"路径中的 {name} 格式不对（字母、数字、_ . -，最多 100 个字符）",
                f"{name} in the path is not a valid id (letters, digits, _ . -; at most 100 characters).",
            )
    return next_middleware(app)


def _signed_path(event: dict) -> str:
    query = event.get("rawQueryString") or ""
    return event.get("rawPath", "") + (f"?{query}" if query else "")


def resolve(app: APIGatewayHttpResolver, event: dict, context: Any) -> dict:
    """Every body this API takes is JSON (else a clear 415 before any parsing); a write call with an
    `Idempotency-Key` header is done once and its answer replayed to retries. The caller's account is read once
    per invocation. A signed /partner call is verified first, then resolved as its staff member's call, through its
    key (`signed_by`: recorded and logged)."""
    with auth.one_invocation():
        return _resolve(app, event, context)


def _resolve(app: APIGatewayHttpResolver, event: dict, context: Any, *, signed_by: str | None = None) -> dict:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    method = event.get("requestContext", {}).get("http", {}).get("method", "")
    if (method, event.get("rawPath", "")) in CSV_ROUTES and content_type == "text/csv":
        return app.resolve(event, context)  # a file: its handler reads and checks it (encoding included)
    if event.get("body") and content_type != "application/json":
        return _json_response(
            415,
            "unsupported_media_type",
            "请以 JSON 格式提交（Content-Type: application/json）",
            "Send the body as JSON (Content-Type: application/json).",
        )
    if event.get("body") and event.get("isBase64Encoded") and not _is_utf8_text(event["body"]):
        return _json_response(400, "invalid_body", "请求内容不是有效的 UTF-8 文本", "The request body is not valid UTF-8 text.")
    if event.get("body"):
        refused = _refused_body(event)
        if refused is not None:
            return refused
    if signed_by is None and event.get("rawPath", "").startswith(PARTNER_PREFIX + "/"):
        try:
            claims = partner.claims_for(
                method=method,
                path=_signed_path(event),
                headers=headers,
                body=event.get("body") or "",
                source_ip=event.get("requestContext", {}).get("http", {}).get("sourceIp", ""),
            )
        except DomainError as exc:
            return _json_response(exc.status, exc.code, exc.message_zh, exc.message_en)
        # Where a JWT authorizer puts a person's claims: the handlers read the caller from there.
        event = {
            **event,
            "requestContext": {**event["requestContext"], "authorizer": {"jwt": {"claims": claims, "scopes": None}}},
        }
        key_id = claims["linli:key_id"]
        logger.append_keys(api_key_id=key_id)  # on every line logged while the call runs
        logger.info("signed call", extra={"method": method, "path": event.get("rawPath", ""), "acting_for": claims["sub"]})
        try:
            with acting.acting_via(key_id):
                return _resolve(app, event, context, signed_by=key_id)
        finally:
            logger.remove_keys(["api_key_id"])
    key = headers.get(idempotency.HEADER)
    if key is None or method not in idempotency.WRITE_METHODS:
        return app.resolve(event, context)
    if not 0 < len(key) <= idempotency.KEY_MAX_LENGTH or not key.isprintable():
        return _json_response(
            400,
            "invalid_idempotency_key",
            f"Idempotency-Key 须为 1–{idempotency.KEY_MAX_LENGTH} 个可见字符",
            f"Idempotency-Key must be 1–{idempotency.KEY_MAX_LENGTH} printable characters.",
        )
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    try:
        return idempotency.run_once(
            caller=str(claims.get("sub", "anonymous")),
            method=method,
            path=event.get("rawPath", ""),
            key=key,
            body=event.get("body") or "",
            run=lambda: app.resolve(event, context),
            context=context,
        )
    except idempotency.KeyReused:
        return _json_response(
            422,
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于另一个请求，请换一个新的",
            "This Idempotency-Key was used for a different request; use a new one.",
        )
    except idempotency.InProgress:
        return _json_response(
            409,
            "request_in_progress",
            "同一请求正在处理中，请稍后重试",
            "The same request is still being processed; retry shortly.",
        )
    except idempotency.StoreUnavailable:
        # The idempotency record could not be read or written, even after the SDK's ten attempts: the client
        # retries later with the same key (see docs/reliability.md for the one case where that repeats work).
        logger.warning("idempotency store unavailable", extra={"path": event.get("rawPath", "")})
        busy = ServiceUnavailable()
        return _json_response(busy.status, busy.code, busy.message_zh, busy.message_en)


def build_resolver(*routers: Router) -> APIGatewayHttpResolver:
    # Chinese text stays readable in responses (curl users included).
    app = APIGatewayHttpResolver(
        strip_prefixes=[PARTNER_PREFIX],  # /partner/offers/… is served by the handler of /offers/…
        enable_validation=True,
        serializer=partial(json.dumps, separators=(",", ":"), cls=Encoder, ensure_ascii=False),
    )
    app.use([_check_path_ids])
    for router in routers:
        app.include_router(router)

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return error_response(exc.status, exc.code, exc.message_zh, exc.message_en, retry_after=getattr(exc, "retry_after", None))

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response:
        detail = _describe_validation(exc.errors())
        err = ValidationFailed(f"请求内容有误：{detail}", f"The request is not valid: {detail}")
        return error_response(422, err.code, err.message_zh, err.message_en)

    @app.not_found
    def _not_found(_: NotFoundError) -> Response:
        return error_response(404, "route_not_found", "没有这个接口", "There is no such endpoint.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if is_transient(exc):  # DynamoDB throttled or down for longer than the SDK retried: try again shortly
            logger.warning("service unavailable", extra={"error": type(exc).__name__, "cause": str(exc)[:300]})
            busy = ServiceUnavailable()
            return error_response(busy.status, busy.code, busy.message_zh, busy.message_en)
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "系统出错，请稍后重试", "Something went wrong; try again later.")

    return app
