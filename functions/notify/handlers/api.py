"""HTTP API of the notify domain: outbox, preferences, call tasks, webhook settings and log, dead letters."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from notify.domain.settings import notify_settings
from notify.domain.webhooks import DeliveryJob, webhook_policy
from notify.handlers.models import (
    ApiKeyIn,
    ApiKeyList,
    ApiKeyView,
    CallTaskList,
    DeadLetter,
    DeadLetterList,
    DeliveryList,
    MessageList,
    NotificationPreferencesIn,
    SubscriptionsIn,
    SubscriptionsView,
    WebhookIn,
    WebhookView,
)
from notify.service import subscriptions, webhook_http
from notify.store import messages, notifications, webhooks
from notify.store.notifications import NotificationPreferences
from notify.store.webhooks import Webhook, WebhookSecret
from shared import clock, ids, paging, queues
from shared.api import build_resolver, current_caller, resolve
from shared.auth import company_of, require_role
from shared.clock import iso
from shared.dal import api_keys
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.events import DomainEvent
from shared.observability import logger, tracer
from shared.records import ApiKey
from shared.roles import Role

router = Router()


class DeliveryStillRetrying(Conflict):
    code = "delivery_retrying"
    message_zh = "该投递仍在自动重试中，请等待结果后再重放"
    message_en = "This delivery is still being retried; replay it once it has ended."


@router.get("/messages")
def my_messages(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> MessageList:
    """Newest first, `limit` a page; `next_cursor` continues the list (null on its last page)."""
    caller = current_caller(router)
    found, last = paging.merge_newest_first(
        [partial(_mine, caller.user_id)],
        position_of=messages.position,
        before=paging.decode("messages", cursor),
        limit=limit,
    )
    return MessageList(messages=found, next_cursor=paging.encode("messages", last) if last else None)


def _mine(user_id: str, before: str | None, limit: int) -> list:
    return messages.for_recipient(user_id, limit, before)


@router.get("/me/notifications")
def my_preferences() -> NotificationPreferences:
    return notifications.get_preferences(current_caller(router).user_id)


@router.put("/me/notifications")
def set_my_preferences(body: NotificationPreferencesIn) -> NotificationPreferences:
    caller = current_caller(router)
    preferences = body.to_preferences()
    notifications.put_preferences(caller.user_id, preferences)
    return preferences


@router.post("/me/wechat/subscriptions")
def record_subscriptions(body: SubscriptionsIn) -> SubscriptionsView:
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    consents = subscriptions.record_consents(caller.user_id, body.template_ids, body.accepted)
    return SubscriptionsView(recorded=len(set(body.accepted)), consents=consents)


@router.get("/call-tasks")
def call_tasks(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> CallTaskList:
    """The company's phone-call tasks, newest first."""
    company_id = company_of(current_caller(router), Role.DISPATCHER)
    found, resume = notifications.call_tasks(company_id, after=paging.decode_key("call_tasks", cursor), limit=limit)
    return CallTaskList(call_tasks=found, next_cursor=paging.encode_key("call_tasks", resume))


def _check_endpoint(url: str) -> None:
    """A URL the deliveries may go to (notify.service.webhook_http): https, no user info, an HTTPS port, a public
    address. The name is resolved now too (a name that does not resolve yet is accepted: every delivery resolves and
    checks again)."""
    policy = webhook_policy(notify_settings())
    try:
        host, port = webhook_http.check_url(url, policy)
        try:
            webhook_http.resolve_public(host, port, policy)
        except webhook_http.TargetRefused as refused:
            if "does not resolve" not in str(refused):
                raise
    except webhook_http.TargetRefused as refused:
        raise ValidationFailed(
            "回调地址必须是 https:// 开头、指向公网地址（端口 443 或 8443）的完整网址，且不含用户名或密码",
            f"The endpoint must be a full https:// URL of a public address on port 443 or 8443, without user name or "
            f"password: {refused}.",
        ) from None


