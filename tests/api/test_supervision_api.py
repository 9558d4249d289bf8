"""Issue 5 over the HTTP API: admission with documents on S3, certificate expiry, public-area reports with
"me too", statistics on a known data set, the credit export and the stuck-order list."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import requests

from tests.conftest import wait_for

LICENCE = "91110112MA01ABCD3X"


def _dispatcher_of_new_company(world, n: str) -> tuple[str, str]:

    from identity.domain.records import User
    from identity.store import accounts

    company_id, user_id = f"co_new{world.n}{n}", f"disp_new{world.n}{n}"
    accounts.put_user(User(user_id=user_id, role="dispatcher", name="新公司调度", company_id=company_id))
    return company_id, user_id


def _upload(api, user_id: str, kind: str = "business_licence") -> str:
    created = api.call(
        user_id,
        "dispatcher",
        "POST",
        "/documents",
        {"kind": kind, "filename": "licence.pdf", "content_type": "application/pdf", "size": len(b"%PDF-1.4 licence")},
    )
    assert created.status == 201, created.body
    # The app PUTs the file to the pre-signed URL (moto's S3 answers it in the sandbox).
    put = requests.put(created.body["upload_url"], data=b"%PDF-1.4 licence", headers=created.body["headers"], timeout=10)
    assert put.status_code == 200, put.text
    return created.body["document_id"]


def test_a_company_applies_with_uploaded_documents_and_a_supervisor_admits_it(world, api):
    company_id, dispatcher = _dispatcher_of_new_company(world, "a")
    # Given an application naming a document that was never uploaded
    early = api.call(
        dispatcher,
        "dispatcher",
        "POST",
        "/documents",
        {"kind": "qualification", "filename": "q.pdf", "content_type": "application/pdf", "size": 100},
    )
    missing = api.call(
        dispatcher,
        "dispatcher",
        "PUT",
        "/companies/me/application",
        {"name": "新物业公司", "licence_number": LICENCE, "documents": [early.body["document_id"]]},
    )
    # Then it is refused with a clear error
    assert missing.status == 400 and missing.body["error"]["code"] == "validation_error" and missing.body["error"]["message_en"]
    # When the company uploads its licence through the pre-signed URL and applies
    document_id = _upload(api, dispatcher)
    applied = api.call(
        dispatcher,
        "dispatcher",
        "PUT",
        "/companies/me/application",
        {"name": "新物业公司", "licence_number": LICENCE, "documents": [document_id]},
    )
    assert applied.status == 200 and applied.body["status"] == "pending"
    # Then it waits in the supervisors' vetting queue, who can read the document
    queue = world.as_supervisor("GET", "/vetting?kind=company").body["companies"]
    assert company_id in {c["company_id"] for c in queue}
    link = world.as_supervisor("GET", f"/companies/{company_id}/documents/{document_id}")
    assert link.status == 200 and requests.get(link.body["download_url"], timeout=10).content == b"%PDF-1.4 licence"
    # And another company cannot
    assert world.as_dispatcher("GET", f"/companies/{company_id}/documents/{document_id}").status == 403
    # A rejection needs a reason
    assert world.as_supervisor("POST", f"/vetting/companies/{company_id}/decision", {"decision": "reject"}).status == 400
    # When a supervisor admits it, the company's dispatcher is told
    admitted = world.as_supervisor("POST", f"/vetting/companies/{company_id}/decision", {"decision": "approve"})
    assert admitted.status == 200 and admitted.body["status"] == "admitted"
    assert company_id not in {c["company_id"] for c in world.as_supervisor("GET", "/vetting?kind=company").body["companies"]}
    wait_for(
        lambda: [
            m
            for m in api.call(dispatcher, "dispatcher", "GET", "/messages").body["messages"]
            if m["kind"] == "company.admission_decided"
        ],
        what="the admission message",
    )
    # And approving twice is a conflict
    assert world.as_supervisor("POST", f"/vetting/companies/{company_id}/decision", {"decision": "approve"}).status == 409


def test_a_company_registers_a_technician_who_is_matched_only_once_admitted(world, api):
    body = {
        "name": "新师傅",
        "phone": "13912345678",
        "id_number": "11011219800202123X",
        "skills": ["electrical"],
        "certificates": [],
    }
    # A skill without the certificate it needs is refused
    refused = world.as_dispatcher("POST", "/companies/me/technicians", body)
    assert refused.status == 400 and "electrician_low_voltage" in refused.body["error"]["message_en"]
    scan = _upload(api, world.dispatcher_id, "certificate")
    cert = {
        "kind": "electrician_low_voltage",
        "issuer": "北京市应急管理局",
        "number": "T110112",
        "expires_on": "2099-01-01",
        "document_id": scan,
    }
    registered = world.as_dispatcher("POST", "/companies/me/technicians", body | {"certificates": [cert]})
    assert registered.status == 201, registered.body
    tech = registered.body
    assert tech["status"] == "pending" and tech["id_number_masked"] == "110112********123X"
    assert tech["certificates"][0]["issuer"] == "北京市应急管理局"
    assert tech["user_id"] in {t["user_id"] for t in world.as_supervisor("GET", "/vetting?kind=technician").body["technicians"]}
    approved = world.as_supervisor("POST", f"/vetting/technicians/{tech['user_id']}/decision", {"decision": "approve"})
    assert approved.status == 200 and approved.body["status"] == "active"


def test_the_company_sees_its_admission_status_reason_and_staff(world, api):
    company_id, dispatcher = _dispatcher_of_new_company(world, "s")

    def mine(path: str):
        answer = api.call(dispatcher, "dispatcher", "GET", path)
        assert answer.status == 200, answer.body
        return answer.body

    # Before applying: no record yet, no staff
    record = mine("/companies/me")
    assert (record["company_id"], record["status"], record["documents"]) == (company_id, "not_applied", [])
    assert mine("/companies/me/technicians") == {"company_id": company_id, "technicians": [], "next_cursor": None}
    # Applied: pending, with its documents named
    document_id = _upload(api, dispatcher)
    application = {"name": "新物业公司", "licence_number": LICENCE, "documents": [document_id]}
    assert api.call(dispatcher, "dispatcher", "PUT", "/companies/me/application", application).status == 200
    record = mine("/companies/me")
    assert record["status"] == "pending" and record["licence_number"] == LICENCE and record["applied_at"]
    assert record["documents"] == [{"document_id": document_id, "kind": "business_licence", "filename": "licence.pdf"}]
    # Rejected: the supervisor's reason reaches the company
    reason = "营业执照照片不清晰"
    world.as_supervisor("POST", f"/vetting/companies/{company_id}/decision", {"decision": "reject", "reason": reason})
    record = mine("/companies/me")
    assert (record["status"], record["status_reason"]) == ("rejected", reason)
    # A registered technician is listed with the vetting status, then active once approved
    scan = _upload(api, dispatcher, "certificate")
    cert = {
        "kind": "electrician_low_voltage",
        "issuer": "北京市应急管理局",
        "number": "T1101",
        "expires_on": "2099-01-01",
        "document_id": scan,
    }
    body = {"name": "钱新", "phone": "13912345670", "id_number": "110112198001011234", "skills": ["electrical"]}
    tech = api.call(dispatcher, "dispatcher", "POST", "/companies/me/technicians", body | {"certificates": [cert]}).body
    [listed] = mine("/companies/me/technicians")["technicians"]
    assert (listed["user_id"], listed["status"], listed["id_number_masked"]) == (tech["user_id"], "pending", "110112********1234")
    assert listed["certificates"][0] == cert
    world.as_supervisor("POST", f"/vetting/technicians/{tech['user_id']}/decision", {"decision": "approve"})
    assert [t["status"] for t in mine("/companies/me/technicians")["technicians"]] == ["active"]
    # Another company's back office sees only its own staff
    theirs = world.as_dispatcher("GET", "/companies/me/technicians").body["technicians"]
    assert tech["user_id"] not in {t["user_id"] for t in theirs}
    assert world.as_dispatcher("GET", "/companies/me").body["company_id"] == world.company_id


def test_a_neighbour_reporting_the_same_public_problem_adds_a_me_too(world, api):

    from addresses.domain.records import Address
    from addresses.store import address_book
    from identity.domain.records import User
    from identity.store import accounts

    # Given a neighbour in the same compound, and a resident of another compound
    neighbour = f"res_w{world.n}_b"
    accounts.put_user(User(user_id=neighbour, role="resident", name="邻居"))
    address_book.put_address(
        neighbour,
        Address(address_id=f"addr_w{world.n}_b", compound_id=world.compound_id, label="2号楼", lat=world.lat, lng=world.lng),
    )
    # When the resident reports a blocked drain, and the neighbour reports the same at the same place
    first = world.order("public_area", "plumbing", place="3号楼 楼道")
    again = api.call(
        neighbour,
        "resident",
        "POST",
        "/orders",
        {
            "type": "public_area",
            "category": "plumbing",
            "description": "下水道堵了",
            "address_id": f"addr_w{world.n}_b",
            "place": "3号楼楼道",
        },
    )
    # Then no new order is made: the report has one "me too", and the neighbour sees no private details
    assert again.status == 200 and again.body["order_id"] == first["order_id"] and again.body["me_too_count"] == 1
    assert again.body["order_code"] is None and again.body["timeline"] == []
    # And the compound's residents see the open report; another compound's residents may not
    reports = api.call(neighbour, "resident", "GET", f"/compounds/{world.compound_id}/reports").body["reports"]
    assert [(r["order_id"], r["me_too_count"]) for r in reports] == [(first["order_id"], 1)]
    assert api.call("res_wang", "resident", "GET", f"/compounds/{world.compound_id}/reports").status == 403
    # A second "me too" by the same neighbour is not counted twice
    assert api.call(neighbour, "resident", "POST", f"/orders/{first['order_id']}/me-too").body == {
        "order_id": first["order_id"],
        "me_too_count": 1,
        "added": False,
    }


def _past_order(world, order_id: str, status: str, created: str, **changes):
    """An order written straight into the table (history: no workflow, no event)."""
    from orders.domain.records import Order

    return Order(
        order_id=order_id,
        order_type=changes.pop("order_type", "emergency"),
        category="electrical",
        description="历史订单",
        status=status,
        resident_id=world.resident_id,
        compound_id=world.compound_id,
        address_label="x",
        lat=world.lat,
        lng=world.lng,
        quote={"low": 0, "high": 0, "cap": 0, "free_service": True, "note_zh": "", "note_en": ""},
        order_code="000000",
        created_at=created,
        updated_at=created,
        **changes,
    )


def _seed_orders(world) -> None:
    """A known data set: 4 orders of the world's compound written directly (history, no workflow)."""
    from orders.domain.records import Order, TimelineEntry
    from orders.store import orders

    def order(n: int, status: str, order_type: str, accepted: int | None, arrived: int | None, stars: int | None) -> Order:
        created = f"2030-05-0{n}T02:00:00.000Z"
        timeline = [TimelineEntry(status="submitted", at=created, actor=world.resident_id)]
        if accepted is not None:
            timeline.append(TimelineEntry(status="assigned", at=f"2030-05-0{n}T02:{accepted:02d}:00.000Z", actor="t"))
        if arrived is not None:
            timeline.append(TimelineEntry(status="on_site", at=f"2030-05-0{n}T02:{arrived:02d}:00.000Z", actor="t"))
        return _past_order(
            world,
            f"ord_w{world.n}_{n}",
            status,
            created,
            order_type=order_type,
            company_id=world.company_id,
            rating_stars=stars,
            timeline=timeline,
        )

    for o in (
        order(1, "closed", "emergency", 5, 25, 5),
        order(2, "closed", "emergency", 10, 40, 3),
        order(3, "closed", "booking", 30, 55, 4),
        order(4, "cancelled", "emergency", None, None, None),
    ):
        orders.create(o, execution_arn="history")


