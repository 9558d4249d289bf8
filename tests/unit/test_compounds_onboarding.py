"""Onboarding rules on the in-memory store: reading the CSV (rows, columns, reasons), the datum conversion, the
deterministic keys, the import's all-or-nothing and no-op re-import, the versioned terms, and pricing by date."""

from __future__ import annotations

from datetime import date

import pytest

from compounds.domain import terms
from compounds.domain.csv_import import FileRefused, decode, parse
from compounds.domain.datum import Datum, parse_datum, to_gcj02, wgs84_to_gcj02
from compounds.domain.keys import compound_id, household_key
from compounds.domain.records import Compound, FreePeriod
from compounds.service.onboarding import Onboarding, UnknownCompany
from compounds.store.memory import MemoryStore
from orders.domain import pricing
from shared.errors import Conflict, NotFound

HEADER = "name,district,street,building,unit,room,lat,lng"


class Audit:
    def __init__(self) -> None:
        self.entries: list[tuple] = []

    def append(self, chain_id: str, *, source_id: str, kind: str, actor: str, at: str, detail: dict) -> None:
        self.entries.append((chain_id, source_id, kind, actor, detail))


class Companies:
    def exists(self, company_id: str) -> bool:
        return company_id in {"co_a", "co_b"}


def _service() -> tuple[Onboarding, MemoryStore, Audit]:
    store, audit = MemoryStore(), Audit()
    return Onboarding(store, audit, Companies(), now=lambda: "2026-12-04T08:00:00.000Z"), store, audit


def _file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


# --- datum -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wgs", "gcj"),
    [  # eviltransform's own test points (googollee/eviltransform, python tests)
        ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
        ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
        ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ],
)
def test_wgs84_to_gcj02_gives_the_published_points(wgs, gcj):
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)


def test_outside_china_and_gcj02_positions_are_unchanged():
    assert wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)
    assert to_gcj02(39.9052, 116.6571, Datum.GCJ02) == (39.9052, 116.6571)
    assert [parse_datum(t) for t in ("wgs84", " WGS-84 ", "gcj02", "BD-09")] == [Datum.WGS84, Datum.WGS84, Datum.GCJ02, None]


# --- keys and reading the file -------------------------------------------------------------------------


def test_keys_are_deterministic_and_ignore_full_width_digits_and_spaces():
    assert compound_id("西营前街", "通州区") == compound_id(" 西营前街 ", "通州区") != compound_id("西营前街", "东城区")
    assert household_key("５", "２", "３０１") == household_key("5", "2", "301") == "5#2#301"


def test_a_file_with_bom_chinese_headers_and_empty_lines_is_read():
    raw = "\ufeff小区名称,区,街道,楼号,单元,房间号,纬度,经度\r\n甲小区,通州区,中仓街道,1,1,101,39.9,116.6\r\n,,,,,,,\r\n".encode()
    parsed = parse(decode(raw), Datum.GCJ02)
    assert parsed.rows == 1 and not parsed.problems and parsed.households[0].row == 2


def test_every_problem_names_its_row_column_and_reason():
    parsed = parse(
        decode(
            _file(
                "甲,通州区,中仓街道,1,1,101,39.9,116.6",
                "甲,通州区,另一街道,1,1,102,39.9,116.6",  # row 3: street differs from row 2
                "甲,通州区,中仓街道,1#2,1,103,39.9,116.6",  # row 4: '#'
                "乙,通州区,中仓街道,1,1,101,39.9,200",  # row 5: lng out of range
            )
        ),
        Datum.GCJ02,
    )
    assert {(p.row, p.column) for p in parsed.problems} == {(3, "street"), (4, "building"), (5, "lng")}
    assert all(p.reason and p.reason_en for p in parsed.problems)
    assert [h.row for h in parsed.households] == [2]


def test_a_datum_column_overrides_the_request_and_an_unknown_one_is_refused():
    parsed = parse(
        decode(
            _file(
                "甲,东城区,街,1,1,101,39.911954,116.377817,WGS-84",
                "乙,东城区,街,1,1,101,39.9,116.4,BD-09",
                header=HEADER + ",datum",
            )
        ),
        Datum.GCJ02,
    )
    assert [(p.row, p.column) for p in parsed.problems] == [(3, "datum")]
    assert (parsed.compounds[compound_id("甲", "东城区")].lat, parsed.compounds[compound_id("甲", "东城区")].lng) == (
        39.913345,
        116.384047,
    )


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "empty_csv"),
        (HEADER.encode(), "empty_csv"),
        (b"name,unit\n", "invalid_csv_header"),
        ("名称".encode("gbk"), "invalid_csv_encoding"),
    ],
)
def test_an_unreadable_file_is_refused_whole(raw, code):
    with pytest.raises(FileRefused) as refused:
        parse(decode(raw), Datum.GCJ02)
    assert refused.value.code == code


# --- the import ----------------------------------------------------------------------------------------


