"""HTTP API of onboarding (supervisors): import compounds and households from a CSV, read them, and set each
compound's contracted company and free-service period (versioned, audited). See docs/supervision.md#onboarding."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from compounds.domain.csv_import import FileRefused
from compounds.domain.datum import Datum, parse_datum
from compounds.domain.records import Compound
from compounds.service.onboarding import ImportReport
from compounds.service.wiring import onboarding
from shared import paging
from shared.api import build_resolver, current_caller, error_body, resolve
from shared.auth import require_role
from shared.errors import DomainError, ValidationFailed
from shared.observability import logger, tracer
from shared.roles import Role

router = Router()

CompoundId = Annotated[str, Path()]  # the one id pattern of every path (shared.api; the API document says so)
Id = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Day = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)]


class ContractIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    company_id: Id
    from_: Day = Field(alias="from")
    to: Day | None = None


class FreeServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: Day = Field(alias="from")
    to: Day
    funded_by: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class InvalidCsv(DomainError):
    status = 400


class UnsupportedCsvType(DomainError):
    status = 415
    code = "unsupported_media_type"
    message_zh = "请上传 CSV 文件（Content-Type: text/csv）"
    message_en = "Upload a CSV file (Content-Type: text/csv)."


def _terms(compound: Compound) -> dict:
    contract, free = compound.contract, compound.free_period
    return {
        "contract": (
            {"company_id": contract.company_id, "from": contract.starts_on, "to": contract.ends_on}
            if contract
            else (
                {"company_id": compound.contracted_company_id, "from": None, "to": None}
                if compound.contracted_company_id
                else None
            )
        ),
        "free_service": {"from": free.starts_on, "to": free.ends_on, "funded_by": free.funded_by} if free else None,
        "terms_version": compound.terms_version,
    }


def _summary(compound: Compound) -> dict:
    return {
        "compound_id": compound.compound_id,
        "name": compound.name,
        "name_en": compound.name_en,
        "district": compound.district,
        "street": compound.street,
        "position": {"lat": compound.lat, "lng": compound.lng, "datum": Datum.GCJ02.value},
        "households": compound.household_count,
        **_terms(compound),
    }


def _report(report: ImportReport) -> dict:
    return {
        "dry_run": report.dry_run,
        "valid": report.valid,
        "written": report.written,
        "datum": report.datum,
        "rows_total": report.rows_total,
        "rows_accepted": report.rows_accepted,
        "rows_refused": report.rows_refused,
        "rows": report.rows,
        "refused": [{"row": r["row"], **p} for r in report.rows if r["status"] == "refused" for p in r["problems"]],
        "compounds": [vars(c) for c in report.compounds],
    }


def _csv_body() -> bytes:
    event = router.current_event
    content_type = (event.get_header_value("content-type") or "").split(";")[0].strip().lower()
    if content_type != "text/csv":
        raise UnsupportedCsvType()
    body = event.body or ""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            raise InvalidCsv("文件内容无法读取", "The file's content cannot be read.") from exc
    return body.encode("utf-8")


@router.post("/compounds/import")
def import_compounds(
    dry_run: Annotated[bool, Query()] = False,
    datum: Annotated[str, Query(max_length=10)] = Datum.GCJ02.value,
):  # noqa: ANN201 - a raw Response (the refusal carries the report)
    """Import compounds and households from a CSV (text/csv, UTF-8 with or without BOM). Every row is checked
    first; any refused row refuses the whole file (422 with the report). `dry_run=true`: the report alone."""
    require_role(current_caller(router), Role.SUPERVISOR)
    chosen = parse_datum(datum)
    if chosen is None:
        raise ValidationFailed(f"坐标系“{datum}”未知（应为 GCJ-02 或 WGS-84）", f"Unknown datum “{datum}” (GCJ-02 or WGS-84).")
    raw = _csv_body()
    try:
        report = onboarding().import_file(raw, datum=chosen, dry_run=dry_run)
    except FileRefused as exc:
        err = InvalidCsv(exc.message_zh, exc.message_en)
        err.code = exc.code
        raise err from exc
    body = _report(report)
    if not report.valid and not dry_run:
        error = error_body(
            "import_rows_refused",
            f"有 {report.rows_refused} 行不符合要求，整个文件未导入（见报告）",
            f"{report.rows_refused} row(s) were refused; nothing was imported (see the report).",
        )
        error["error"]["report"] = body
        return Response(422, content_types.APPLICATION_JSON, json.dumps(error, ensure_ascii=False))
    return Response(200, content_types.APPLICATION_JSON, json.dumps(body, ensure_ascii=False))


@router.get("/compounds")
def list_compounds(
    q: Annotated[str, Query(max_length=40)] = "", limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None
) -> dict:
    """The compounds whose name (Chinese or English) contains `q`, by district and name, `limit` a page (a district's
    compounds are read whole, to match any part of a name). Supervisors get each with its household count and
    current terms (onboarding); residents picking theirs and the property desk get the names only."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR, Role.RESIDENT, Role.DISPATCHER)
    needle = q.strip().lower()
    found = [c for c in onboarding().compounds() if not needle or needle in c.name.lower() or needle in c.name_en.lower()]
    page, next_cursor = paging.page_of(
        found,
        list_name=f"compounds:{needle}",
        sort_key=lambda c: (c.district, c.name, c.compound_id),
        cursor=cursor,
        limit=limit,
    )
    if caller.role == Role.SUPERVISOR:
        return {"compounds": [_summary(c) for c in page], "next_cursor": next_cursor}
    listed = [{"compound_id": c.compound_id, "name": c.name, "name_en": c.name_en} for c in page]
    return {"compounds": listed, "next_cursor": next_cursor}