def _new_secret(company_id: str, now: str) -> str:
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    overlap = clock.now() + timedelta(seconds=notify_settings().webhook_secret_overlap_seconds)
    webhooks.add_secret(
        company_id, WebhookSecret(secret_id=ids.new_id("whs"), secret=secret, created_at=now), retire_others_at=iso(overlap)
    )
    return secret


@router.get("/companies/me/webhook")
def get_webhook() -> WebhookView:
    webhook = webhooks.get(company_of(current_caller(router), Role.DISPATCHER))
    if webhook is None:
        raise NotFound("尚未设置回调地址", "No webhook is registered yet.")
    return WebhookView(**webhook.model_dump())


@router.put("/companies/me/webhook")
def put_webhook(body: WebhookIn) -> WebhookView:
    company_id = company_of(current_caller(router), Role.DISPATCHER)
    _check_endpoint(body.url)
    now = clock.now_iso()
    webhook = Webhook(company_id=company_id, url=body.url, events=body.events, enabled=body.enabled, updated_at=now)
    webhooks.put(webhook)
    # The first registration creates the signing secret; later changes keep it.
    secret = _new_secret(company_id, now) if not webhooks.secrets(company_id) else None
    return WebhookView(**webhook.model_dump(), secret=secret)


@router.post("/companies/me/webhook/secret")
def rotate_secret() -> WebhookView:
    company_id = company_of(current_caller(router), Role.DISPATCHER)
    webhook = webhooks.get(company_id)
    if webhook is None:
        raise NotFound("尚未设置回调地址", "No webhook is registered yet.")
    secret = _new_secret(company_id, clock.now_iso())
    previous = next((s.expires_at for s in webhooks.secrets(company_id) if s.secret != secret and s.expires_at), None)
    return WebhookView(**webhook.model_dump(), secret=secret, previous_secret_valid_until=previous)


