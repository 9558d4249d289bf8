"""HTTP API of the supervision domain: the Lambda entry point, serving every supervision router, and the
oversight routes: an order's audit log, stuck orders and statistics. Thin routes: parse, check the caller, call
logic and DAL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from addresses.service import address_book
from compounds.service import compound_records
from identity.service import accounts
from orders.domain.lifecycle import OrderStatus
from orders.domain.records import Order
from orders.service import queries as orders
from shared import clock, paging
from shared.api import build_resolver, current_caller, resolve
from shared.auth import company_of, require_role
from shared.errors import Forbidden, NotFound
from shared.observability import logger, tracer
from shared.roles import Role
from supervision.domain import audit as chain
from supervision.domain import period, stats
from supervision.domain.settings import supervision_settings
from supervision.handlers import admission, credit, exports, public, reports
from supervision.handlers.companies import all_companies
from supervision.handlers.models import AuditView, StatsView, StuckOrder, StuckView
from supervision.store import audit

router = Router()


# --- Traceability -------------------------------------------------------------------------------------


@router.get("/orders/<order_id>/audit")
def order_audit(order_id: str) -> AuditView:
    """The order's hash chain and whether it verifies (supervisors; a dispatcher for the company's orders)."""
    caller = current_caller(router)
    order = orders.get_or_404(order_id)
    if caller.role != Role.SUPERVISOR and not (
        caller.role == Role.DISPATCHER and company_of(caller, Role.DISPATCHER) == order.company_id
    ):
        raise Forbidden("您无权查看此订单的审计记录", "You may not see this order's audit log.")
    entries, head = audit.entries(order_id)
    ended = order.status in (OrderStatus.CLOSED, OrderStatus.CANCELLED)
    verification = chain.verify(entries, head, ended=ended)
    if caller.role == Role.DISPATCHER:
        mentioned = chain.technicians_named(entries)
        named = accounts.get_users(mentioned) if mentioned else {}
        own = {u for u, tech in named.items() if tech.company_id == order.company_id}
        entries = chain.for_company(entries, own)
    return AuditView(order_id=order_id, verification=verification, entries=entries)


def _minutes_since(at: str, now: datetime) -> float:
    return round((now - datetime.fromisoformat(at.replace("Z", "+00:00"))).total_seconds() / 60, 1)


@router.get("/supervision/stuck")
def stuck_orders(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> StuckView:
    """Open orders older than their status's limit (SupervisionSettings.stuck_after_minutes), oldest first: one Query
    per status on gsi4 with the sort key below the cut-off, merged page by page."""
    require_role(current_caller(router), Role.SUPERVISOR)
    now = clock.now()
    limits = supervision_settings().stuck_after_minutes
    sources = [partial(_stuck_in, status, clock.iso(now - timedelta(minutes=minutes))) for status, minutes in limits.items()]
    page, last = paging.merge_oldest_first(
        sources, position_of=orders.position, after=paging.decode("stuck", cursor), limit=limit
    )
    fields = {"order_id", "order_type", "status", "company_id", "compound_id", "created_at", "escalation_reason"}
    stuck = [
        StuckOrder(
            **o.model_dump(include=fields),
            minutes_open=_minutes_since(o.created_at, now),
            limit_minutes=limits[o.status],
        )
        for o in page
    ]
    return StuckView(orders=stuck, next_cursor=paging.encode("stuck", last) if last else None)


def _stuck_in(status: str, cut_off: str, after: str | None, limit: int) -> list[Order]:
    return orders.created_before(status, cut_off, limit, after)


# --- Statistics ---------------------------------------------------------------------------------------


@router.get("/stats")
def statistics(
    compound_id: Annotated[str | None, Query(max_length=60)] = None,
    company_id: Annotated[str | None, Query(max_length=60)] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> StatsView:
    """Orders by key (compound: gsi5, company: gsi3, district: gsi4 per status) over the period; residents
    and staff by their group keys. No Scan."""
    require_role(current_caller(router), Role.SUPERVISOR)
    low, high = period.bounds(start, end)
    companies: int | None = None
    if compound_id:
        compound = compound_records.get_compound(compound_id)
        if compound is None:
            raise NotFound("小区不存在", "No such compound.")
        found = orders.for_compound_between(compound_id, low, high)
        if company_id:
            found = [o for o in found if o.company_id == company_id]
        residents: int | None = len(address_book.residents_of_compound(compound_id))
        staff = len(accounts.staff_of(company_id or compound.contracted_company_id, "technician"))
    elif company_id:
        found = orders.for_company_between(company_id, low, high)
        residents = None
        staff = len(accounts.staff_of(company_id, "technician"))
    else:
        found = [o for s in OrderStatus for o in orders.with_status_between(s, low, high)]
        residents = len(accounts.users_with_role(Role.RESIDENT))
        listed = all_companies()
        companies = sum(1 for c in listed if c.status == "admitted")
        staff = sum(len(accounts.staff_of(c.company_id, "technician")) for c in listed)
    return StatsView(
        scope={
            "compound_id": compound_id,
            "company_id": company_id,
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
        },
        residents=residents,
        service_staff=staff,
        companies=companies,
        orders=stats.order_stats(found),
    )


app = build_resolver(admission.router, credit.router, router, reports.router, public.router, exports.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
