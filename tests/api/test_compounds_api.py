"""Onboarding through the HTTP API (the sandbox's gateway, moto's table): a supervisor imports compounds and
households from a CSV, sets each compound's contracted company and free-service period, and quotes say which
applies."""

from __future__ import annotations

import itertools
import json
import time
from datetime import timedelta

import pytest

from tests.conftest import Api, ApiResult

SUP = ("sup_tongzhou", "supervisor")
HEADER = "小区名称,区,街道,楼号,单元,房间号,纬度,经度"
_numbers = itertools.count(int(time.time() * 1000) % 10_000_000)


def _name() -> str:
    return f"导入测试小区{next(_numbers)}"


def upload(
    api: Api, text: str | bytes, query: str = "", user: tuple[str, str] = SUP, content_type: str = "text/csv"
) -> ApiResult:
    from local import tokens

    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    headers = {"content-type": content_type, "authorization": f"Bearer {tokens.issue(*user)}"}
    response = api.sandbox.gateway.handle("POST", f"/compounds/import{query}", headers, raw)
    return ApiResult(response.status, json.loads(response.body) if response.body else None, response.headers)


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def _rows(name: str, district: str = "通州区", lat: str = "39.9052", lng: str = "116.6571") -> list[str]:
    return [f"{name},{district},中仓街道,{b},{u},{r},{lat},{lng}" for b in ("1", "2") for u in ("1", "2") for r in ("101", "102")]


def _compound_of(api: Api, report: dict, name: str) -> dict:
    return next(c for c in report["compounds"] if c["name"] == name)


def test_a_bom_file_is_imported_after_a_dry_run_that_stores_nothing(api):
    name = _name()
    text = "\ufeff" + _csv(*_rows(name))
    dry = upload(api, text, "?dry_run=true")
    assert dry.status == 200, dry.body
    assert (dry.body["dry_run"], dry.body["valid"], dry.body["written"]) == (True, True, False)
    assert (dry.body["rows_total"], dry.body["rows_accepted"], dry.body["rows_refused"]) == (8, 8, 0)
    assert [r["row"] for r in dry.body["rows"]] == list(range(2, 10)) and all(r["status"] == "accepted" for r in dry.body["rows"])
    cid = _compound_of(api, dry.body, name)["compound_id"]
    assert api.call(*SUP, "GET", f"/compounds/{cid}").status == 404, "a dry run stores nothing"

    done = upload(api, text)
    assert done.status == 200, done.body
    assert done.body["written"] is True and _compound_of(api, done.body, name)["status"] == "created"
    detail = api.call(*SUP, "GET", f"/compounds/{cid}")
    assert detail.status == 200, detail.body
    body = detail.body
    assert (body["name"], body["district"], body["street"]) == (name, "通州区", "中仓街道")
    assert body["position"] == {"lat": 39.9052, "lng": 116.6571, "datum": "GCJ-02"}
    assert body["counts"] == {"buildings": 2, "units": 4, "households": 8} and body["households"] == 8
    assert body["buildings"][0]["units"][0] == {"unit": "1", "households": 2, "rooms": ["101", "102"]}
    assert body["contract"] is None and body["free_service"] is None, "a new compound is charged normally"
    listed = api.call(*SUP, "GET", "/compounds").body["compounds"]
    assert any(c["compound_id"] == cid and c["households"] == 8 for c in listed)


def test_importing_the_same_file_again_changes_nothing(api):
    name = _name()
    text = _csv(*_rows(name))
    first = upload(api, text)
    assert first.status == 200, first.body
    cid = _compound_of(api, first.body, name)["compound_id"]
    assert api.call(*SUP, "PUT", f"/compounds/{cid}/contract", {"company_id": "co_tongyuan", "from": "2026-01-01"}).status == 200
    before = api.call(*SUP, "GET", f"/compounds/{cid}").body
    again = upload(api, text)
    assert again.status == 200, again.body
    assert again.body["written"] is False
    assert _compound_of(api, again.body, name) | {"compound_id": cid} == {
        "compound_id": cid,
        "name": name,
        "district": "通州区",
        "status": "unchanged",
        "households_new": 0,
        "households_in_file": 8,
    }
    assert api.call(*SUP, "GET", f"/compounds/{cid}").body == before, "the terms set meanwhile stay too"


