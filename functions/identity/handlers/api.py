"""HTTP API of the identity domain: sign-in (WeChat, SMS one-time codes), refresh, logout, and the published keys.
Every route but /auth/wechat/phone and /auth/logout is public (no authorizer): they are how a token is obtained."""

from __future__ import annotations

import json
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from identity.domain.errors import InvalidToken
from identity.service.signin import Tokens
from identity.service.wiring import sign_in
from shared.api import build_resolver, current_caller, resolve
from shared.observability import logger, tracer

router = Router()

# A mainland mobile number, with or without +86 / 86 in front, spaces and dashes allowed.
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\+?86)?[ -]?1[3-9]\d[ -]?\d{4}[ -]?\d{4}$")]
WeChatCode = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: WeChatCode


class PhoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Phone


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Phone
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=12)]


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class TokensView(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int = Field(description="Seconds the access token is valid (at most 900).")
    token_type: str = "Bearer"
    needs_phone: bool = Field(description="A resident who has not bound a phone number yet.")


class PhoneView(BaseModel):
    phone_masked: str


class CodeSentView(BaseModel):
    expires_in: int = Field(description="Seconds a code sent now is valid.")
    retry_after: int = Field(description="Seconds before another code may be asked for.")


TOKENS_RESPONSE = {200: {"description": "Signed in", "content": {"application/json": {"model": TokensView}}}}


def _view(tokens: Tokens) -> TokensView:
    return TokensView.model_validate(tokens, from_attributes=True)


def _no_store(view: BaseModel, status: int = 200) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=view.model_dump_json(),
        headers={"Cache-Control": "no-store"},
    )


@router.post("/auth/wechat", responses=TOKENS_RESPONSE)
def wechat_sign_in(body: CodeIn):  # noqa: ANN201 - a raw Response (headers)
    return _no_store(_view(sign_in().wechat_sign_in(body.code)))


@router.post("/auth/wechat/phone")
def bind_phone(body: CodeIn) -> PhoneView:
    caller = current_caller(router)
    return PhoneView(phone_masked=sign_in().bind_phone(caller.user_id, body.code))


def _signed_in_resident() -> str | None:
    """A resident binding a phone number calls the public SMS routes with their token (checked here: API Gateway
    does not guard these routes); a staff sign-in comes without one."""
    header = router.current_event.get_header_value("authorization") or ""
    if not header:
        return None
    if not header.startswith("Bearer "):
        raise InvalidToken()
    return sign_in().caller_of(header.removeprefix("Bearer ").strip())


@router.post("/auth/sms/code", status_code=202)
def send_code(body: PhoneIn) -> tuple[CodeSentView, int]:
    service = sign_in()
    service.send_code(body.phone, for_user=_signed_in_resident())
    return CodeSentView(expires_in=service.codes.lifetime_seconds, retry_after=service.codes.cooldown_seconds), 202


@router.post("/auth/sms/verify", responses=TOKENS_RESPONSE)
def verify_code(body: VerifyIn):  # noqa: ANN201 - a raw Response (headers)
    return _no_store(_view(sign_in().verify_code(body.phone, body.code, for_user=_signed_in_resident())))


@router.post("/auth/refresh", responses=TOKENS_RESPONSE)
def refresh(body: RefreshIn):  # noqa: ANN201 - a raw Response (headers)
    return _no_store(_view(sign_in().refresh(body.refresh_token)))


@router.post("/auth/logout", status_code=204)
def logout(body: RefreshIn):  # noqa: ANN201 - a raw Response (headers)
    caller = current_caller(router)
    sign_in().logout(caller.user_id, body.refresh_token)
    return Response(status_code=204)


def _public(document: dict) -> Response:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(document, separators=(",", ":")),
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/.well-known/jwks.json")
def jwks():  # noqa: ANN201 - a raw Response (headers)
    return _public(sign_in().jwks())


@router.get("/.well-known/openid-configuration")
def discovery():  # noqa: ANN201 - a raw Response (headers)
    return _public(sign_in().discovery())


app = build_resolver(router)


# Never the event (codes and refresh tokens are in the bodies) nor the answer (tokens) in logs or traces.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
