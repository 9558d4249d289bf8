"""Regression tests of the security review's input findings, through the sandbox's gateway (the events API Gateway
sends): each failed on the code before its fix."""

from __future__ import annotations

import itertools
import json
import time

import pytest

from orders.store import proxy_links


def _raw(api, user_id: str, role: str, method: str, path: str, raw: bytes):
    from local import tokens

    headers = {"content-type": "application/json", "authorization": f"Bearer {tokens.issue(user_id, role)}"}
    response = api.sandbox.gateway.handle(method, path, headers, raw)
    return response.status, json.loads(response.body) if response.body else None


# --- M-4: parser crashes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 2000 + b"]" * 2000,  # nested 2,000 deep
        b'{"type": "emergency", "description": ' + b'{"a": ' * 100 + b"1" + b"}" * 101,
        b'{"type": "emergency", "description": "x", "n": ' + b"9" * 5000 + b"}",  # an integer of 5,000 digits
        b'{"type": NaN}',
        b'{"description": "' + b"x" * (70 * 1024) + b'"}',  # larger than the cap
        b"{not json",
    ],
    ids=["deep-array", "deep-object", "huge-integer", "nan", "too-large", "malformed"],
)
@pytest.mark.parametrize(
    "user_id,role,method,path",
    [("res_wang", "resident", "POST", "/orders"), ("tech_zhao", "technician", "PUT", "/technicians/me/availability")],
    ids=["orders", "availability"],
)
def test_every_unparseable_body_is_a_400_invalid_body(api, raw, user_id, role, method, path):
    status, body = _raw(api, user_id, role, method, path, raw)
    assert status == 400, body
    assert body["error"]["code"] == "invalid_body" and body["error"]["message"]


# --- L-7: ids in paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["x" * 101, "ord_%00", "ord%20x", "%E7%8E%8B", "ord_a;b", "-ord"], ids=repr)
def test_an_id_in_a_path_has_one_shape(api, bad):
    for user_id, role, method, path in [
        ("res_wang", "resident", "GET", f"/orders/{bad}"),
        ("tech_zhao", "technician", "POST", f"/offers/{bad}/decline"),
        ("sup_tongzhou", "supervisor", "GET", f"/credit/companies/{bad}"),
    ]:
        status, body = _raw(api, user_id, role, method, path, b"")
        assert status == 400 and body["error"]["code"] == "invalid_id", (path, status, body)


def test_the_api_document_gives_every_path_id_its_pattern():
    from deploy.openapi import openapi_document
    from shared.inputs import ID_PATTERN

    for path, operations in openapi_document()["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"].get("pattern") in (ID_PATTERN, r"^[a-z0-9_]{1,64}$"), path


# --- L-8: text people type ----------------------------------------------------------------------------------


def _order_body(world, **changes):
    return {"type": "emergency", "category": "plumbing", "description": "水管漏水", "address_id": world.address_id, **changes}


@pytest.mark.parametrize("description", ["   ", "\n\t  ", "漏水\x00", "漏水\u202egnp.exe", "\u2066漏水\u2069"], ids=repr)
def test_blank_text_and_control_or_direction_characters_are_refused(world, description):
    from orders.store import orders

    refused = world.as_resident("POST", "/orders", _order_body(world, description=description))
    assert refused.status == 422 and refused.body["error"]["code"] == "validation_error", refused.body
    assert orders.for_resident(world.resident_id) == []


def test_text_is_stored_stripped(world):
    placed = world.as_resident("POST", "/orders", _order_body(world, description="  厨房水管漏水  \n"))
    assert placed.status == 201 and placed.body["description"] == "厨房水管漏水"
    world.as_resident("POST", f"/orders/{placed.body['order_id']}/cancel")


# --- L-6: bounded lists, no extra fields ----------------------------------------------------------------------


