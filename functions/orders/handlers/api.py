"""HTTP API of the orders domain: thin routes that parse, call the rules and the data layer, map."""

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
from orders.domain.steps import Step
from orders.handlers import billing, photos, proxies
from orders.handlers.views import neighbour_view, ordering_for, profile, resident_address, view, visible_order
from orders.logic import pricing, quotas, rules
from orders.models import (
    ActingForView,
    AddressView,
    CancelIn,
    CompletionIn,
    CreateOrderIn,
    DispatchIn,
    DoorstepIn,
    HistoryEvent,
    HistoryView,
    MeView,
    OrderList,
    OrderView,
    ProgressIn,
    ReworkIn,
    UnfoundedIn,
)
from orders.service import api_document, desk, doorstep, history, rework
from shared import clock, ids, paging, workflow
from shared.api import build_resolver, current_caller, resolve
from shared.auth import Caller, require_role
from shared.callbacks import resume_step
from shared.dal import catalogue, daily_counts, offers, orders, people, slots
from shared.errors import Forbidden, InvalidStatus, NotFound, ServiceUnavailable, TooManyOrders, ValidationFailed
from shared.lifecycle import CANCELLABLE, PROGRESS_FROM, OfferStatus, OrderStatus, OrderType, Role, can_dispatch
from shared.observability import logger, tracer
from shared.public_area import OPEN_REPORT_STATUSES, UNFOUNDED, UNFOUNDED_FROM, same_problem
from shared.records import Order, PhotoPurpose, User
from shared.settings import Settings, get_settings
from shared.slots import hour_blocks

router = Router()


@router.get("/me")
def get_me() -> MeView:
    caller = current_caller(router)
    user = profile(caller)
    me = MeView(user_id=user.user_id, role=user.role, name=user.name, company_id=user.company_id)
    if caller.role == Role.RESIDENT:
        me.addresses = _addresses(user.user_id)
        links = people.acting_for(user.user_id)
        names = people.get_users({p.resident_id for p in links}) if links else {}
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
    return [AddressView(**a.model_dump(exclude={"lat", "lng"})) for a in people.list_addresses(resident_id)]


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
        same = same_problem(orders.open_public_reports(compound.compound_id, OPEN_REPORT_STATUSES), body.category, body.place)
        if same is not None:
            if same.resident_id == resident_id:
                return view(same, caller), 200
            orders.add_me_too(same.order_id, resident_id, clock.now_iso(), OPEN_REPORT_STATUSES)
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
    settings = get_settings()
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


def _take_quotas(caller: Caller, order: Order, address_id: str, now: datetime, settings: Settings) -> list[tuple]:
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
        residents = [user.user_id, *(link.resident_id for link in people.acting_for(user.user_id))]
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
    offers.withdraw_open(order.order_id, at=at)
    # The order as cancelled, not as read before: an accept may have assigned it (and held hours) in between.
    slots.release_for_order(cancelled)
    workflow.stop(workflow.execution_arn_for(order.order_id), error="OrderCancelled", cause=f"Cancelled by {caller.role}")
    return cancelled


def _company_order(order_id: str, caller: Caller, *, desk_too: bool = False) -> tuple[Order, User]:
    """An order a supervisor, or the dispatcher of the order's company, may handle; and the caller's profile. With
    `desk_too`, also the dispatcher of the company contracted for the order's compound (its service desk)."""
    require_role(caller, Role.SUPERVISOR, Role.DISPATCHER)
    user = profile(caller)
    order = orders.get_or_404(order_id)
    served = desk_too and desk.serves(user.company_id, order)
    if caller.role == Role.DISPATCHER and order.company_id != user.company_id and not served:
        raise Forbidden("这不是贵公司的订单", "This order does not belong to your company.")
    return order, user