def test_statistics_by_compound_and_period_on_a_known_data_set(world):
    _seed_orders(world)
    world.add_technician()
    result = world.as_supervisor("GET", f"/stats?compound_id={world.compound_id}&from=2030-05-01&to=2030-05-31")
    assert result.status == 200, result.body
    stats = result.body
    assert stats["residents"] == 1 and stats["service_staff"] == 1
    o = stats["orders"]
    assert o["orders"] == 4
    assert o["by_type"] == {"booking": 1, "emergency": 3} and o["by_status"] == {"cancelled": 1, "closed": 3}
    assert o["time_to_acceptance"] == {"count": 3, "median_minutes": 10.0, "p90_minutes": 30.0}
    assert o["time_to_arrival"] == {"count": 3, "median_minutes": 40.0, "p90_minutes": 55.0}
    assert o["completion_rate"] == 0.75 and o["average_rating"] == 4.0
    # What the console's charts draw: orders per Beijing day by type, acceptance times, satisfaction by company
    assert [d["day"] for d in o["by_day"]] == ["2030-05-01", "2030-05-02", "2030-05-03", "2030-05-04"]
    assert o["by_day"][2]["by_type"] == {"booking": 1}
    assert {b["up_to_minutes"]: b["count"] for b in o["acceptance_histogram"] if b["count"]} == {5: 1, 10: 1, 30: 1}
    assert o["by_company"] == [
        {"company_id": world.company_id, "orders": 4, "ratings": 3, "average_rating": 4.0, "median_acceptance_minutes": 10.0}
    ]
    # The period narrows it; a period with no orders is empty, not an error
    assert (
        world.as_supervisor("GET", f"/stats?compound_id={world.compound_id}&from=2030-05-02&to=2030-05-02").body["orders"][
            "orders"
        ]
        == 1
    )
    assert world.as_supervisor("GET", f"/stats?company_id={world.company_id}&from=2031-01-01").body["orders"]["orders"] == 0
    # Bad input is a clear 4xx; residents may not read statistics
    assert world.as_supervisor("GET", "/stats?from=2030-05-31&to=2030-05-01").status == 400
    assert world.as_resident("GET", "/stats").status == 403


