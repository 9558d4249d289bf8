"""The supervisors' CSV export of orders (`GET /supervision/orders/export`): every order of the period, of one
compound or the whole district, optionally of one status. Read by key (compound: gsi5; district: gsi4 per status),
every page; no Scan."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from compounds.service import compound_records
from orders.domain.lifecycle import OrderStatus
from orders.service import queries as orders
from shared.api import current_caller
from shared.auth import require_role
from shared.errors import NotFound
from shared.roles import Role
from supervision.domain import order_export, period

router = Router()


@router.get(
    "/supervision/orders/export",
    responses={
        200: {
            "description": "The orders as CSV (UTF-8 with a BOM, a header row, oldest first; no cell starts a formula)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def export_orders(  # noqa: ANN201 - a raw Response
    compound_id: Annotated[str | None, Query(max_length=60)] = None,
    status: Annotated[OrderStatus | None, Query()] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
):
    require_role(current_caller(router), Role.SUPERVISOR)
    low, high = period.bounds(start, end)
    if compound_id:
        if compound_records.get_compound(compound_id) is None:
            raise NotFound("小区不存在", "No such compound.")
        found = [o for o in orders.for_compound_between(compound_id, low, high) if status is None or o.status == status]
    else:
        found = [o for s in ([status] if status else list(OrderStatus)) for o in orders.with_status_between(s, low, high)]
    name = f"linli-orders-{start or 'all'}-{end or 'all'}.csv"
    return Response(
        200,
        "text/csv; charset=utf-8",
        order_export.to_csv(found),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