@router.post("/orders/<order_id>/unfounded")
def close_unfounded(order_id: str, body: UnfoundedIn) -> OrderView:
    """The compound's company (or a supervisor) closes a public-area report that turned out to be false: the order
    is cancelled with the reason `unfounded: …`, before its deadlines could count against the company (a cancelled
    report has no credit effect)."""
    caller = current_caller(router)
    order, _ = _company_order(order_id, caller)
    if order.order_type != OrderType.PUBLIC_AREA:
        raise ValidationFailed("只有公区报事可以按不实关闭", "Only a public-area report can be closed as unfounded.")
    if order.status not in UNFOUNDED_FROM:
        raise InvalidStatus("该报事当前不能关闭", "This report cannot be closed now.")
    return view(_cancel(order, caller, f"{UNFOUNDED}: {body.reason}", UNFOUNDED_FROM), caller)


def _assigned_order(order_id: str, caller: Caller) -> Order:
    require_role(caller, Role.TECHNICIAN)
    order = orders.get_or_404(order_id)
    if order.technician_id != caller.user_id:
        raise Forbidden("这不是您负责的订单", "You are not assigned to this order.")
    return order


@router.post("/orders/<order_id>/progress")
def report_progress(order_id: str, body: ProgressIn) -> OrderView:
    caller = current_caller(router)
    order = _assigned_order(order_id, caller)
    doorstep.ensure_not_paused(order)
    updated = orders.transition(
        order.order_id, body.status, PROGRESS_FROM[OrderStatus(body.status)], actor=caller.user_id, at=clock.now_iso()
    )
    return view(updated, caller)


class WorkNoteRequired(ValidationFailed):
    code = "work_note_required"
    message_zh = "账单没有项目时，请写几句做了什么（例如：检查线路，接头松了，已拧紧）"
    message_en = "With no lines on the bill, say in a few words what was done (e.g. checked the wiring, tightened a loose joint)."


@router.post("/orders/<order_id>/completion")
def complete_order(order_id: str, body: CompletionIn) -> OrderView:
    """The itemised bill, checked against the order's catalogue version. Within the quote the order is
    completed; beyond it the order waits for the resident's consent (`awaiting_approval`)."""
    caller = current_caller(router)
    order = _assigned_order(order_id, caller)
    doorstep.ensure_not_paused(order)
    work_note = (body.note or "").strip() or None
    if not body.lines and work_note is None:
        raise WorkNoteRequired()  # an empty bill still says what was done
    work_photos = [line.photo_ref for line in body.lines if line.photo_ref] + body.photos
    # Attached first (to this order: a retry after a refused bill attaches them again harmlessly).
    photos.check_photos(work_photos, caller, PhotoPurpose.WORK, f"order:{order.order_id}")
    photos.attach_photos(work_photos, f"order:{order.order_id}")
    bill = pricing.price_bill(billing.order_catalogue(order), order.quote, billing.lines_in(body))
    at = clock.now_iso()
    fields = {
        "bill": [line.model_dump() for line in bill.lines],
        "bill_total": bill.total,
        "extra_lines": [line.model_dump() for line in bill.extra_lines],
        "extra_total": bill.extra_total,
        "completion_photos": list(dict.fromkeys(body.photos)),
        **({"work_note": work_note} if work_note else {}),
    }
    if bill.needs_approval:
        to_status, note = OrderStatus.AWAITING_APPROVAL, f"{len(bill.extra_lines)} line(s) beyond the quote"
    else:
        to_status, note, fields["completed_at"] = OrderStatus.COMPLETED, None, at
    updated = orders.transition(
        order.order_id,
        to_status,
        PROGRESS_FROM[OrderStatus.COMPLETED],
        actor=caller.user_id,
        at=at,
        note=note,
        extra=orders.set_fields(**fields),
    )
    resume_step(order.order_id, Step.COMPLETION, {"step": Step.COMPLETION, "status": updated.status})
    return view(updated, caller)


@router.post("/orders/<order_id>/rework", status_code=201)
def ask_rework(order_id: str, body: ReworkIn) -> OrderView:
    """Re-work under warranty: the resident (or her proxy) asks for the repair again; a new, free order linked to it."""
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    profile(caller)
    original = visible_order(order_id, caller)
    return view(rework.ask(original, by=caller.user_id, description=body.description, now=clock.now()), caller)