@router.get("/compounds/<compound_id>")
def get_compound(compound_id: CompoundId) -> dict:
    """One compound: its buildings, their units and households. Supervisors also get its terms and their versions;
    residents (picking their flat) and the property desk get the names and the buildings only."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR, Role.RESIDENT, Role.DISPATCHER)
    service = onboarding()
    compound, households = service.compound(compound_id)
    buildings: dict[str, dict[str, list[str]]] = {}
    for h in households:
        buildings.setdefault(h.building, {}).setdefault(h.unit, []).append(h.room)
    listed = [
        {
            "building": b,
            "households": sum(len(rooms) for rooms in units.values()),
            "units": [{"unit": u, "households": len(rooms), "rooms": sorted(rooms)} for u, rooms in sorted(units.items())],
        }
        for b, units in sorted(buildings.items())
    ]
    if caller.role != Role.SUPERVISOR:
        return {"compound_id": compound.compound_id, "name": compound.name, "name_en": compound.name_en, "buildings": listed}
    return {
        **_summary(compound),
        "buildings": listed,
        "counts": {"buildings": len(buildings), "units": sum(len(u) for u in buildings.values()), "households": len(households)},
        "versions": [
            {
                "version": v.version,
                "kind": v.kind,
                "value": _version_value(v.kind, v.value),
                "changed_by": v.changed_by,
                "changed_at": v.changed_at,
            }
            for v in service.versions(compound_id)
        ],
    }


def _version_value(kind: str, value: dict) -> dict:
    renamed = {"from": value.get("starts_on"), "to": value.get("ends_on")}
    return (
        {"company_id": value.get("company_id"), **renamed}
        if kind == "contract"
        else {**renamed, "funded_by": value.get("funded_by")}
    )


@router.put("/compounds/<compound_id>/contract")
def put_contract(compound_id: CompoundId, body: ContractIn) -> dict:
    """The compound's contracted company from one day through another (`to` null: open-ended); a new version."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    updated = onboarding().set_contract(compound_id, body.company_id, body.from_, body.to, actor=caller.user_id)
    return _summary(updated)


@router.put("/compounds/<compound_id>/free-service")
def put_free_service(compound_id: CompoundId, body: FreeServiceIn) -> dict:
    """The period in which repairs in the compound are free, and who funds them; a new version."""
    caller = current_caller(router)
    require_role(caller, Role.SUPERVISOR)
    updated = onboarding().set_free_service(compound_id, body.from_, body.to, body.funded_by, actor=caller.user_id)
    return _summary(updated)


app = build_resolver(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