def test_bad_rows_are_reported_with_row_column_and_reason_and_nothing_is_stored(api):
    good, bad = _name(), _name()
    rows = [
        *_rows(good),
        f"{bad},通州区,中仓街道,1,1,101,39.9,116.6",
        f"{bad},通州区,中仓街道,1,1,,39.9,116.6",  # row 11: no room
        f"{bad},通州区,中仓街道,1,1,102,北纬39度,116.6",  # row 12: not a number
        f"{bad},通州区,中仓街道,1,1,101,39.9,116.6",  # row 13: the household of row 10 again
        f"{bad},通州区,中仓街道,1,1,103,116.6,39.9",  # row 14: lat and lng swapped
    ]
    answer = upload(api, _csv(*rows))
    assert answer.status == 422, answer.body
    error = answer.body["error"]
    assert error["code"] == "import_rows_refused" and error["message"] and error["message_en"]
    report = error["report"]
    assert (report["rows_total"], report["rows_accepted"], report["rows_refused"], report["written"]) == (13, 9, 4, False)
    refused = {(r["row"], r["column"]) for r in report["refused"]}
    assert refused == {(11, "room"), (12, "lat"), (13, "room"), (14, "lat"), (14, "lng")}
    assert all(r["reason"] and r["reason_en"] for r in report["refused"])
    assert "第 10 行" in next(r["reason"] for r in report["refused"] if r["row"] == 13)
    for name in (good, bad):
        cid = _compound_of(api, report, name)["compound_id"]
        assert api.call(*SUP, "GET", f"/compounds/{cid}").status == 404, "nothing of the file is stored"
    dry = upload(api, _csv(*rows), "?dry_run=true")
    assert dry.status == 200 and dry.body["valid"] is False and dry.body["rows_refused"] == 4