@router.post("/orders/<order_id>/doorstep")
def doorstep_check(order_id: str, body: DoorstepIn) -> OrderView:
    """The resident (or her proxy) says whether the code the technician said at the door matched hers."""
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    order = visible_order(order_id, caller)
    checked = doorstep.check(order, by=caller.user_id, match=body.match, at=clock.now_iso())
    return view(checked, caller)


@router.post("/orders/<order_id>/dispatch")
def dispatch_order(order_id: str, body: DispatchIn) -> OrderView:
    caller = current_caller(router)
    order, user = _company_order(order_id, caller, desk_too=True)
    if not can_dispatch(order.order_type, order.status, caller.role):
        raise InvalidStatus("该订单当前不能人工派单", "This order cannot be dispatched by hand now.")
    tech = people.get_user(body.technician_id)
    if tech is None or tech.role != Role.TECHNICIAN:
        raise NotFound("师傅不存在", "No such technician.")
    if tech.status != "active" or not tech.company_id:
        raise ValidationFailed("该师傅当前不能接单", "This technician cannot take orders now.")
    if caller.role == Role.DISPATCHER and tech.company_id != user.company_id:
        raise Forbidden("只能指派本公司的师傅", "You can only assign your own company's technicians.")
    if order.category not in tech.skills:
        raise ValidationFailed("该师傅不具备此类维修技能", "This technician lacks the skill for this category.")
    at = clock.now_iso()
    # A booking holds the technician's slot hours first: 409 slot_taken if he is booked then.
    hours = hour_blocks(order.slot.start, order.slot.end) if order.order_type == OrderType.BOOKING and order.slot else []
    if hours:
        slots.reserve(tech.user_id, order.order_id, hours, at=at)
    taking_over = order.status == OrderStatus.OFFERED  # the desk takes over an order still being offered
    try:
        assigned = orders.transition(
            order.order_id,
            OrderStatus.ASSIGNED,
            [order.status],
            actor=caller.user_id,
            at=at,
            note=f"{'taken over by the service desk, ' if taking_over else ''}dispatched to {tech.user_id}",
            extra=orders.assignment_actions(order, tech.user_id, tech.company_id)
            + (orders.clear_fields("paused_reason") if order.paused_reason else []),
            # the round read is still the current one: an accept, a decline or a new round in between wins
            round_id=order.current_offer_id if taking_over else None,
        )
    except InvalidStatus:
        slots.release(tech.user_id, order.order_id, hours)
        raise
    if order.technician_id and order.technician_id != tech.user_id:
        slots.release_for_order(order)  # the previous assignee's hours, if any
    if taking_over and order.current_offer_id:
        # Exactly one writer got here (the conditional write above): withdraw the round's open offers and end its wait
        # as accepted; if the wait timed out meanwhile, ExpireOffer finds the order assigned and goes on the same way.
        token = next((offers.task_token(o.offer_id) for o in offers.in_batch(order.order_id, order.current_offer_id)), None)
        offers.withdraw_batch(order.order_id, order.current_offer_id, at=at)
        if token:
            workflow.resume(token, {"decision": OfferStatus.ACCEPTED.value})
    else:
        resume_step(order.order_id, Step.DISPATCH, {"technician_id": tech.user_id})
    return view(assigned, caller)


def _state_name(event: dict) -> str | None:
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict) and "name" in details:
            return details["name"]
    return None


@router.get("/orders/<order_id>/history")
def order_history(order_id: str) -> HistoryView:
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    order = orders.get_or_404(order_id)
    found = history.read(order.order_id)
    return HistoryView(
        order_id=order.order_id,
        execution_arn=found.execution_arn,
        execution_status=found.execution_status,
        source=found.source,
        events=[
            HistoryEvent(
                id=e["id"],
                previous_event_id=e.get("previousEventId"),
                timestamp=clock.iso(e["timestamp"]),
                type=e["type"],
                state=_state_name(e),
                details={k: v for k, v in e.items() if k.endswith("EventDetails")},
            )
            for e in found.events
        ],
    )


docs = Router()


@docs.get("/openapi.json", include_in_schema=False)
def openapi_document() -> dict:
    return api_document.published()  # assembled at deploy time (deploy/openapi.py)


app = build_resolver(router, billing.router, photos.router, proxies.router, addresses_api.router, docs)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
