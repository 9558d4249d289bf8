"""The WebSocket API's $connect and $disconnect (web push, docs/integrators.md#web-push).

$connect takes the same JWT as the HTTP API, as the `token` query parameter (a browser's WebSocket cannot set an
Authorization header), and refuses the socket unless the token is valid (else 401) and its account exists and is
not suspended (else 403), as every HTTP call checks (the role is the account's, never the token's); a socket that
is accepted is stored under its user. $disconnect forgets it. The notifications function posts each new message
to the recipient's open sockets.
"""

from __future__ import annotations

import jwt
from aws_lambda_powertools.utilities.typing import LambdaContext

from notify.domain.settings import notify_settings
from notify.store import push_connections
from shared import clock, identity
from shared.api import usable_caller
from shared.errors import DomainError, Unauthenticated
from shared.observability import logger, tracer


def connect(event: dict) -> dict:
    connection_id = event["requestContext"]["connectionId"]
    token = (event.get("queryStringParameters") or {}).get("token") or ""
    try:
        claims = identity.verify(token)
    except jwt.PyJWTError as exc:
        logger.info("socket refused", extra={"reason": type(exc).__name__})
        return {"statusCode": 401, "body": "Unauthorized"}
    try:
        # As on every HTTP call: the account still exists and is not suspended.
        caller = usable_caller(claims)
    except DomainError as exc:
        logger.info("socket refused", extra={"reason": type(exc).__name__})
        return {"statusCode": 401 if isinstance(exc, Unauthenticated) else 403, "body": "Forbidden"}
    push_connections.add(
        caller.user_id, connection_id, connected_at=clock.now_iso(), lifetime_seconds=notify_settings().push_connection_seconds
    )
    logger.info("socket opened", extra={"user_id": caller.user_id})
    return {"statusCode": 200}


def disconnect(event: dict) -> dict:
    push_connections.remove(event["requestContext"]["connectionId"])
    return {"statusCode": 200}


ROUTES = {"$connect": connect, "$disconnect": disconnect}


@logger.inject_lambda_context(log_event=False)  # the $connect event holds the token
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    route = ROUTES.get(event.get("requestContext", {}).get("routeKey", ""))
    return route(event) if route else {"statusCode": 404}