def test_notification_channels_are_a_short_list_of_distinct_channels(world):
    flood = world.as_resident("PUT", "/me/notifications", {"channels": ["sms"] * 110_000, "language": "zh"})
    assert flood.status in (400, 422), flood.status
    extra = world.as_resident("PUT", "/me/notifications", {"channels": ["sms"], "language": "zh", "surprise": 1})
    assert extra.status == 422
    twice = world.as_resident("PUT", "/me/notifications", {"channels": ["sms", "push", "sms"], "language": "zh"})
    assert twice.status == 200 and twice.body["channels"] == ["sms", "push"]
    assert world.as_resident("GET", "/me/notifications").body["channels"] == ["sms", "push"]


_people = itertools.count(int(time.time()) % 10_000_000)


def _technician_body(**changes):
    cert = {"kind": "electrician_low_voltage", "issuer": "北京市应急管理局", "number": "T110112", "expires_on": "2030-02-28"}
    return {
        "name": "新师傅",
        "phone": "13912345678",
        "id_number": f"1101121980{next(_people) % 10_000_000:07d}X",  # a new person each time: one person, one technician
        "skills": ["electrical"],
        "certificates": [cert],
        **changes,
    }


def test_skills_and_certificates_are_bounded(world):
    cert = _technician_body()["certificates"][0]
    many = world.as_dispatcher("POST", "/companies/me/technicians", _technician_body(certificates=[cert] * 11))
    assert many.status == 422, many.body
    skills = world.as_dispatcher("POST", "/companies/me/technicians", _technician_body(skills=["electrical"] * 500))
    assert skills.status == 422, skills.body


# --- M-6: impossible dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("expires_on", ["2030-02-30", "2030-13-01", "0001-01-01", "9999-12-31"])
def test_a_certificate_needs_a_real_date(world, expires_on):
    cert = {**_technician_body()["certificates"][0], "expires_on": expires_on}
    refused = world.as_dispatcher("POST", "/companies/me/technicians", _technician_body(certificates=[cert]))
    assert refused.status == 400 and refused.body["error"]["code"] == "validation_error", refused.body


def test_a_certificate_with_a_real_date_is_stored_as_given(world, api):
    from tests.conftest import upload_certificate_scan

    cert = {**_technician_body()["certificates"][0], "document_id": upload_certificate_scan(api, world.dispatcher_id)}
    registered = world.as_dispatcher("POST", "/companies/me/technicians", _technician_body(certificates=[cert]))
    assert registered.status == 201, registered.body
    assert registered.body["certificates"][0]["expires_on"] == "2030-02-28"


def _impossible_certificate():
    from identity.domain.records import Certificate

    # As stored before dates were checked
    return [Certificate(kind="electrician_low_voltage", expires_on="2030-02-30")]


def test_a_technician_record_with_an_impossible_date_does_not_break_matching_for_others(world):
    from matching.store import offers
    from tests.conftest import wait_for

    world.add_technician(metres_east=50, certificates=_impossible_certificate())
    good = world.add_technician(metres_east=600)
    order_id = world.order()["order_id"]
    # The nearer technician is skipped; the order goes to the next one instead of escalating
    offered = wait_for(lambda: [o.technician_id for o in offers.for_order(order_id)], what="an offer")
    assert offered == [good]
    world.as_resident("POST", f"/orders/{order_id}/cancel")


def test_the_order_views_of_a_technician_with_an_impossible_date_still_answer(world):
    from orders.store import orders
    from tests.conftest import wait_for

    bad = world.add_technician(metres_east=50, certificates=_impossible_certificate())
    order_id = world.order()["order_id"]
    wait_for(lambda: orders.get(order_id).status == "escalated", what="the order to escalate (nobody eligible)")
    assert world.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": bad}).status == 200
    seen = world.as_technician(bad, "GET", f"/orders/{order_id}")
    assert seen.status == 200, seen.body
    assert seen.body["technician"]["credentials"]["certificate"]["valid_today"] is False
    assert world.as_technician(bad, "GET", "/orders").status == 200


# --- L-2: CSV export ------------------------------------------------------------------------------------------