@pytest.mark.parametrize(
    ("text", "query", "content_type", "status", "code"),
    [
        ("名称,楼号\r\n甲,1\r\n", "", "text/csv", 400, "invalid_csv_header"),
        (HEADER + "\r\n", "", "text/csv", 400, "empty_csv"),
        ("小区名称,区\r\n".encode("gbk"), "", "text/csv", 400, "invalid_csv_encoding"),
        (_csv("甲,通州区,街,1,1,101,39.9,116.6"), "?datum=BD-09", "text/csv", 400, "validation_error"),
        (json.dumps({"rows": []}), "", "application/json", 415, "unsupported_media_type"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(api, text, query, content_type, status, code):
    answer = upload(api, text, query, content_type=content_type)
    assert answer.status == status, answer.body
    assert answer.body["error"]["code"] == code and answer.body["error"]["message"]


def test_only_a_supervisor_imports_and_reads_compounds(api):
    text = _csv(*_rows(_name()))
    assert upload(api, text, user=("disp_tongyuan", "dispatcher")).status == 403
    assert upload(api, text, user=("res_wang", "resident")).status == 403
    assert api.call("tech_zhao", "technician", "GET", "/compounds").status == 403


def test_a_resident_and_the_desk_read_the_buildings_units_and_rooms_but_none_of_the_terms(api):
    name = _name()
    done = upload(api, _csv(*_rows(name)))
    assert done.status == 200, done.body
    cid = _compound_of(api, done.body, name)["compound_id"]
    free = {"from": "2026-01-01", "to": "2099-12-31", "funded_by": "区财政"}
    assert api.call(*SUP, "PUT", f"/compounds/{cid}/free-service", free).status == 200
    assert api.call(*SUP, "PUT", f"/compounds/{cid}/contract", {"company_id": "co_tongyuan", "from": "2026-01-01"}).status == 200
    full = api.call(*SUP, "GET", f"/compounds/{cid}").body
    assert full["free_service"] == free and full["versions"], "a supervisor keeps the whole answer"
    for user in (("res_wang", "resident"), ("disp_tongyuan", "dispatcher")):
        answer = api.call(*user, "GET", f"/compounds/{cid}")
        assert answer.status == 200, answer.body
        assert set(answer.body) == {"compound_id", "name", "name_en", "buildings"}, user
        assert answer.body["buildings"] == full["buildings"]
        assert [b["building"] for b in answer.body["buildings"]] == ["1", "2"]
        assert answer.body["buildings"][1]["units"][1] == {"unit": "2", "households": 2, "rooms": ["101", "102"]}
    assert api.call("tech_zhao", "technician", "GET", f"/compounds/{cid}").status == 403


def test_a_wgs84_file_is_stored_in_gcj02(api):
    """The known pair of eviltransform's tests (Beijing): WGS-84 39.911954, 116.377817 is GCJ-02
    39.91334545536069, 116.38404722455657."""
    by_parameter, by_column = _name(), _name()
    wgs = upload(api, _csv(f"{by_parameter},东城区,东华门街道,1,1,101,39.911954,116.377817"), "?datum=WGS-84")
    assert wgs.status == 200, wgs.body
    column = upload(
        api,
        _csv(f"{by_column},东城区,东华门街道,1,1,101,39.911954,116.377817,wgs84", header=HEADER + ",坐标系"),
    )
    assert column.status == 200, column.body
    for report, name in ((wgs.body, by_parameter), (column.body, by_column)):
        cid = _compound_of(api, report, name)["compound_id"]
        position = api.call(*SUP, "GET", f"/compounds/{cid}").body["position"]
        assert position == {"lat": 39.913345, "lng": 116.384047, "datum": "GCJ-02"}


def _imported(api: Api) -> str:
    name = _name()
    answer = upload(api, _csv(*_rows(name)))
    assert answer.status == 200, answer.body
    return _compound_of(api, answer.body, name)["compound_id"]


def test_contract_and_free_period_changes_are_versions_in_the_audit_trail(api):
    from supervision.domain import audit as chain
    from supervision.store import audit

    cid = _imported(api)
    path = f"/compounds/{cid}"
    assert api.call(*SUP, "PUT", f"{path}/contract", {"company_id": "co_nobody", "from": "2026-01-01"}).status == 422
    bad = api.call(*SUP, "PUT", f"{path}/contract", {"company_id": "co_tongyuan", "from": "2026-12-31", "to": "2026-01-01"})
    assert bad.status == 400 and bad.body["error"]["code"] == "invalid_period"
    assert (
        api.call(*SUP, "PUT", f"{path}/free-service", {"from": "2026-13-01", "to": "2027-01-01", "funded_by": "区"}).status == 400
    )
    assert api.call(*SUP, "PUT", f"{path}/free-service", {"from": "2026-01-01", "to": "2027-01-01"}).status == 422
    assert (
        api.call(*SUP, "PUT", "/compounds/cp_nowhere/contract", {"company_id": "co_tongyuan", "from": "2026-01-01"}).status == 404
    )
    assert (
        api.call(
            "disp_tongyuan", "dispatcher", "PUT", f"{path}/contract", {"company_id": "co_tongyuan", "from": "2026-01-01"}
        ).status
        == 403
    )
    assert api.call(*SUP, "GET", path).body["terms_version"] == 0, "refused changes store nothing"

    first = api.call(*SUP, "PUT", f"{path}/contract", {"company_id": "co_tongyuan", "from": "2026-01-01", "to": None})
    assert first.status == 200, first.body
    assert first.body["contract"] == {"company_id": "co_tongyuan", "from": "2026-01-01", "to": None}
    free = {"from": "2026-01-01", "to": "2026-12-31", "funded_by": "通州区住建委"}
    assert api.call(*SUP, "PUT", f"{path}/free-service", free).body["free_service"] == free
    second = api.call(*SUP, "PUT", f"{path}/contract", {"company_id": "co_jingan", "from": "2026-07-01", "to": "2027-06-30"})
    assert second.body["contract"]["company_id"] == "co_jingan" and second.body["terms_version"] == 3
    same = api.call(*SUP, "PUT", f"{path}/free-service", free)
    assert same.body["terms_version"] == 3, "the same terms again are no new version"

    detail = api.call(*SUP, "GET", path).body
    assert [(v["version"], v["kind"], v["changed_by"]) for v in detail["versions"]] == [
        (1, "contract", "sup_tongzhou"),
        (2, "free_service", "sup_tongzhou"),
        (3, "contract", "sup_tongzhou"),
    ]
    assert detail["versions"][1]["value"] == free
    entries, head = audit.entries(f"compound:{cid}")
    assert [(e.kind, e.actor, e.detail["version"]) for e in entries] == [
        ("compound.contract", "sup_tongzhou", 1),
        ("compound.free_service", "sup_tongzhou", 2),
        ("compound.contract", "sup_tongzhou", 3),
    ]
    assert entries[2].detail["before"]["company_id"] == "co_tongyuan" and entries[2].detail["after"]["company_id"] == "co_jingan"
    assert chain.verify(entries, head).valid


def test_a_quote_is_free_only_within_a_free_service_period(api):
    from addresses.domain.records import Address
    from addresses.store import address_book
    from identity.domain.records import User
    from identity.store import accounts
    from shared import clock

    cid = _imported(api)
    resident = f"res_onboard_{next(_numbers)}"
    accounts.put_user(User(user_id=resident, role="resident", name="导入测试居民"))
    address_book.put_address(
        resident, Address(address_id=f"addr_{resident}", compound_id=cid, label="1号楼1单元101", lat=39.9052, lng=116.6571)
    )
    ask = {"category": "electrical", "description": "灯不亮", "address_id": f"addr_{resident}"}

    charged = api.call(resident, "resident", "POST", "/quotes", ask)
    assert charged.status == 200, charged.body
    assert charged.body["free_service"] is False and charged.body["high"] > 0 and charged.body["funded_by"] is None

    today = clock.beijing_today()
    past = {
        "from": (today - timedelta(days=60)).isoformat(),
        "to": (today - timedelta(days=1)).isoformat(),
        "funded_by": "区住建委",
    }
    assert api.call(*SUP, "PUT", f"/compounds/{cid}/free-service", past).status == 200
    assert api.call(resident, "resident", "POST", "/quotes", ask).body["free_service"] is False, "a period that ended"

    now = {"from": today.isoformat(), "to": (today + timedelta(days=30)).isoformat(), "funded_by": "区住建委"}
    assert api.call(*SUP, "PUT", f"/compounds/{cid}/free-service", now).status == 200
    free = api.call(resident, "resident", "POST", "/quotes", ask).body
    assert (free["free_service"], free["high"], free["funded_by"]) == (True, 0, "区住建委")
    assert free["free_period"] == {"from": now["from"], "to": now["to"]}
    order = api.call(resident, "resident", "POST", "/orders", {**ask, "type": "emergency"})
    assert order.status == 201, order.body
    assert order.body["quote"]["free_service"] is True and order.body["quote"]["funded_by"] == "区住建委"


def test_the_pilot_compounds_are_seeded_through_the_import_with_company_and_free_period(api):
    from shared import clock

    listed = {c["name"]: c for c in api.call(*SUP, "GET", "/compounds").body["compounds"]}
    today = clock.beijing_today().isoformat()
    for name, company in (("葛布店北里", "co_tongyuan"), ("西营前街", "co_tongyuan"), ("中仓小区", "co_jingan")):
        compound = listed[name]
        assert compound["district"] == "通州区" and compound["households"] > 0
        assert compound["contract"]["company_id"] == company
        assert compound["free_service"]["from"] <= today <= compound["free_service"]["to"]
    demo = api.call(
        "res_wang",
        "resident",
        "POST",
        "/quotes",
        {"category": "electrical", "description": "灯不亮", "address_id": "addr_wang_home"},
    )
    assert demo.status == 200 and demo.body["free_service"] is True and demo.body["funded_by"]
