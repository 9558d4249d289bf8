"""HTTP API of the notify domain: the caller's outbox (what they would have received)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from shared.api import build_resolver, current_caller, resolve
from shared.dal import messages
from shared.observability import logger, tracer
from shared.records import Message

router = Router()


class MessageList(BaseModel):
    messages: list[Message]


@router.get("/messages")
def my_messages() -> MessageList:
    caller = current_caller(router)
    return MessageList(messages=messages.for_recipient(caller.user_id))


app = build_resolver(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
