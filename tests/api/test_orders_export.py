"""GET /supervision/orders/export: the supervisors' CSV of orders (through the sandbox's HTTP gateway, as a
spreadsheet would download it)."""

from __future__ import annotations

import csv
import io

from supervision.domain.order_export import COLUMNS


def _export(world, query: str = "", user_id: str | None = None, role: str = "supervisor"):
    from local import tokens

    token = tokens.issue(user_id or world.supervisor_id, role)
    return world.api.sandbox.gateway.handle(
        "GET", f"/supervision/orders/export{query}", {"authorization": f"Bearer {token}"}, b""
    )


def _rows(answer) -> list[dict]:
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM, so that Excel reads the Chinese text as UTF-8"
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    assert tuple(reader.fieldnames) == COLUMNS
    return list(reader)


def test_a_compounds_orders_export_as_csv_with_no_cell_a_spreadsheet_would_run(world):
    # Given two orders in the compound, one whose description a spreadsheet would run as a formula
    first = world.order(description='=HYPERLINK("http://evil.example","点我")')
    second = world.order(category="plumbing", description="+86 水管漏水")

    # When a supervisor exports the compound's orders
    answer = _export(world, f"?compound_id={world.compound_id}")

    # Then both are there, oldest first, every cell text that cannot run
    assert answer.status == 200, answer.body
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment;")
    rows = _rows(answer)
    assert [r["order_id"] for r in rows] == [first["order_id"], second["order_id"]]
    assert rows[0]["description"] == "'" + '=HYPERLINK("http://evil.example","点我")'
    assert rows[1]["description"] == "'+86 水管漏水"
    assert rows[0]["compound_id"] == world.compound_id and rows[0]["category"] == "electrical"
    assert rows[0]["created_at"].endswith("Z") and "T" in rows[0]["created_at"]  # ISO 8601, UTC
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_the_export_filters_by_status_and_period_and_reads_the_district_without_a_compound(world):
    from orders.store import orders
    from shared import clock

    # A closed order of today (written as the record it ends as: a live order's status moves on while we look)
    model = orders.get(world.order()["order_id"])
    closed = model.model_copy(update={"order_id": f"ord_export{world.n}", "status": "closed", "created_at": clock.now_iso()})
    orders.import_history([closed])
    same = _rows(_export(world, f"?compound_id={world.compound_id}&status=closed"))
    assert closed.order_id in {r["order_id"] for r in same} and {r["status"] for r in same} == {"closed"}
    assert model.order_id not in {r["order_id"] for r in same}
    assert closed.order_id not in {r["order_id"] for r in _rows(_export(world, "?status=cancelled"))}
    # The whole district, today (Beijing): the order is in it; a period long ago has nothing
    today = clock.beijing_today().isoformat()
    district = _rows(_export(world, f"?status=closed&from={today}&to={today}"))
    assert closed.order_id in {r["order_id"] for r in district}
    assert _rows(_export(world, "?from=2001-01-01&to=2001-01-02")) == []


def test_bad_filters_are_refused_and_only_supervisors_may_export(world):
    assert _export(world, "?from=2030-01-02&to=2030-01-01").status == 400
    assert _export(world, "?status=lost").status in (400, 422)
    assert _export(world, "?compound_id=cp_nowhere").status == 404
    for user_id, role in ((world.resident_id, "resident"), (world.dispatcher_id, "dispatcher")):
        assert _export(world, "", user_id=user_id, role=role).status == 403
