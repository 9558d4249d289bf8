"""Admission routes of the supervision domain: a company's documents (pre-signed S3 URLs), its application and
its technicians' registration, the supervisors' vetting queue and decisions, and certificate renewals."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from identity.domain.records import Certificate, User
from identity.service import accounts
from shared import clock, ids, paging, storage
from shared.api import current_caller
from shared.auth import company_of, require_role
from shared.errors import DomainError, Forbidden, NotFound, ValidationFailed
from shared.roles import Role
from supervision.domain import admission, staff_records
from supervision.domain.admission import Kind
from supervision.domain.expiry import beijing_today
from supervision.domain.records import Company
from supervision.domain.settings import supervision_settings
from supervision.handlers.models import (
    AdmissionView,
    ApplicationIn,
    DecisionIn,
    DocumentIn,
    DocumentSummary,
    DownloadView,
    RenewalDecisionIn,
    RenewalIn,
    RenewalList,
    StaffView,
    TechnicianIn,
    TechnicianView,
    UploadView,
    VettingView,
)
from supervision.service import operations
from supervision.store import admission as admission_dal
from supervision.store import company_records
from supervision.store import staff_records as staff_dal
from supervision.store.admission import Document

router = Router()


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
    company_id = company_of(caller, Role.DISPATCHER)
    limit = supervision_settings().document_max_bytes
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
            expires_in=supervision_settings().document_url_seconds,
        ),
        201,
    )


@router.get("/companies/<company_id>/documents/<document_id>")
def get_document(company_id: str, document_id: str) -> DownloadView:
    caller = current_caller(router)
    if caller.role != Role.SUPERVISOR and company_of(caller, Role.DISPATCHER) != company_id:
        raise Forbidden("只能查看本公司的材料", "You can only see your own company's documents.")
    document = admission_dal.get_document(company_id, document_id)
    if document is None or not storage.exists(document.s3_key):
        raise NotFound("材料不存在或尚未上传", "No such document, or it was not uploaded yet.")
    return DownloadView(
        document_id=document_id,
        filename=document.filename,
        kind=document.kind,
        download_url=storage.download_url(document.s3_key),
        expires_in=supervision_settings().document_url_seconds,
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
    company_id = company_of(caller, Role.DISPATCHER)
    existing = company_records.get_company(company_id)
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
    company_records.put_company(company)
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
    company_id = company_of(caller, Role.DISPATCHER)
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
    if not staff_dal.register(person, tech, accounts.new_account_changes(tech)):
        held = staff_dal.holder(person)
        company = company_records.get_company(held.company_id) if held and held.company_id else None
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
    company_id = company_of(caller, Role.DISPATCHER)
    company = company_records.get_company(company_id)
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
    company_id = company_of(caller, Role.DISPATCHER)
    staff, next_cursor = paging.page_of(
        accounts.staff_of(company_id, Role.TECHNICIAN),
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
            view.companies, resumes[part] = company_records.companies_page(
                "admitted" if status == "active" else status, after=after, limit=limit
            )
        else:
            found, resumes[part] = accounts.technicians_by_vetting_status(
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
    return _tech_view(accounts.get_user(decided.user_id) or decided)


# --- Certificate renewals ----------------------------------------------------------------------------


@router.post("/technicians/<user_id>/certificates", status_code=201)
def renew_certificate(user_id: str, body: RenewalIn) -> tuple[staff_dal.Renewal, int]:
    """The technician's company submits a renewed certificate (its scan and dates) for the supervisors."""
    caller = current_caller(router)
    company_id = company_of(caller, Role.DISPATCHER)
    tech = accounts.get_user(user_id)
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
