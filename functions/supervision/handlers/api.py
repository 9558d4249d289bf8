"""HTTP API of the supervision domain: admission and vetting, documents, credit, the audit log,
public-area reports, stuck orders and statistics. Thin routes: parse, check the caller, call logic and DAL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from functools import partial
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared import clock, ids, inputs, paging, storage
from shared.api import build_resolver, current_caller, resolve
from shared.auth import Caller, require_role
from shared.dal import admission as admission_dal
from shared.dal import audit, credit, orders, people
from shared.dal import staff_records as staff_dal
from shared.errors import DomainError, Forbidden, NotFound, ValidationFailed
from shared.lifecycle import OrderStatus, Role
from shared.observability import logger, tracer
from shared.public_area import OPEN_REPORT_STATUSES
from shared.records import Certificate, Company, CreditEvent, Document, Order, User
from shared.settings import get_settings
from supervision import operations
from supervision.domain import period
from supervision.handlers import exports, public
from supervision.logic import admission, staff_records, stats
from supervision.logic import audit as chain
from supervision.logic import credit as formula
from supervision.logic.admission import Kind
from supervision.logic.expiry import beijing_today
from supervision.models import (
    AdmissionView,
    ApplicationIn,
    AuditView,
    CreditView,
    DecisionIn,
    DocumentIn,
    DocumentSummary,
    DownloadView,
    MeTooView,
    RankingEntry,
    RankingView,
    RenewalDecisionIn,
    RenewalIn,
    RenewalList,
    ReportList,
    ReportView,
    StaffView,
    StatsView,
    StuckOrder,
    StuckView,
    TechnicianIn,
    TechnicianView,
    UploadView,
    VettingView,
)
from supervision.service.public_credit import best_credit_first

router = Router()


def _dispatcher_company(caller: Caller) -> str:
    require_role(caller, Role.DISPATCHER)
    user = people.get_user(caller.user_id)
    if user is None or not user.company_id:
        raise Forbidden("您的账号未关联企业", "Your account is not linked to a company.")
    return user.company_id


def _tech_view(user: User) -> TechnicianView:
    return TechnicianView(**user.model_dump(include=set(TechnicianView.model_fields)))


# --- Documents (pre-signed S3 URLs) -------------------------------------------------------------------


class DocumentTooLarge(DomainError):
    status = 413
    code = "document_too_large"
    message_zh = "文件太大"
    message_en = "The file is too large."


@router.post("/documents", status_code=201)
def create_document(body: DocumentIn) -> tuple[UploadView, int]:
    caller = current_caller(router)
    company_id = _dispatcher_company(caller)
    limit = get_settings().document_max_bytes
    if body.size > limit:
        raise DocumentTooLarge(
            f"文件太大：最多 {limit // (1024 * 1024)} MB", f"The file is too large: at most {limit // (1024 * 1024)} MB."
        )
    document_id = ids.new_id("doc")
    document = Document(
        document_id=document_id,
        company_id=company_id,
        kind=body.kind,
        filename=body.filename,
        content_type=body.content_type,
        s3_key=f"companies/{company_id}/{document_id}/{body.filename}",
        uploaded_by=caller.user_id,
        created_at=clock.now_iso(),
    )
    admission_dal.put_document(document)
    return (
        UploadView(
            document_id=document_id,
            upload_url=storage.upload_url(document.s3_key, body.content_type, size=body.size),
            headers={"Content-Type": body.content_type},
            expires_in=get_settings().document_url_seconds,
        ),
        201,
    )


@router.get("/companies/<company_id>/documents/<document_id>")
def get_document(company_id: str, document_id: str) -> DownloadView:
    caller = current_caller(router)
    if caller.role != Role.SUPERVISOR and _dispatcher_company(caller) != company_id:
        raise Forbidden("只能查看本公司的材料", "You can only see your own company's documents.")
    document = admission_dal.get_document(company_id, document_id)
    if document is None or not storage.exists(document.s3_key):
        raise NotFound("材料不存在或尚未上传", "No such document, or it was not uploaded yet.")
    return DownloadView(
        document_id=document_id,
        filename=document.filename,
        kind=document.kind,
        download_url=storage.download_url(document.s3_key),
        expires_in=get_settings().document_url_seconds,
    )


def _check_documents(company_id: str, document_ids: list[str]) -> None:
    for document_id in document_ids:
        document = admission_dal.get_document(company_id, document_id)
        if document is None or not storage.exists(document.s3_key):
            raise ValidationFailed(
                f"材料 {document_id} 不存在或尚未上传", f"Document {document_id} does not exist or was not uploaded yet."
            )


# --- Admission ----------------------------------------------------------------------------------------


@router.put("/companies/me/application")
def apply(body: ApplicationIn) -> Company:
    """A company applies for admission (again, after a rejection) with its licence and documents."""
    caller = current_caller(router)
    company_id = _dispatcher_company(caller)
    existing = people.get_company(company_id)
    admission.check_application(existing.status if existing else None)
    _check_documents(company_id, body.documents)
    company = Company(
        company_id=company_id,
        name=body.name,
        name_en=body.name_en,
        status=admission.PENDING,
        licence_number=body.licence_number,
        documents=body.documents,
        applied_at=clock.now_iso(),
        credit_score=existing.credit_score if existing else Company.model_fields["credit_score"].default,
    )
    people.put_company(company)
    operations.append(
        f"company:{company_id}",
        source_id=f"application:{company.applied_at}",
        kind="admission.applied",
        actor=caller.user_id,
        at=company.applied_at or "",
        detail={"licence_number": body.licence_number, "documents": body.documents},
    )
    return company


@router.post("/companies/me/technicians", status_code=201)
def register_technician(body: TechnicianIn) -> tuple[TechnicianView, int]:
    """The company registers a technician: identity, skills and the certificates they need. Pending vetting."""
    caller = current_caller(router)
    company_id = _dispatcher_company(caller)
    skills = [s.value for s in body.skills]
    certificates = [Certificate(**c.model_dump()) for c in body.certificates]
    staff_records.check_certificates(skills, certificates, beijing_today())
    _check_documents(company_id, [c.document_id for c in certificates if c.document_id])
    person = staff_records.person_key(body.id_number)
    at = clock.now_iso()
    tech = User(
        user_id=ids.new_id("tech"),
        role=Role.TECHNICIAN,
        name=body.name,
        phone=body.phone,
        status=admission.PENDING,
        company_id=company_id,
        skills=skills,
        certificates=certificates,
        id_number_masked=admission.mask_id_number(body.id_number.upper()),
        registered_at=at,
    )
    if not staff_dal.register(person, tech):
        held = staff_dal.holder(person)
        company = people.get_company(held.company_id) if held and held.company_id else None
        raise staff_records.AlreadyRegistered(held.company_id if held else None, company.name if company else None)
    operations.append(
        f"technician:{tech.user_id}",
        source_id=f"registration:{at}",
        kind="admission.registered",
        actor=caller.user_id,
        at=at,
        detail={"company_id": company_id, "skills": skills, "certificates": [c.kind for c in tech.certificates]},
    )
    return _tech_view(tech), 201


@router.get("/companies/me")
def my_admission() -> AdmissionView:
    """The caller's company: its admission status, the reason of the last rejection or suspension, its documents."""
    caller = current_caller(router)
    company_id = _dispatcher_company(caller)
    company = people.get_company(company_id)
    if company is None:
        return AdmissionView(company_id=company_id, status="not_applied")
    found = (admission_dal.get_document(company_id, d) for d in company.documents)
    return AdmissionView(
        **company.model_dump(include=set(AdmissionView.model_fields) - {"documents"}),
        documents=[DocumentSummary(**d.model_dump(include=set(DocumentSummary.model_fields))) for d in found if d],
    )


