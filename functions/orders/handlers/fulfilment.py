"""HTTP routes that carry a placed order through its work: the desk's dispatch by hand, the technician's progress
and itemised bill, the resident's door-step check and re-work request, and the workflow history for supervisors.
Served by the orders function (same resolver)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from identity.service import accounts
from matching.domain.booking_hours import hour_blocks
from matching.service import order_changes
from orders.domain import pricing
from orders.domain.lifecycle import PROGRESS_FROM, OfferStatus, OrderStatus, OrderType, can_dispatch
from orders.domain.records import Order
from orders.domain.steps import Step
from orders.handlers import billing, photos
from orders.handlers.models import DispatchIn, DoorstepIn, HistoryEvent, HistoryView, OrderView, ProgressIn, ReworkIn
from orders.handlers.models.billing import CompletionIn
from orders.handlers.views import company_order, profile, view, visible_order
from orders.service import doorstep, history, rework
from orders.service.waits import resume_step
from orders.store import orders
from orders.store.photos import PhotoPurpose
from shared import clock, workflow
from shared.api import current_caller
from shared.auth import Caller, require_role
from shared.errors import Forbidden, InvalidStatus, NotFound, ValidationFailed
from shared.roles import Role

router = Router()


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
    order, user = company_order(order_id, caller, desk_too=True)
    if not can_dispatch(order.order_type, order.status, caller.role):
        raise InvalidStatus("该订单当前不能人工派单", "This order cannot be dispatched by hand now.")
    tech = accounts.get_user(body.technician_id)
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
        order_changes.reserve_hours(tech.user_id, order.order_id, hours, at=at)
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
        order_changes.release_hours(tech.user_id, order.order_id, hours)
        raise
    if order.technician_id and order.technician_id != tech.user_id:
        order_changes.release_hours_of(order)  # the previous assignee's hours, if any
    if taking_over and order.current_offer_id:
        # Exactly one writer got here (the conditional write above): withdraw the round's open offers and end its wait
        # as accepted; if the wait timed out meanwhile, ExpireOffer finds the order assigned and goes on the same way.
        token = order_changes.take_over_round(order.order_id, order.current_offer_id, at=at)
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
