"""HTTP routes for transparent prices: the price catalogue, quotes, the resident's consent to
a bill beyond the quote, and bill disputes. Served by the orders function (same resolver)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from orders.domain import catalogue as catalogue_rules
from orders.domain import pricing
from orders.domain.lifecycle import Category, OrderStatus
from orders.domain.records import Dispute, Order, Quote
from orders.domain.settings import order_settings
from orders.domain.steps import Step
from orders.handlers.models import OrderView
from orders.handlers.models.billing import (
    ApprovalIn,
    CatalogueChanges,
    CatalogueItemIn,
    CatalogueView,
    CompletionIn,
    DisputeIn,
    DisputeList,
    DisputeResolutionIn,
    QuoteIn,
)
from orders.handlers.views import ordering_for, profile, resident_address, view, visible_order
from orders.service.waits import resume_step
from orders.store import catalogue, disputes, orders, proxy_links
from orders.store.catalogue import Catalogue
from shared import clock, paging
from shared.api import current_caller
from shared.auth import Caller, require_role
from shared.errors import Forbidden, InvalidStatus, NotFound, ValidationFailed
from shared.roles import Role

router = Router()


# --- helpers the completion route shares -------------------------------------------------------


def order_catalogue(order: Order) -> Catalogue:
    """The catalogue version the order was quoted with (version 0, empty, for orders quoted without one)."""
    number = order.quote.catalogue_version or 0
    found = catalogue.version(number) if number else None
    return found or Catalogue(version=number, items=[])


def lines_in(body: CompletionIn) -> list[pricing.LineIn]:
    return [
        pricing.LineIn(
            item_id=line.item_id,
            labour=line.labour,
            parts=tuple(pricing.PartIn(p.part_id, p.quantity, p.unit_price) for p in line.parts),
            reason=line.reason.strip() if line.reason else None,
            photo_ref=line.photo_ref,
        )
        for line in body.lines
    ]


def _acts_for_resident(caller: Caller, order: Order) -> bool:
    """The resident themself, or a family member linked to their account; never anyone else."""
    if caller.role != Role.RESIDENT:
        return False
    return order.resident_id == caller.user_id or proxy_links.is_proxy(order.resident_id, caller.user_id)


# --- quotes and the catalogue ------------------------------------------------------------------


@router.post("/quotes")
def get_quote(body: QuoteIn) -> Quote:
    """The quote (range and cap) for a repair, before the resident confirms the order; nothing is stored."""
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    _, compound = resident_address(ordering_for(caller, body.on_behalf_of), body.address_id)
    return pricing.quote(catalogue.current(), body.category, body.description, compound)


def _catalogue_view(found: Catalogue, category: str | None) -> CatalogueView:
    items = [i for i in found.items if category is None or i.category == category]
    return CatalogueView(version=found.version, changed_at=found.change.changed_at if found.change else "", items=items)


@router.get("/catalogue")
def get_catalogue(
    category: Annotated[Category | None, Query()] = None,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> CatalogueView:
    """The price catalogue everyone may read: the current version, or an older one by number."""
    current_caller(router)
    found = catalogue.version(version) if version else catalogue.current()
    if found is None:
        raise NotFound("价格目录不存在（或没有该版本）", "There is no catalogue (or no such version).")
    return _catalogue_view(found, category)


@router.get("/catalogue/changes")
def catalogue_changes(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> CatalogueChanges:
    """The audit trail of the catalogue: each version's author, time and change, newest first."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    found, resume = catalogue.changes(after=paging.decode_key("catalogue_changes", cursor), limit=limit)
    return CatalogueChanges(changes=found, next_cursor=paging.encode_key("catalogue_changes", resume))