def test_a_dry_run_and_a_refused_file_store_nothing_and_a_second_import_writes_nothing():
    service, store, _ = _service()
    good = _file("甲,通州区,中仓街道,1,1,101,39.9,116.6", "甲,通州区,中仓街道,1,1,102,39.9,116.6")
    assert service.import_file(good, datum=Datum.GCJ02, dry_run=True).valid and store.compounds == {}
    refused = service.import_file(good + b"\xe4\xb9\x99,,,,,,,\n", datum=Datum.GCJ02, dry_run=False)
    assert not refused.valid and not refused.written and store.compounds == {}
    first = service.import_file(good, datum=Datum.GCJ02, dry_run=False)
    assert first.written and store.transactions == 1
    cid = compound_id("甲", "通州区")
    assert store.get(cid).household_count == 2
    second = service.import_file(good, datum=Datum.GCJ02, dry_run=False)
    assert not second.written and second.compounds[0].status == "unchanged" and store.transactions == 1
    more = service.import_file(good + "甲,通州区,中仓街道,2,1,101,39.9,116.6\n".encode(), datum=Datum.GCJ02, dry_run=False)
    assert more.compounds[0].status == "updated" and more.compounds[0].households_new == 1
    assert store.get(cid).household_count == 3


# --- terms ---------------------------------------------------------------------------------------------


def _imported(service: Onboarding) -> str:
    service.import_file(_file("甲,通州区,中仓街道,1,1,101,39.9,116.6"), datum=Datum.GCJ02, dry_run=False)
    return compound_id("甲", "通州区")


def test_each_change_of_terms_is_a_version_and_an_audit_entry():
    service, store, audit = _service()
    cid = _imported(service)
    service.set_contract(cid, "co_a", "2026-01-01", None, actor="sup")
    service.set_free_service(cid, "2026-01-01", "2026-12-31", "区住建委", actor="sup")
    service.set_free_service(cid, "2026-01-01", "2026-12-31", "区住建委", actor="sup")  # the same again: nothing
    service.set_contract(cid, "co_b", "2026-07-01", "2027-06-30", actor="sup")
    assert [(v.version, v.kind) for v in store.versions(cid)] == [(1, "contract"), (2, "free_service"), (3, "contract")]
    assert [(e[0], e[1], e[2]) for e in audit.entries] == [
        (f"compound:{cid}", "terms:1", "compound.contract"),
        (f"compound:{cid}", "terms:2", "compound.free_service"),
        (f"compound:{cid}", "terms:3", "compound.contract"),
    ]
    compound = store.get(cid)
    assert compound.contracted_company_id == "co_b"
    assert compound.company_on(date(2026, 6, 30)) is None and compound.company_on(date(2026, 7, 1)) == "co_b"


def test_bad_terms_are_refused_and_store_nothing():
    service, store, audit = _service()
    cid = _imported(service)
    with pytest.raises(terms.InvalidPeriod):
        service.set_free_service(cid, "2026-12-31", "2026-01-01", "区", actor="sup")
    with pytest.raises(terms.InvalidPeriod):
        service.set_contract(cid, "co_a", "2026-02-30", None, actor="sup")
    with pytest.raises(UnknownCompany):
        service.set_contract(cid, "co_nobody", "2026-01-01", None, actor="sup")
    with pytest.raises(NotFound):
        service.set_contract("cp_nowhere", "co_a", "2026-01-01", None, actor="sup")
    assert store.versions(cid) == [] and audit.entries == []


def test_a_change_on_a_stale_version_is_a_conflict():
    service, store, audit = _service()
    cid = _imported(service)
    stale = store.get(cid)
    service.set_contract(cid, "co_a", "2026-01-01", None, actor="sup")
    store.get = lambda _cid: stale  # the version read before another supervisor's change
    with pytest.raises(Conflict):
        service.set_contract(cid, "co_b", "2026-01-01", None, actor="sup")
    assert len(audit.entries) == 1


# --- pricing by the order's date ------------------------------------------------------------------------


def test_a_quote_is_free_only_on_the_days_of_a_free_period():
    period = FreePeriod(starts_on="2026-01-01", ends_on="2026-12-31", funded_by="区住建委")
    compound = Compound(compound_id="c", name="甲", lat=39.9, lng=116.6, free_period=period)
    inside = pricing.quote(None, "electrical", "灯", compound, on=date(2026, 12, 31))
    assert (inside.free_service, inside.funded_by, inside.free_period) == (
        True,
        "区住建委",
        {"from": "2026-01-01", "to": "2026-12-31"},
    )
    after = pricing.quote(None, "electrical", "灯", compound, on=date(2027, 1, 1))
    assert (after.free_service, after.funded_by, after.free_period) == (False, None, None)
    assert not pricing.quote(
        None, "electrical", "灯", compound.model_copy(update={"free_period": None}), on=date(2026, 6, 1)
    ).free_service
