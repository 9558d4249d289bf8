"""Onboarding a pilot's compounds: the CSV import (validated whole, then written; a second import of the same
file writes nothing), the compounds' reading, and their versioned terms (contract, free-service period), each
change also appended to the compound's audit chain `compound:<id>`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from compounds.domain import terms
from compounds.domain.csv_import import ParsedFile, decode, parse
from compounds.domain.datum import Datum
from compounds.domain.keys import Household
from compounds.domain.records import Compound
from compounds.service.ports import AuditTrail, Companies
from compounds.store import CompoundChange, CompoundStore, TermsVersion
from shared.errors import Conflict, NotFound, ValidationFailed


class UnknownCompany(ValidationFailed):
    status = 422
    code = "unknown_company"


@dataclass
class CompoundOutcome:
    compound_id: str
    name: str
    district: str
    status: str  # created | updated | unchanged
    households_new: int
    households_in_file: int


@dataclass
class ImportReport:
    dry_run: bool
    datum: str
    rows_total: int
    rows_accepted: int
    rows_refused: int
    rows: list[dict] = field(default_factory=list)  # one per data row: row, status, compound_id, household, problems
    compounds: list[CompoundOutcome] = field(default_factory=list)
    written: bool = False

    @property
    def valid(self) -> bool:
        return self.rows_refused == 0


class Onboarding:
    def __init__(self, store: CompoundStore, audit: AuditTrail, companies: Companies, now: Callable[[], str]) -> None:
        self.store, self.audit, self.companies, self.now = store, audit, companies, now

    # --- import ------------------------------------------------------------------------------------
    def import_file(self, raw: bytes, *, datum: Datum, dry_run: bool) -> ImportReport:
        """Raises csv_import.FileRefused for a file that cannot be read at all."""
        parsed = parse(decode(raw), datum)
        changes, outcomes = self._plan(parsed)
        report = ImportReport(
            dry_run=dry_run,
            datum=datum.value,
            rows_total=parsed.rows,
            rows_accepted=len(parsed.households),
            rows_refused=len(parsed.refused_rows),
            rows=_rows(parsed),
            compounds=outcomes,
        )
        if report.valid and not dry_run and changes:
            self.store.write_import(changes)
            report.written = True
        return report

    def _plan(self, parsed: ParsedFile) -> tuple[list[CompoundChange], list[CompoundOutcome]]:
        changes, outcomes = [], []
        for cid, row in parsed.compounds.items():
            in_file = [h for h in parsed.households if h.compound_id == cid]
            existing = self.store.get(cid)
            stored = {h.key for h in self.store.households(cid)} if existing else set()
            new = [Household(cid, h.building, h.unit, h.room) for h in in_file if h.key not in stored]
            profile = Compound(
                compound_id=cid,
                name=row.name,
                name_en=row.name_en or (existing.name_en if existing else ""),
                district=row.district,
                street=row.street,
                lat=row.lat,
                lng=row.lng,
            )
            same = existing is not None and all(
                getattr(existing, f) == getattr(profile, f) for f in ("name", "name_en", "district", "street", "lat", "lng")
            )
            status = "created" if existing is None else ("unchanged" if same and not new else "updated")
            outcomes.append(CompoundOutcome(cid, row.name, row.district, status, len(new), len(in_file)))
            if status != "unchanged":
                changes.append(CompoundChange(profile, new, is_new=existing is None))
        return changes, outcomes

    # --- reading -----------------------------------------------------------------------------------
    def compounds(self) -> list[Compound]:
        return self.store.all()

    def compound(self, compound_id: str) -> tuple[Compound, list[Household]]:
        found = self.store.get(compound_id)
        if found is None:
            raise NotFound("找不到该小区", "There is no such compound.")
        return found, self.store.households(compound_id)

    def versions(self, compound_id: str) -> list[TermsVersion]:
        return self.store.versions(compound_id)

    # --- terms -------------------------------------------------------------------------------------
    def set_contract(self, compound_id: str, company_id: str, starts: str, ends: str | None, *, actor: str) -> Compound:
        contract = terms.contract(company_id, starts, ends)
        if not self.companies.exists(company_id):
            raise UnknownCompany(f"物业公司“{company_id}”不存在", f"There is no company “{company_id}”.")
        return self._change(compound_id, terms.CONTRACT, contract.model_dump(), actor)

    def set_free_service(self, compound_id: str, starts: str, ends: str, funded_by: str, *, actor: str) -> Compound:
        period = terms.free_period(starts, ends, funded_by)
        return self._change(compound_id, terms.FREE_SERVICE, period.model_dump(), actor)

    def _change(self, compound_id: str, kind: str, value: dict, actor: str) -> Compound:
        current = self.store.get(compound_id)
        if current is None:
            raise NotFound("找不到该小区", "There is no such compound.")
        before = current.contract if kind == terms.CONTRACT else current.free_period
        if before is not None and before.model_dump() == value:
            return current  # the same terms again: no new version
        at = self.now()
        version = TermsVersion(compound_id, current.terms_version + 1, kind, value, actor, at)
        if not self.store.save_terms(version, expected_version=current.terms_version):
            raise Conflict("小区信息已被他人修改，请刷新后重试", "The compound was changed meanwhile; refresh and try again.")
        self.audit.append(
            f"compound:{compound_id}",
            source_id=f"terms:{version.version}",
            kind=f"compound.{kind}",
            actor=actor,
            at=at,
            detail={"version": version.version, "before": before.model_dump() if before else None, "after": value},
        )
        updated = self.store.get(compound_id)
        assert updated is not None
        return updated


def _rows(parsed: ParsedFile) -> list[dict]:
    by_row: dict[int, dict] = {}
    for h in parsed.households:
        by_row[h.row] = {
            "row": h.row,
            "status": "accepted",
            "compound_id": h.compound_id,
            "household": {"building": h.building, "unit": h.unit, "room": h.room},
            "problems": [],
        }
    for p in parsed.problems:
        entry = by_row.setdefault(
            p.row, {"row": p.row, "status": "refused", "compound_id": None, "household": None, "problems": []}
        )
        entry["status"] = "refused"
        entry["problems"].append({"column": p.column, "reason": p.reason, "reason_en": p.reason_en})
    return [by_row[r] for r in sorted(by_row)]