@router.get("/companies/me/technicians")
def my_technicians(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> StaffView:
    """The technicians the caller's company registered, each with their vetting status, first registered first:
    one Query on gsi3 (a company's staff is read whole, to keep that order)."""
    caller = current_caller(router)
    company_id = _dispatcher_company(caller)
    staff, next_cursor = paging.page_of(
        people.staff_of(company_id, Role.TECHNICIAN),
        list_name="technicians",
        sort_key=lambda u: (u.registered_at or "", u.user_id),
        cursor=cursor,
        limit=limit,
    )
    return StaffView(company_id=company_id, technicians=[_tech_view(u) for u in staff], next_cursor=next_cursor)


@router.get("/vetting")
def vetting_queue(
    kind: Annotated[Kind | None, Query()] = None,
    status: Annotated[str, Query(pattern="^(pending|admitted|active|rejected|suspended)$")] = "pending",
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> VettingView:
    """Companies and technicians in a vetting status, oldest first. Each kind is its own Query: a page holds up to
    `limit` of each, and the cursor goes on with whichever kinds have more."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    kinds = [k.value for k in Kind if kind in (None, k)]
    list_name = f"vetting_{'_'.join(kinds)}_{status}"
    starts = paging.decode_keys(list_name, cursor, kinds)
    view, resumes = VettingView(), {}
    for part in kinds:
        if starts is not None and starts[part] is None:  # this kind was read to its end on an earlier page
            resumes[part] = None
            continue
        after = starts[part] if starts else None
        if part == Kind.COMPANY:
            view.companies, resumes[part] = people.companies_page(
                "admitted" if status == "active" else status, after=after, limit=limit
            )
        else:
            found, resumes[part] = people.technicians_by_vetting_status(
                "active" if status == "admitted" else status, after=after, limit=limit
            )
            view.technicians = [_tech_view(t) for t in found]
    view.next_cursor = paging.encode_keys(list_name, resumes)
    return view


@router.post("/vetting/companies/<company_id>/decision")
def decide_company(company_id: str, body: DecisionIn) -> Company:
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    return operations.decide(Kind.COMPANY, company_id, body.decision, body.reason, actor=caller.user_id)


@router.post("/vetting/technicians/<user_id>/decision")
def decide_technician(user_id: str, body: DecisionIn) -> TechnicianView:
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    decided = operations.decide(Kind.TECHNICIAN, user_id, body.decision, body.reason, actor=caller.user_id)
    return _tech_view(people.get_user(decided.user_id) or decided)


# --- Certificate renewals ----------------------------------------------------------------------------


@router.post("/technicians/<user_id>/certificates", status_code=201)
def renew_certificate(user_id: str, body: RenewalIn) -> tuple[staff_dal.Renewal, int]:
    """The technician's company submits a renewed certificate (its scan and dates) for the supervisors."""
    caller = current_caller(router)
    company_id = _dispatcher_company(caller)
    tech = people.get_user(user_id)
    if tech is None or tech.role != Role.TECHNICIAN or tech.company_id != company_id:
        raise NotFound("师傅不存在", "No such technician in your company.")
    cert = Certificate(**body.model_dump(exclude={"issued_on"}))
    staff_records.check_renewal(tech, cert, beijing_today(), body.issued_on)
    _check_documents(company_id, [body.document_id])
    renewal = staff_dal.Renewal(
        renewal_id=ids.new_id("ren"),
        technician_id=user_id,
        company_id=company_id,
        certificate=cert,
        issued_on=body.issued_on,
        status=staff_records.RENEWAL_PENDING,
        submitted_by=caller.user_id,
        submitted_at=clock.now_iso(),
    )
    staff_dal.put_renewal(renewal)
    operations.append(
        f"technician:{user_id}",
        source_id=f"renewal:{renewal.renewal_id}",
        kind="certificate.renewal_submitted",
        actor=caller.user_id,
        at=renewal.submitted_at,
        detail={"certificate": cert.kind, "expires_on": cert.expires_on, "document_id": cert.document_id},
    )
    return renewal, 201


@router.get("/vetting/renewals")
def renewal_queue(
    status: Annotated[str, Query(pattern="^(pending|approved|rejected)$")] = "pending",
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> RenewalList:
    """Certificate renewals in a status, oldest first."""
    require_role(current_caller(router), Role.SUPERVISOR)
    list_name = f"renewals_{status}"
    found, resume = staff_dal.renewals_by_status(status, after=paging.decode_key(list_name, cursor), limit=limit)
    return RenewalList(renewals=found, next_cursor=paging.encode_key(list_name, resume))


@router.post("/technicians/<user_id>/certificates/<renewal_id>/decision")
def decide_renewal(user_id: str, renewal_id: str, body: RenewalDecisionIn) -> staff_dal.Renewal:
    """A supervisor approves a renewal (the skills it covers are no longer suspended) or refuses it (with a
    reason); the technician and the company's dispatchers are told."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    return operations.decide_renewal(user_id, renewal_id, body.decision, body.reason, actor=caller.user_id)


# --- Credit -------------------------------------------------------------------------------------------


def _credit_view(company: Company, events: list[CreditEvent]) -> CreditView:
    settings = get_settings()
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
    if caller.role != Role.SUPERVISOR and _dispatcher_company(caller) != company_id:
        raise Forbidden("只能查看本公司的信用记录", "You can only see your own company's credit record.")
    company = people.get_company(company_id)
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
    company_id = _dispatcher_company(caller)
    return _credit_view(_readable_company(caller, company_id), credit.company_events(company_id))


def _all_companies() -> list[Company]:
    return [c for status in ("admitted", "suspended") for c in people.companies_by_status(status, limit=1000)]


@router.get("/credit/companies")
def credit_ranking(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> RankingView:
    """Admitted and suspended companies, best credit first (the district's companies are read whole to rank them)."""
    require_role(current_caller(router), Role.SUPERVISOR)
    ranked, next_cursor = paging.page_of(
        _all_companies(),
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
    companies = _all_companies()
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
        "threshold": get_settings().credit_suspend_threshold,
        "companies": [
            {
                **c.model_dump(include={"company_id", "name", "status", "credit_score", "licence_number"}),
                "events": [e.model_dump() for e in records[c.company_id]],
            }
            for c in companies
        ],
    }
    return Response(200, content_types.APPLICATION_JSON, json.dumps(body, ensure_ascii=False))


# --- Traceability -------------------------------------------------------------------------------------


@router.get("/orders/<order_id>/audit")
def order_audit(order_id: str) -> AuditView:
    """The order's hash chain and whether it verifies (supervisors; a dispatcher for the company's orders)."""
    caller = current_caller(router)
    order = orders.get_or_404(order_id)
    if caller.role != Role.SUPERVISOR and not (
        caller.role == Role.DISPATCHER and _dispatcher_company(caller) == order.company_id
    ):
        raise Forbidden("您无权查看此订单的审计记录", "You may not see this order's audit log.")
    entries, head = audit.entries(order_id)
    ended = order.status in (OrderStatus.CLOSED, OrderStatus.CANCELLED)
    verification = chain.verify(entries, head, ended=ended)
    if caller.role == Role.DISPATCHER:
        mentioned = chain.technicians_named(entries)
        named = people.get_users(mentioned) if mentioned else {}
        own = {u for u, tech in named.items() if tech.company_id == order.company_id}
        entries = chain.for_company(entries, own)
    return AuditView(order_id=order_id, verification=verification, entries=entries)


def _minutes_since(at: str, now: datetime) -> float:
    return round((now - datetime.fromisoformat(at.replace("Z", "+00:00"))).total_seconds() / 60, 1)


@router.get("/supervision/stuck")
def stuck_orders(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> StuckView:
    """Open orders older than their status's limit (Settings.stuck_after_minutes), oldest first: one Query
    per status on gsi4 with the sort key below the cut-off, merged page by page."""
    require_role(current_caller(router), Role.SUPERVISOR)
    now = clock.now()
    limits = get_settings().stuck_after_minutes
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


# --- Public-area reports ------------------------------------------------------------------------------


def _resident_of(caller: Caller, compound_id: str) -> None:
    require_role(caller, Role.RESIDENT)
    if caller.user_id not in people.residents_of_compound(compound_id):
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
        compound = people.get_compound(compound_id)
        if compound is None:
            raise NotFound("小区不存在", "No such compound.")
        found = orders.for_compound_between(compound_id, low, high)
        if company_id:
            found = [o for o in found if o.company_id == company_id]
        residents: int | None = len(people.residents_of_compound(compound_id))
        staff = len(people.staff_of(company_id or compound.contracted_company_id, "technician"))
    elif company_id:
        found = orders.for_company_between(company_id, low, high)
        residents = None
        staff = len(people.staff_of(company_id, "technician"))
    else:
        found = [o for s in OrderStatus for o in orders.with_status_between(s, low, high)]
        residents = len(people.users_with_role(Role.RESIDENT))
        listed = _all_companies()
        companies = sum(1 for c in listed if c.status == "admitted")
        staff = sum(len(people.staff_of(c.company_id, "technician")) for c in listed)
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


app = build_resolver(router, public.router, exports.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
