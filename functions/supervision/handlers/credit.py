"""Credit routes of the supervision domain: a company's credit record, the supervisors' ranking of the
district's companies, and the export of every credit record for a credit-reporting system."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared import clock, inputs, paging
from shared.api import current_caller
from shared.auth import Caller, company_of, require_role
from shared.errors import Forbidden, NotFound
from shared.roles import Role
from supervision.domain import credit as formula
from supervision.domain.records import Company
from supervision.domain.settings import supervision_settings
from supervision.handlers.companies import all_companies
from supervision.handlers.models import CreditView, RankingEntry, RankingView
from supervision.service.public_credit import best_credit_first
from supervision.store import company_records, credit
from supervision.store.credit import CreditEvent

router = Router()


def _credit_view(company: Company, events: list[CreditEvent]) -> CreditView:
    settings = supervision_settings()
    params = formula.CreditParams.from_settings(settings)
    return CreditView(
        company_id=company.company_id,
        name=company.name,
        status=company.status,
        credit_score=company.credit_score,
        threshold=settings.credit_suspend_threshold,
        breakdown=formula.score(events, params),
        history=formula.score_history(events, params),
        events=sorted(events, key=lambda e: (e.at, e.event_id), reverse=True),
    )


def _readable_company(caller: Caller, company_id: str) -> Company:
    if caller.role != Role.SUPERVISOR and company_of(caller, Role.DISPATCHER) != company_id:
        raise Forbidden("只能查看本公司的信用记录", "You can only see your own company's credit record.")
    company = company_records.get_company(company_id)
    if company is None:
        raise NotFound("企业不存在", "No such company.")
    return company


@router.get("/credit/companies/<company_id>")
def company_credit(company_id: str) -> CreditView:
    caller = current_caller(router)
    company = _readable_company(caller, company_id)
    return _credit_view(company, credit.company_events(company_id))


@router.get("/companies/me/credit")
def my_credit() -> CreditView:
    caller = current_caller(router)
    company_id = company_of(caller, Role.DISPATCHER)
    return _credit_view(_readable_company(caller, company_id), credit.company_events(company_id))


@router.get("/credit/companies")
def credit_ranking(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> RankingView:
    """Admitted and suspended companies, best credit first (the district's companies are read whole to rank them)."""
    require_role(current_caller(router), Role.SUPERVISOR)
    ranked, next_cursor = paging.page_of(
        all_companies(),
        list_name="credit_ranking",
        sort_key=best_credit_first,
        cursor=cursor,
        limit=limit,
    )
    return RankingView(
        companies=[RankingEntry(**c.model_dump(include=set(RankingEntry.model_fields))) for c in ranked],
        next_cursor=next_cursor,
    )


EXPORT_FIELDS = ("company_id", "technician_id", "order_id", "kind", "value", "at", "event_id", "note")


@router.get(
    "/credit/export",
    responses={
        200: {
            "description": "The credit records: JSON by default, CSV (UTF-8 with a BOM) with ?format=csv",
            "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def credit_export(format: Annotated[str, Query(pattern="^(json|csv)$")] = "json"):  # noqa: ANN201 - a raw Response
    """Every admitted or suspended company's score and credit events, for a credit-reporting system."""
    require_role(current_caller(router), Role.SUPERVISOR)
    companies = all_companies()
    records = {c.company_id: credit.company_events(c.company_id) for c in companies}
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(("company_name", "company_status", "credit_score", *EXPORT_FIELDS))
        for c in companies:
            for e in sorted(records[c.company_id], key=lambda e: (e.at, e.event_id)):
                row = e.model_dump()
                cells = (c.name, c.status, c.credit_score, *(row[f] if row[f] is not None else "" for f in EXPORT_FIELDS))
                writer.writerow([inputs.csv_safe(cell) for cell in cells])  # no cell runs as a spreadsheet formula
        return Response(200, "text/csv; charset=utf-8", "\ufeff" + buffer.getvalue())  # BOM: Excel reads UTF-8
    body = {
        "generated_at": clock.now_iso(),
        "threshold": supervision_settings().credit_suspend_threshold,
        "companies": [
            {
                **c.model_dump(include={"company_id", "name", "status", "credit_score", "licence_number"}),
                "events": [e.model_dump() for e in records[c.company_id]],
            }
            for c in companies
        ],
    }
    return Response(200, content_types.APPLICATION_JSON, json.dumps(body, ensure_ascii=False))
