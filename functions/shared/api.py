"""Builds each domain's HTTP resolver with the same validation, errors and identity rules."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.shared.json_encoder import Encoder

from shared.auth import Caller, caller_from_claims
from shared.errors import DomainError, ValidationFailed
from shared.observability import logger

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


def error_response(status: int, code: str, message_zh: str, message_en: str) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(error_body(code, message_zh, message_en), ensure_ascii=False),
    )


def _describe_validation(errors: Iterable[dict]) -> str:
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)[:500]


def current_caller(router: Router | APIGatewayHttpResolver) -> Caller:
    return caller_from_claims(router.current_event.request_context.authorizer.jwt_claim)


def resolve(app: APIGatewayHttpResolver, event: dict, context: Any) -> dict:
    """Every body this API takes is JSON; anything else gets a clear 415 before any parsing."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if event.get("body") and content_type != "application/json":
        return {
            "statusCode": 415,
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps(
                error_body(
                    "unsupported_media_type",
                    "请以 JSON 格式提交（Content-Type: application/json）",
                    "Send the body as JSON (Content-Type: application/json).",
                ),
                ensure_ascii=False,
            ),
        }
    return app.resolve(event, context)


def build_resolver(*routers: Router) -> APIGatewayHttpResolver:
    # Chinese text stays readable in responses (curl users included).
    app = APIGatewayHttpResolver(
        enable_validation=True, serializer=partial(json.dumps, separators=(",", ":"), cls=Encoder, ensure_ascii=False)
    )
    for router in routers:
        app.include_router(router)

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return error_response(exc.status, exc.code, exc.message_zh, exc.message_en)

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
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "系统出错，请稍后重试", "Something went wrong; try again later.")

    return app