def test_no_cell_of_the_credit_export_runs_as_a_formula(world):
    import csv
    import io

    from local import tokens
    from supervision.store import company_records, credit
    from supervision.store.credit import CreditEvent

    company = company_records.get_company(world.company_id)
    company_records.put_company(
        company.model_copy(update={"name": '=HYPERLINK("http://evil.example","点我")', "status": "admitted"})
    )
    credit.put_events(
        [
            CreditEvent(
                event_id=f"ord_w{world.n}_csv:rating",
                company_id=world.company_id,
                technician_id="@SUM(A1)",
                order_id=f"ord_w{world.n}_csv",
                kind="rating",
                value=-1.5,
                at="2030-01-01T00:00:00Z",
                note="+cmd|' /C calc'!A0",
            )
        ]
    )
    headers = {"authorization": f"Bearer {tokens.issue(world.supervisor_id, 'supervisor')}"}
    exported = world.api.sandbox.gateway.handle("GET", "/credit/export?format=csv", headers, b"")
    assert exported.status == 200
    [row] = [r for r in csv.DictReader(io.StringIO(exported.body.decode("utf-8-sig"))) if r["company_id"] == world.company_id]
    assert row["company_name"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert row["technician_id"] == "'@SUM(A1)" and row["note"] == "'+cmd|' /C calc'!A0"
    assert row["value"] == "-1.5"  # a number stays a number


# --- L-5: statistics' dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31", "from=1999-12-31"])
def test_statistics_dates_out_of_range_are_a_clear_400(world, query):
    answered = world.as_supervisor("GET", f"/stats?{query}")
    assert answered.status == 400 and answered.body["error"]["code"] == "validation_error", answered.body
    assert "2000-01-01" in answered.body["error"]["message_en"]


def test_statistics_within_the_range_answer(world):
    assert world.as_supervisor("GET", "/stats?from=2000-01-01&to=2099-12-31").status == 200


# --- The order audit seen by a dispatcher ---------------------------------------------------------------------


def test_a_dispatcher_does_not_see_which_technicians_of_other_companies_were_offered_the_order(world):
    import json as _json

    from identity.domain.records import User
    from identity.store import accounts
    from orders.store import orders
    from supervision.service import operations
    from tests.api.test_supervision_api import _past_order

    own = world.add_technician()
    other = f"tech_w{world.n}_elsewhere"
    accounts.put_user(User(user_id=other, role="technician", name="别家师傅", company_id=f"co_w{world.n}_other"))
    order_id = f"ord_w{world.n}_audited"
    at = "2030-01-01T00:00:00Z"
    order = _past_order(world, order_id, "assigned", at, company_id=world.company_id, technician_id=own)
    orders.create(order, execution_arn="history")
    for n, tech in enumerate((other, own), start=1):
        detail = {"offer_id": f"{order_id}-{n}-1", "offer_technician_id": tech}
        operations.append(order_id, source_id=f"test:{n}", kind="offer.created", actor="workflow", at=at, detail=detail)
    seen = world.as_dispatcher("GET", f"/orders/{order_id}/audit")
    assert seen.status == 200, seen.body
    assert other not in _json.dumps(seen.body) and own in _json.dumps(seen.body)
    assert seen.body["verification"]["valid"] is True
    assert other in _json.dumps(world.as_supervisor("GET", f"/orders/{order_id}/audit").body)


# --- L-1: "me too" names nobody -------------------------------------------------------------------------------


def test_a_neighbour_reporting_the_same_problem_learns_nobodys_identity(world):

    from addresses.domain.records import Address
    from addresses.store import address_book
    from identity.domain.records import User
    from identity.store import accounts
    from orders.domain.records import Proxy

    # Given a report placed by a proxy for the world's resident
    helper = f"res_w{world.n}_helper"
    accounts.put_user(User(user_id=helper, role="resident", name=f"代办人{world.n}"))
    proxy_links.put(Proxy(resident_id=world.resident_id, proxy_id=helper, relation="女儿"))
    report = {"type": "public_area", "category": "electrical", "description": "楼道灯坏了", "place": "3号楼楼道"}
    body = {**report, "address_id": world.address_id, "on_behalf_of": world.resident_id}
    first = world.api.call(helper, "resident", "POST", "/orders", body)
    assert first.status == 201, first.body
    # When a neighbour reports the same problem
    neighbour = f"res_w{world.n}_neighbour"
    accounts.put_user(User(user_id=neighbour, role="resident", name=f"邻居{world.n}"))
    address_book.put_address(
        neighbour,
        Address(address_id=f"addr_w{world.n}_nb", compound_id=world.compound_id, label="2号楼", lat=world.lat, lng=world.lng),
    )
    again = world.api.call(neighbour, "resident", "POST", "/orders", {**report, "address_id": f"addr_w{world.n}_nb"})
    # Then the answer is the report, naming nobody
    assert again.status == 200 and again.body["order_id"] == first.body["order_id"] and again.body["me_too_count"] == 1
    for field in ("resident_id", "placed_by", "placed_by_name", "order_code", "technician", "photo_ref", "resident_phone"):
        assert again.body.get(field) is None, field
    assert (
        world.resident_id not in str(again.body) and helper not in str(again.body) and f"代办人{world.n}" not in str(again.body)
    )
    assert again.body["timeline"] == []


# --- L-9: a failed store leaves the photo usable --------------------------------------------------------------


def test_an_order_that_could_not_be_stored_leaves_its_photo_usable_for_the_retry(world, faults):
    photo = world.photo(world.resident_id, "resident", "fault")
    body = {**_order_body(world), "photo_ref": photo}

    # Given DynamoDB refusing the order's write for longer than the SDK retries
    def the_orders_write(call) -> bool:
        found = call.strings()
        return world.resident_id in found and any(s.startswith("ORDER#") for s in found)

    faults.dynamodb("PutItem", times=1000, when=the_orders_write)
    failed = world.as_resident("POST", "/orders", body)
    assert failed.status == 503, failed.body
    faults.clear()
    # Then the retry is stored, with its photo
    retried = world.as_resident("POST", "/orders", body)
    assert retried.status == 201 and retried.body["photo_ref"] == photo, retried.body
    world.as_resident("POST", f"/orders/{retried.body['order_id']}/cancel")


# --- L-14: the wait between proxy requests holds under concurrency ----------------------------------------------


def test_requests_to_act_for_a_resident_sent_at_once_get_one_code(world):
    import threading

    import requests

    from identity.domain.records import User
    from identity.store import accounts
    from local import tokens

    resident = accounts.get_user(world.resident_id)
    accounts.put_user(resident.model_copy(update={"phone": f"135{world.n:08d}"}))
    helper = f"res_w{world.n}_asker"
    accounts.put_user(User(user_id=helper, role="resident", name=f"社区工作者{world.n}", phone=f"134{world.n:08d}"))
    headers = {"Authorization": f"Bearer {tokens.issue(helper, 'resident')}"}
    body = {"phone": f"135{world.n:08d}", "relation": "社区工作者"}
    barrier, answers = threading.Barrier(5), []

    def ask() -> None:
        barrier.wait()
        answers.append(requests.post(f"{world.api.sandbox.url}/proxy-requests", json=body, headers=headers, timeout=30))

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [202, 429, 429, 429, 429], [a.text for a in answers]
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 429} == {"request_too_soon"}
    codes = [m for m in world.as_resident("GET", "/messages").body["messages"] if m["kind"] == "proxy.consent_code"]
    assert len(codes) == 1