def test_the_sandbox_demo_data_has_the_pilots_size(sandbox):
    from local import demo_data, demo_history
    from orders.store import catalogue

    residents, technicians, history = demo_history.build(catalogue.current())
    assert len(residents) + len(demo_data.RESIDENTS) == 168
    assert len(technicians) + len(demo_data.TECHNICIANS) == 82
    assert len(history) == 329 and len({o.order_id for o in history}) == 329
    assert {o.compound_id for o in history} == {c.compound_id for c in demo_data.COMPOUNDS}


def test_the_credit_record_exports_as_json_and_csv(world):
    from supervision.store import credit
    from supervision.store.credit import CreditEvent

    credit.put_events(
        [
            CreditEvent(
                event_id="x:rating",
                company_id=world.company_id,
                order_id=f"x{world.n}",
                kind="rating",
                value=4,
                at="2030-01-01T00:00:00.000Z",
            )
        ]
    )
    # The record shows how the score grew, one point per day with events
    record = world.as_supervisor("GET", f"/credit/companies/{world.company_id}").body
    assert record["history"] == [{"day": "2030-01-01", "score": record["breakdown"]["score"], "events": 1}]
    as_json = world.as_supervisor("GET", "/credit/export?format=json")
    assert as_json.status == 200
    mine = next(c for c in as_json.body["companies"] if c["company_id"] == world.company_id)
    assert mine["events"][0]["kind"] == "rating"
    as_csv = world.api.sandbox.gateway.handle(
        "GET", "/credit/export?format=csv", {"authorization": f"Bearer {_token(world.supervisor_id)}"}, b""
    )
    assert as_csv.status == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.body.decode("utf-8-sig"))))
    assert any(r["company_id"] == world.company_id and r["kind"] == "rating" and r["value"] == "4.0" for r in rows)
    assert world.as_supervisor("GET", "/credit/export?format=xml").status == 422
    assert world.as_dispatcher("GET", "/credit/export").status == 403


