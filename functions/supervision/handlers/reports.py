"""Public-area report routes of the supervision domain: a compound's open reports, and a resident's "me too" on
one of them."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from addresses.service import address_book
from orders.domain.public_area import OPEN_REPORT_STATUSES
from orders.domain.records import Order
from orders.service import queries as orders
from shared import clock, paging
from shared.api import current_caller
from shared.auth import Caller, require_role
from shared.errors import Forbidden, ValidationFailed
from shared.roles import Role
from supervision.handlers.models import MeTooView, ReportList, ReportView

router = Router()


def _resident_of(caller: Caller, compound_id: str) -> None:
    require_role(caller, Role.RESIDENT)
    if caller.user_id not in address_book.residents_of_compound(compound_id):
        raise Forbidden("您不是该小区的居民", "You are not a resident of this compound.")


def _report(o: Order) -> ReportView:
    return ReportView(**o.model_dump(include=set(ReportView.model_fields)))


@router.get("/compounds/<compound_id>/reports")
def compound_reports(compound_id: str, limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> ReportList:
    """The compound's open public-area reports, newest first."""
    caller = current_caller(router)
    _resident_of(caller, compound_id)
    found, resume = orders.public_reports_page(
        compound_id, OPEN_REPORT_STATUSES, after=paging.decode_key("reports", cursor), limit=limit
    )
    return ReportList(
        compound_id=compound_id, reports=[_report(o) for o in found], next_cursor=paging.encode_key("reports", resume)
    )


@router.post("/orders/<order_id>/me-too")
def me_too(order_id: str) -> MeTooView:
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)  # who may ask comes before what the order is
    order = orders.get_or_404(order_id)
    _resident_of(caller, order.compound_id)
    if order.order_type != "public_area":
        raise ValidationFailed("只有公区报事可以附议", "Only public-area reports take a 'me too'.")
    if order.status not in OPEN_REPORT_STATUSES:
        raise ValidationFailed("该报事已处理完毕", "This report is already closed.")
    added = order.resident_id != caller.user_id and orders.add_me_too(
        order_id, caller.user_id, clock.now_iso(), OPEN_REPORT_STATUSES
    )
    return MeTooView(order_id=order_id, me_too_count=orders.get_or_404(order_id).me_too_count, added=added)