# --- M-5: floods ----------------------------------------------------------------------------------------------


@pytest.fixture
def quotas(sandbox):
    """The order quotas switched on (the session's sandbox runs without them) with the production limits."""
    import os

    from tests.conftest import reload_settings

    os.environ["LINLI_ORDER_QUOTAS_ENABLED"] = "true"
    reload_settings()
    yield
    os.environ["LINLI_ORDER_QUOTAS_ENABLED"] = "false"
    reload_settings()


def _post_at_once(world, user_id: str, bodies: list[dict]) -> list:
    import threading

    import requests

    from local import tokens

    headers = {"Authorization": f"Bearer {tokens.issue(user_id, 'resident')}"}
    barrier, answers = threading.Barrier(len(bodies)), []

    def post(body: dict) -> None:
        barrier.wait()
        answers.append(requests.post(f"{world.api.sandbox.url}/orders", json=body, headers=headers, timeout=60))

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_orders_placed_at_once_beyond_the_quota_are_refused_with_retry_after(world, quotas):
    from orders.store import orders

    # When six orders are sent at once (the review's flood: 6 in 1.5 s)
    answers = _post_at_once(world, world.resident_id, [_order_body(world, description=f"漏水{i}") for i in range(6)])
    # Then three are placed and three refused, each with when to try again
    assert sorted(a.status_code for a in answers) == [201, 201, 201, 429, 429, 429], [a.text for a in answers]
    for refused in (a for a in answers if a.status_code == 429):
        assert refused.json()["error"]["code"] == "too_many_orders"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert len(orders.for_resident(world.resident_id)) == 3
    for placed in (a.json() for a in answers if a.status_code == 201):
        world.as_resident("POST", f"/orders/{placed['order_id']}/cancel")