def _token(user_id: str) -> str:
    from local import tokens

    return tokens.issue(user_id, "supervisor")


def test_supervisors_see_orders_stuck_past_their_deadline(world):
    from orders.store import orders

    stuck = _past_order(world, f"ord_w{world.n}_stuck", "assigned", "2020-01-01T00:00:00.000Z")
    orders.create(stuck, execution_arn="history")
    listed = world.as_supervisor("GET", "/supervision/stuck").body["orders"]
    mine = next(o for o in listed if o["order_id"] == stuck.order_id)
    assert mine["status"] == "assigned" and mine["limit_minutes"] == 120 and mine["minutes_open"] > 120
    assert world.as_dispatcher("GET", "/supervision/stuck").status == 403


def test_the_order_shows_the_technicians_credentials_for_today(world):
    from identity.domain.records import Certificate
    from orders.store import orders
    from shared import clock
    from supervision.store import company_records

    today, yesterday = clock.beijing_today(), clock.beijing_today() - timedelta(days=1)
    # Given an electrician whose certificate's last valid day is today, and one whose ended yesterday
    valid = world.add_technician(certificates=[Certificate(kind="electrician_low_voltage", expires_on=today.isoformat())])
    lapsed = world.add_technician(certificates=[Certificate(kind="electrician_low_voltage", expires_on=yesterday.isoformat())])
    now = clock.now_iso()
    for n, tech, category in ((1, valid, "electrical"), (2, lapsed, "electrical"), (3, lapsed, "plumbing")):
        order = _past_order(world, f"ord_w{world.n}_cred{n}", "assigned", now, technician_id=tech, company_id=world.company_id)
        orders.create(order.model_copy(update={"category": category}), execution_arn="history")

    def credentials(n: int) -> dict:
        result = world.as_resident("GET", f"/orders/ord_w{world.n}_cred{n}")
        assert result.status == 200, result.body
        return result.body["technician"]["credentials"]

    # Then the resident sees each as of today: vetted, company admitted, the certificate the work needs
    ok = credentials(1)
    assert ok["checked_on"] == today.isoformat() and ok["ok"] is True
    assert ok["technician_active"] and ok["company_admitted"]
    assert ok["certificate"] == {
        "kind": "electrician_low_voltage",
        "name": "低压电工作业证",
        "name_en": "Low-voltage electrician's operating certificate",
        "expires_on": today.isoformat(),
        "valid_today": True,
    }
    assert credentials(2)["certificate"]["valid_today"] is False and credentials(2)["ok"] is False
    # A plumbing job needs no certificate: the same technician is fine for it
    assert credentials(3)["certificate"] is None and credentials(3)["ok"] is True
    # And a suspended company shows as such
    company = company_records.get_company(world.company_id)
    company_records.put_company(company.model_copy(update={"status": "suspended"}))
    assert credentials(1)["company_admitted"] is False and credentials(1)["ok"] is False