@router.get("/companies/me/webhook/deliveries")
def deliveries(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> DeliveryList:
    """The company's webhook deliveries, newest first."""
    company_id = company_of(current_caller(router), Role.DISPATCHER)
    found, resume = webhooks.deliveries(company_id, after=paging.decode_key("deliveries", cursor), limit=limit)
    return DeliveryList(deliveries=found, next_cursor=paging.encode_key("deliveries", resume))


@router.post("/companies/me/webhook/deliveries/<delivery_id>/replay")
def replay(delivery_id: str) -> DeliveryList:
    company_id = company_of(current_caller(router), Role.DISPATCHER)
    delivery = webhooks.get_delivery(company_id, delivery_id)
    if delivery is None:
        raise NotFound("找不到该投递记录", "No such delivery.")
    if delivery.status == "retrying":
        raise DeliveryStillRetrying()
    job = DeliveryJob(company_id=company_id, event=DomainEvent.model_validate_json(delivery.payload), replay=True)
    queues.send(notify_settings().webhook_queue_url, job.model_dump(mode="json"))
    return DeliveryList(deliveries=[delivery])


def _key_list(company_id: str, *, active_only: bool, limit: int, cursor: str | None) -> ApiKeyList:
    list_name = "active_api_keys" if active_only else "api_keys"
    after = paging.decode_key(list_name, cursor)
    keys, resume = api_keys.for_company(company_id, active_only=active_only, after=after, limit=limit)
    return ApiKeyList(
        api_keys=[ApiKeyView(**k.model_dump(exclude={"secret"})) for k in keys],
        next_cursor=paging.encode_key(list_name, resume),
    )


@router.get("/companies/me/api-keys")
def list_api_keys(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> ApiKeyList:
    """Every key of the company, revoked ones too."""
    return _key_list(company_of(current_caller(router), Role.DISPATCHER), active_only=False, limit=limit, cursor=cursor)


@router.post("/companies/me/api-keys", status_code=201)
def create_api_key(body: ApiKeyIn) -> ApiKeyView:
    """A key with the operations given, for `expires_in_days`; it acts for its creator, and for any other staff
    member of the company only once that person enrols it (POST /me/api-keys/{key_id}/enrolment)."""
    caller = current_caller(router)
    company_id = company_of(caller, Role.DISPATCHER)
    now = clock.now()
    key = ApiKey(
        key_id=f"lk_{company_id}.{secrets.token_hex(8)}",
        company_id=company_id,
        label=body.label,
        secret=f"lsk_{secrets.token_urlsafe(32)}",
        created_at=iso(now),
        created_by=caller.user_id,
        operations=list(body.operations),
        enrolled=[caller.user_id],
        expires_at=iso(now + timedelta(days=body.expires_in_days)),
    )
    api_keys.put(key)
    logger.info("api key created", extra={"api_key_id": key.key_id, "company_id": company_id, "by": caller.user_id})
    return ApiKeyView(**key.model_dump())


@router.delete("/companies/me/api-keys/<key_id>")
def revoke_api_key(key_id: str) -> ApiKeyList:
    company_id = company_of(current_caller(router), Role.DISPATCHER)
    if api_keys.company_of(key_id) != company_id or not api_keys.revoke(company_id, key_id, clock.now_iso()):
        raise NotFound("找不到该密钥（或已停用）", "No such active key.")
    logger.info("api key revoked", extra={"api_key_id": key_id, "company_id": company_id})
    return _key_list(company_id, active_only=False, limit=paging.DEFAULT_LIMIT, cursor=None)


@router.get("/me/api-keys")
def my_company_api_keys(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> ApiKeyList:
    """The company's active keys, for a staff member to see what each may do and whether it acts for him."""
    return _key_list(
        company_of(current_caller(router), Role.TECHNICIAN, Role.DISPATCHER), active_only=True, limit=limit, cursor=cursor
    )


def _enrol(key_id: str, *, enrolled: bool) -> ApiKeyView:
    caller = current_caller(router)
    company_id = company_of(caller, Role.TECHNICIAN, Role.DISPATCHER)
    if api_keys.company_of(key_id) != company_id or not api_keys.set_enrolled(
        company_id, key_id, caller.user_id, enrolled=enrolled
    ):
        raise NotFound("找不到该密钥（或已停用）", "No such active key.")
    logger.info("api key enrolment", extra={"api_key_id": key_id, "user_id": caller.user_id, "enrolled": enrolled})
    key = api_keys.get(key_id)
    return ApiKeyView(**key.model_dump(exclude={"secret"}))


@router.post("/me/api-keys/<key_id>/enrolment")
def enrol_api_key(key_id: str) -> ApiKeyView:
    """The caller (a technician or dispatcher of the key's company) lets the key act for him."""
    return _enrol(key_id, enrolled=True)


@router.delete("/me/api-keys/<key_id>/enrolment")
def withdraw_api_key(key_id: str) -> ApiKeyView:
    """The caller withdraws: the key stops acting for him at once."""
    return _enrol(key_id, enrolled=False)


@router.get("/ops/dead-letters")
def dead_letters(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> DeadLetterList:
    """What the dead-letter queues hold now (as many as SQS shows at once) and the WeChat deliveries given up on,
    by queue and message id."""
    require_role(current_caller(router), Role.SUPERVISOR)
    settings = notify_settings()
    found = []
    for name, url in (("notifications", settings.notifications_dlq_url), ("webhooks", settings.webhook_dlq_url)):
        for message in queues.peek(url) if url else []:
            count = message["attributes"].get("ApproximateReceiveCount")
            found.append(DeadLetter(queue=name, message_id=message["message_id"], body=message["body"], receive_count=count))
    found += subscriptions.dead_letters()
    page, next_cursor = paging.page_of(
        found, list_name="dead_letters", sort_key=lambda d: (d.queue, d.message_id), cursor=cursor, limit=limit
    )
    return DeadLetterList(dead_letters=page, next_cursor=next_cursor)


app = build_resolver(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