@router.put("/catalogue/items/<item_id>")
def put_catalogue_item(item_id: Annotated[str, Path(pattern=r"^[a-z0-9_]{1,64}$")], body: CatalogueItemIn) -> CatalogueView:
    """Create or change one item; every change publishes a new catalogue version (orders keep theirs)."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    current = catalogue.current()
    updated = catalogue_rules.upsert(current, body.to_item(item_id), by=caller.user_id, at=clock.now_iso())
    if updated is None:  # the item is already exactly so: no new version
        return _catalogue_view(current, None)
    catalogue.publish(updated)
    return _catalogue_view(updated, None)


# --- consent to a bill beyond the quote --------------------------------------------------------


@router.post("/orders/<order_id>/approval")
def decide_extra_lines(order_id: str, body: ApprovalIn) -> OrderView:
    """The resident (or their family proxy) approves or rejects the lines beyond the quote."""
    caller = current_caller(router)
    order = orders.get_or_404(order_id)
    if not _acts_for_resident(caller, order):
        raise Forbidden(
            "只有居民本人或其绑定的家属可以确认额外费用", "Only the resident or a linked family member may approve extra charges."
        )
    if order.status != OrderStatus.AWAITING_APPROVAL:
        raise InvalidStatus("该订单没有待确认的额外项目", "This order has no extra lines waiting for a decision.")
    settlement = pricing.settle(
        order.bill,
        order.extra_lines,
        order.quote.free_service,
        all_=body.decision,
        per_line={d.line_id: d.decision for d in body.lines},
    )
    at = clock.now_iso()
    on_behalf = f" on behalf of {order.resident_id}" if caller.user_id != order.resident_id else ""
    completed = orders.transition(
        order.order_id,
        OrderStatus.COMPLETED,
        [OrderStatus.AWAITING_APPROVAL],
        actor=caller.user_id,
        at=at,
        note=f"extra lines {settlement.outcome}{on_behalf}",
        extra=orders.set_fields(
            bill=[line.model_dump() for line in settlement.lines],
            bill_total=settlement.total,
            extra_lines=[line.model_dump() for line in settlement.extra_lines],
            approval_outcome=settlement.outcome,
            approval_by=caller.user_id,
            approval_at=at,
            completed_at=at,
        ),
    )
    resume_step(order.order_id, Step.APPROVAL, {"step": Step.APPROVAL, "status": completed.status, "outcome": settlement.outcome})
    return view(completed, caller)


# --- disputes ----------------------------------------------------------------------------------


def _parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")) if moment else None


@router.post("/orders/<order_id>/dispute", status_code=201)
def open_dispute(order_id: str, body: DisputeIn) -> OrderView:
    caller = current_caller(router)
    order = visible_order(order_id, caller)
    if not _acts_for_resident(caller, order):
        raise Forbidden(
            "只有居民本人或其家属可以提出争议或投诉", "Only the resident or a linked family member may dispute or complain."
        )
    if order.dispute is not None:
        raise InvalidStatus("该订单已有争议", "This order already has a dispute.")
    now = clock.now()
    pricing.ensure_dispute_window_open(_parse(order.completed_at), now, order_settings().dispute_days)
    at = clock.iso(now)
    dispute = Dispute(
        order_id=order.order_id,
        resident_id=order.resident_id,
        opened_by=caller.user_id,
        opened_at=at,
        reason=body.reason.strip(),
        kind=body.kind,
    )
    disputes.open_dispute(order, dispute)
    return view(orders.get_or_404(order.order_id), caller)


@router.get("/disputes")
def list_disputes(
    status: Annotated[str, Query(pattern="^(open|resolved)$")] = "open",
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> DisputeList:
    """The supervisors' dispute queue, newest first (an index query, never a scan)."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    list_name = f"disputes_{status}"
    found, resume = disputes.with_status(status, after=paging.decode_key(list_name, cursor), limit=limit)
    return DisputeList(disputes=found, next_cursor=paging.encode_key(list_name, resume))


@router.post("/orders/<order_id>/dispute/resolution")
def resolve_dispute(order_id: str, body: DisputeResolutionIn) -> OrderView:
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    profile(caller)
    order = orders.get_or_404(order_id)
    if order.dispute is None or order.dispute.status != "open":
        raise InvalidStatus("该订单没有待处理的争议", "This order has no open dispute.")
    refund = body.refund if body.outcome == "upheld" else 0
    if refund > (order.bill_total or 0):
        raise ValidationFailed("退款不能超过账单金额", "The refund cannot exceed the bill total.")
    resolved = order.dispute.model_copy(
        update={
            "status": "resolved",
            "outcome": body.outcome,
            "refund": refund,
            "resolution_note": body.note.strip(),
            "resolved_by": caller.user_id,
            "resolved_at": clock.now_iso(),
        }
    )
    disputes.resolve(order, resolved)
    return view(orders.get_or_404(order.order_id), caller)
