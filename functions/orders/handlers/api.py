"""HTTP API of the orders domain: thin routes that parse, call the rules and the data layer, map.

Here the caller's profile and placing, listing, reading, cancelling and closing orders; the function's `handler`
serves them together with the routes of fulfilment, billing, photos, proxies and addresses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from addresses.handlers import api as addresses_api
from addresses.service import address_book
from identity.service import accounts
from matching.service import order_changes
from orders.domain import pricing, quotas, rules
from orders.domain.errors import TooManyOrders
from orders.domain.lifecycle import CANCELLABLE, OrderStatus, OrderType
from orders.domain.public_area import OPEN_REPORT_STATUSES, UNFOUNDED, UNFOUNDED_FROM, same_problem
from orders.domain.records import Order
from orders.domain.settings import OrderSettings, order_settings
from orders.handlers import billing, fulfilment, photos, proxies
from orders.handlers.models import (
    ActingForView,
    AddressView,
    CancelIn,
    CreateOrderIn,
    MeView,
    OrderList,
    OrderView,
    UnfoundedIn,
)
from orders.handlers.views import company_order, neighbour_view, ordering_for, profile, resident_address, view, visible_order
from orders.service import api_document, desk
from orders.store import catalogue, order_periods, orders, proxy_links
from orders.store.photos import PhotoPurpose
from shared import clock, ids, paging, workflow
from shared.api import build_resolver, current_caller, resolve
from shared.auth import Caller, require_role
from shared.dal import daily_counts
from shared.errors import InvalidStatus, ServiceUnavailable, ValidationFailed
from shared.observability import logger, tracer
from shared.roles import Role

router = Router()


@router.get("/me")
def get_me() -> MeView:
    caller = current_caller(router)
    user = profile(caller)
    me = MeView(user_id=user.user_id, role=user.role, name=user.name, company_id=user.company_id)
    if caller.role == Role.RESIDENT:
        me.addresses = _addresses(user.user_id)
        links = proxy_links.acting_for(user.user_id)
        names = accounts.get_users({p.resident_id for p in links}) if links else {}
        me.acting_for = [
            ActingForView(
                resident_id=p.resident_id,
                name=names[p.resident_id].name if p.resident_id in names else "",
                relation=p.relation,
                relation_en=p.relation_en,
                addresses=_addresses(p.resident_id),
            )
            for p in links
        ]
    if caller.role == Role.TECHNICIAN:
        me.skills, me.on_duty = user.skills, user.on_duty
    return me


def _addresses(resident_id: str) -> list[AddressView]:
    return [AddressView(**a.model_dump(exclude={"lat", "lng"})) for a in address_book.list_addresses(resident_id)]


@router.post("/orders", status_code=201)
def create_order(body: CreateOrderIn) -> OrderView:
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT, Role.DISPATCHER)
    user = profile(caller)
    if caller.role == Role.DISPATCHER:
        # The property service desk places an order for a caller: a verified resident of its compounds.
        resident_id = desk.caller_for(user.company_id, body.on_behalf_of, body.address_id, body.channel)
    else:
        # A proxy orders for the resident they act for, at one of the resident's addresses.
        resident_id = ordering_for(caller, body.on_behalf_of)
    address, compound = resident_address(resident_id, body.address_id)
    if body.type == OrderType.PUBLIC_AREA:
        # The same problem reported again by a neighbour is a "me too" on the open report.
        same = same_problem(
            order_periods.open_public_reports(compound.compound_id, OPEN_REPORT_STATUSES), body.category, body.place
        )
        if same is not None:
            if same.resident_id == resident_id:
                return view(same, caller), 200
            order_periods.add_me_too(same.order_id, resident_id, clock.now_iso(), OPEN_REPORT_STATUSES)
            return neighbour_view(orders.get_or_404(same.order_id), compound.name), 200
    order_id = ids.new_id("ord")
    if body.photo_ref:
        photos.usable_photo(body.photo_ref, caller, PhotoPurpose.FAULT, f"order:{order_id}")
    now = clock.now()
    slot = rules.validate_slot(body.type, body.slot.model_dump() if body.slot else None, now)
    order = rules.new_order(
        order_id=order_id,
        order_code=ids.order_code(),
        resident_id=resident_id,
        placed_by=caller.user_id,
        order_type=body.type,
        category=body.category,
        description=body.description,
        address=address,
        compound=compound,
        quote=pricing.quote(catalogue.current(), body.category, body.description, compound),
        slot=slot,
        place=body.place,
        now=now,
    ).model_copy(update={"photo_ref": body.photo_ref, "placed_via": "phone" if caller.role == Role.DISPATCHER else None})
    settings = order_settings()
    taken = _take_quotas(caller, order, body.address_id, now, settings)
    try:
        if order.photo_ref:
            # Attached before the order is stored: a photo another order took meanwhile answers 409, nothing stored.
            photos.attach_photos([order.photo_ref], f"order:{order.order_id}")
    except Exception:
        _give_back(taken)
        raise
    try:
        orders.create(order, workflow.execution_arn_for(order.order_id))
    except Exception:
        # Not stored (DynamoDB failed beyond the SDK's retries): the photo and the quotas are free again for the retry.
        if order.photo_ref:
            photos.detach_photos([order.photo_ref], f"order:{order.order_id}")
        _give_back(taken)
        raise
    try:
        workflow.start(order.order_id, rules.execution_input(order, settings))
    except Exception as exc:
        # Nothing half-written: without a workflow the order would never move, so remove it.
        logger.exception("could not start the order workflow", extra={"order_id": order.order_id})
        orders.delete(order.order_id)
        if order.photo_ref:
            photos.detach_photos([order.photo_ref], f"order:{order.order_id}")  # usable for the retry
        _give_back(taken)
        raise ServiceUnavailable() from exc
    return view(order, caller)


def _take_quotas(caller: Caller, order: Order, address_id: str, now: datetime, settings: OrderSettings) -> list[tuple]:
    """Count the new order against each of its quotas (conditional counters); 429 with Retry-After, and nothing
    counted, when one is used up. What was counted, to give back if the order is not stored after all."""
    if not settings.order_quotas_enabled:
        return []
    limits = quotas.OrderLimits(
        per_account_per_minute=settings.orders_per_account_per_minute,
        per_account_per_day=settings.orders_per_account_per_day,
        per_address_per_day=settings.orders_per_address_per_day,
        public_reports_per_address_per_day=settings.public_reports_per_address_per_day,
    )
    found = quotas.quotas_for(
        placed_by=caller.user_id,
        resident_id=order.resident_id,
        address_id=address_id,
        order_type=order.order_type,
        limits=limits,
    )
    taken: list[tuple] = []
    for quota in found:
        window = quotas.window_of(quota.window, now)
        if not daily_counts.take(quota.owner, quota.what, window.label, quota.limit, now_epoch=int(now.timestamp())):
            _give_back(taken)
            logger.warning("order quota reached", extra={"quota": quota.what, "window": quota.window})
            when_zh, when_en = (
                (f"请 {window.retry_after} 秒后再试", f"try again in {window.retry_after} seconds")
                if quota.window == "minute"
                else ("请明天再试", "try again tomorrow")
            )
            raise TooManyOrders(
                window.retry_after,
                f"下单太频繁了（{_QUOTA_WORDS[quota.window][0]}最多 {quota.limit} 单），{when_zh}",
                f"Too many orders ({quota.limit} a {_QUOTA_WORDS[quota.window][1]} at most); {when_en}.",
            )
        taken.append((quota.owner, quota.what, window.label))
    return taken


_QUOTA_WORDS = {"minute": ("每分钟", "minute"), "day": ("每天", "day")}


def _give_back(taken: list[tuple]) -> None:
    for owner, what, label in taken:
        daily_counts.give_back(owner, what, label)


@router.get("/orders")
def list_orders(
    status: Annotated[OrderStatus | None, Query()] = None,
    type: Annotated[OrderType | None, Query()] = None,  # noqa: A002 - the API's field name
    compound_id: Annotated[str | None, Query(max_length=60)] = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> OrderList:
    """Newest first, `limit` a page; `next_cursor` continues the list (null on its last page). The filters apply to
    each page, so a page can hold fewer than `limit` orders and still have a next one."""
    caller = current_caller(router)
    user = profile(caller)
    before = paging.decode("orders", cursor)
    sources: list = []
    if caller.role == Role.RESIDENT:
        # Their own orders and, for a proxy, those of the residents they act for now.
        residents = [user.user_id, *(link.resident_id for link in proxy_links.acting_for(user.user_id))]
        sources = [partial(_paged, orders.for_resident, r) for r in dict.fromkeys(residents)]
    elif caller.role == Role.TECHNICIAN:
        sources = [partial(_paged, orders.for_technician, user.user_id)]
    elif caller.role == Role.DISPATCHER:
        # The service desk: every order in its company's compounds, and its company's orders elsewhere.
        sources = desk.desk_sources(user.company_id, compound_id) if user.company_id else []
    else:
        sources = [partial(_paged, orders.with_status, s) for s in ([status] if status else list(OrderStatus))]
    found, last = paging.merge_newest_first(sources, position_of=orders.position, before=before, limit=limit)
    if status:
        found = [o for o in found if o.status == status]
    if type:
        found = [o for o in found if o.order_type == type]
    if compound_id:
        found = [o for o in found if o.compound_id == compound_id]
    return OrderList(orders=[view(o, caller) for o in found], next_cursor=paging.encode("orders", last) if last else None)


def _paged(read, key: str, before: str | None, limit: int) -> list[Order]:
    return read(key, limit, before)


@router.get("/orders/<order_id>")
def get_order(order_id: str) -> OrderView:
    caller = current_caller(router)
    return view(visible_order(order_id, caller), caller)


@router.post("/orders/<order_id>/cancel")
def cancel_order(order_id: str, body: CancelIn | None = None) -> OrderView:
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT, Role.SUPERVISOR)
    order = visible_order(order_id, caller)
    reason = (body.reason if body and body.reason else None) or f"{caller.role}_cancelled"
    return view(_cancel(order, caller, reason, CANCELLABLE), caller)


def _cancel(order: Order, caller: Caller, reason: str, allowed_from: Iterable[str]) -> Order:
    at = clock.now_iso()
    cancelled = orders.transition(
        order.order_id,
        OrderStatus.CANCELLED,
        allowed_from,
        actor=caller.user_id,
        at=at,
        note=reason,
        extra=orders.set_fields(cancel_reason=reason),
    )
    order_changes.withdraw_open_offers(order.order_id, at=at)
    # The order as cancelled, not as read before: an accept may have assigned it (and held hours) in between.
    order_changes.release_hours_of(cancelled)
    workflow.stop(workflow.execution_arn_for(order.order_id), error="OrderCancelled", cause=f"Cancelled by {caller.role}")
    return cancelled


@router.post("/orders/<order_id>/unfounded")
def close_unfounded(order_id: str, body: UnfoundedIn) -> OrderView:
    """The compound's company (or a supervisor) closes a public-area report that turned out to be false: the order
    is cancelled with the reason `unfounded: …`, before its deadlines could count against the company (a cancelled
    report has no credit effect)."""
    caller = current_caller(router)
    order, _ = company_order(order_id, caller)
    if order.order_type != OrderType.PUBLIC_AREA:
        raise ValidationFailed("只有公区报事可以按不实关闭", "Only a public-area report can be closed as unfounded.")
    if order.status not in UNFOUNDED_FROM:
        raise InvalidStatus("该报事当前不能关闭", "This report cannot be closed now.")
    return view(_cancel(order, caller, f"{UNFOUNDED}: {body.reason}", UNFOUNDED_FROM), caller)


docs = Router()


@docs.get("/openapi.json", include_in_schema=False)
def openapi_document() -> dict:
    return api_document.published()  # assembled at deploy time (deploy/openapi.py)


app = build_resolver(router, fulfilment.router, billing.router, photos.router, proxies.router, addresses_api.router, docs)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