def test_public_area_reports_from_one_address_are_limited_per_day(world, quotas, monkeypatch):
    from tests.conftest import reload_settings

    monkeypatch.setenv("LINLI_ORDERS_PER_ACCOUNT_PER_MINUTE", "10")  # the day's limit of this address is what stops
    reload_settings()
    answers = []
    for i in range(4):
        report = {"type": "public_area", "category": "electrical", "description": "楼道灯坏了", "place": f"{i + 1}号楼楼道"}
        answers.append(
            world.api.sandbox.gateway.handle(
                "POST", "/orders", _resident_headers(world), json.dumps({**report, "address_id": world.address_id}).encode()
            )
        )
    assert [a.status for a in answers] == [201, 201, 201, 429], [a.body for a in answers]
    assert json.loads(answers[3].body)["error"]["code"] == "too_many_orders"
    assert 60 < int(answers[3].headers["retry-after"]) <= 86400


def _resident_headers(world) -> dict:
    from local import tokens

    return {"content-type": "application/json", "authorization": f"Bearer {tokens.issue(world.resident_id, 'resident')}"}


def test_a_dispatcher_closes_a_false_public_area_report_as_unfounded(world):
    from shared import workflow
    from tests.conftest import wait_for

    report = {"type": "public_area", "category": "electrical", "description": "楼道灯坏了", "place": "9号楼楼道"}
    order_id = world.as_resident("POST", "/orders", {**report, "address_id": world.address_id}).body["order_id"]
    reason = {"reason": "现场查看，灯是好的"}
    # Not by the resident, nor by another company, nor for an order that is not a public-area report
    assert world.as_resident("POST", f"/orders/{order_id}/unfounded", reason).status == 403
    other = f"disp_w{world.n}_other"

    from identity.domain.records import User
    from identity.store import accounts

    accounts.put_user(User(user_id=other, role="dispatcher", name="别家调度", company_id=f"co_w{world.n}_other"))
    assert world.api.call(other, "dispatcher", "POST", f"/orders/{order_id}/unfounded", reason).status == 403
    assert world.as_dispatcher("POST", f"/orders/{order_id}/unfounded", {"reason": "   "}).status == 422
    # When the company's dispatcher closes it as unfounded
    closed = world.as_dispatcher("POST", f"/orders/{order_id}/unfounded", reason)
    assert closed.status == 200, closed.body
    assert closed.body["status"] == "cancelled" and closed.body["cancel_reason"] == "unfounded: 现场查看，灯是好的"
    # Then its workflow ends (no deadline of it can count against the company), and it cannot be closed twice
    arn = workflow.execution_arn_for(order_id)
    wait_for(lambda: workflow.describe(arn)["status"] == "ABORTED", what="the report's workflow to stop")
    assert world.as_dispatcher("POST", f"/orders/{order_id}/unfounded", reason).status == 409
    emergency = world.order()["order_id"]
    refused = world.as_supervisor("POST", f"/orders/{emergency}/unfounded", reason)
    assert refused.status == 400 and refused.body["error"]["code"] == "validation_error"
    world.as_resident("POST", f"/orders/{emergency}/cancel")


def test_a_document_name_cannot_hide_its_type_behind_a_direction_override(world):
    spoofed = {"kind": "certificate", "filename": "证书\u202efdp.exe", "content_type": "application/pdf"}
    refused = world.as_dispatcher("POST", "/documents", spoofed)
    assert refused.status == 422 and refused.body["error"]["code"] == "validation_error", refused.body
