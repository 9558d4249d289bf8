"""Issue 5 through the real workflow: vetting in matching, the audit chain of an order, credit from finished
orders with automatic suspension, and the deadlines of public-area reports."""

from __future__ import annotations

import json

import pytest

from tests.conftest import AUDIT_LAG_SECONDS, wait_for
from tests.workflow.test_lifecycle import _finish


def _messages(world, user_id: str, role: str, kind: str) -> list[dict]:
    return [m for m in world.api.call(user_id, role, "GET", "/messages").body["messages"] if m["kind"] == kind]


def _run_to_close(world, observe, tech: str, stars: int = 5) -> str:
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    observe.wait_status(order_id, "assigned")
    if stars == 5:
        _finish(world, observe, order_id, tech)
        return order_id
    for status in ("en_route", "on_site"):
        assert world.as_technician(tech, "POST", f"/orders/{order_id}/progress", {"status": status}).status == 200
    done = world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [{"item_id": "elec_wire_reconnect"}]})
    assert done.status == 200, done.body
    observe.wait_status(order_id, "completed")
    assert world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": stars}).status == 201
    observe.wait_status(order_id, "closed")
    return order_id


# --- Only admitted technicians of admitted companies are matched -------------------------------------


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_a_technician_not_admitted_is_never_offered_an_order(world, observe, status):
    # Given the nearest technician is not admitted (pending, rejected or suspended), a farther one is
    barred = world.add_technician(metres_east=50, status=status)
    admitted = world.add_technician(metres_east=700)
    # When the resident orders
    order_id = world.order()["order_id"]
    # Then only the admitted one is offered it, and the barred one is not even in the spatial index
    observe.wait_offer(world, admitted, order_id)
    from identity.store import accounts
    from matching.store import offers

    assert {o.technician_id for o in offers.for_order(order_id)} == {admitted}
    assert offers.open_for_technician(barred)[0] == []
    # (a barred technician's own sign-in is refused outright: tests/security)

    assert barred not in {
        t.user_id for t in accounts.technicians_near(world.lat, world.lng, 1000, on_duty_only=False).technicians
    }


def test_a_technician_suspended_by_a_supervisor_drops_out_of_matching_and_returns_when_reinstated(world, observe):
    tech = world.add_technician()
    # When a supervisor suspends the only technician
    suspended = world.as_supervisor(
        "POST", f"/vetting/technicians/{tech}/decision", {"decision": "suspend", "reason": "投诉核实"}
    )
    assert suspended.status == 200 and suspended.body["status"] == "suspended"
    # Then an order finds nobody and escalates
    order_id = world.order()["order_id"]
    escalated = observe.wait_status(order_id, "escalated")
    assert escalated.escalation_reason == "no_candidates"
    # And after reinstatement the technician is offered the next order
    assert world.as_supervisor("POST", f"/vetting/technicians/{tech}/decision", {"decision": "reinstate"}).status == 200
    observe.wait_offer(world, tech, world.order()["order_id"])


def test_no_technician_of_a_suspended_company_is_offered_an_order(world, observe):
    tech = world.add_technician()
    decided = world.as_supervisor(
        "POST", f"/vetting/companies/{world.company_id}/decision", {"decision": "suspend", "reason": "整改"}
    )
    assert decided.status == 200
    order_id = world.order()["order_id"]
    observe.wait_status(order_id, "escalated")
    assert world.as_technician(tech, "GET", "/offers").body["offers"] == []


# --- Traceability ------------------------------------------------------------------------------------


def _audit(world, order_id: str) -> dict:
    result = world.as_supervisor("GET", f"/orders/{order_id}/audit")
    assert result.status == 200, result.body
    return result.body


def test_every_step_of_an_order_is_in_a_chain_that_verifies_and_detects_tampering(sandbox, world, observe):
    # Given an order run from submission to closing
    tech = world.add_technician()
    order_id = _run_to_close(world, observe, tech)
    # Then its audit log has every status change, the offer, the bill lines and the rating, and verifies
    kinds = wait_for(
        lambda: (k := [e["kind"] for e in _audit(world, order_id)["entries"]]) and "order.closed" in k and k,
        what="the audit log to reach order.closed",
        timeout=AUDIT_LAG_SECONDS,
    )
    for kind in ("order.submitted", "offer.created", "order.assigned", "order.on_site", "order.completed", "order.rated"):
        assert kind in kinds
    audit = _audit(world, order_id)
    assert audit["verification"]["valid"] is True
    completed = next(e for e in audit["entries"] if e["kind"] == "order.completed")
    assert completed["detail"]["bill_lines"] and completed["actor"] == tech
    rated = next(e for e in audit["entries"] if e["kind"] == "order.rated")
    assert rated["detail"]["rating_stars"] == 5 and rated["actor"] == world.resident_id

    # When someone edits an entry directly in DynamoDB
    dynamodb = sandbox.aws.client("dynamodb")
    dynamodb.update_item(
        TableName="linli",
        Key={"pk": {"S": f"AUDIT#{order_id}"}, "sk": {"S": "SEQ#0000000002"}},
        UpdateExpression="SET actor = :a",
        ExpressionAttributeValues={":a": {"S": "someone_else"}},
    )
    # Then the chain no longer verifies, and says where
    tampered = _audit(world, order_id)["verification"]
    assert tampered["valid"] is False and tampered["first_bad_seq"] == 2

    # And a removed entry is detected as well
    dynamodb.delete_item(TableName="linli", Key={"pk": {"S": f"AUDIT#{order_id}"}, "sk": {"S": "SEQ#0000000002"}})
    removed = _audit(world, order_id)["verification"]
    assert removed["valid"] is False and "missing" in removed["problems"][0]


# --- Credit --------------------------------------------------------------------------------------------


def test_a_finished_order_gives_credit_events_and_updates_the_company_score(world, observe):
    tech = world.add_technician()
    order_id = _run_to_close(world, observe, tech)
    credit = wait_for(
        lambda: (c := world.as_supervisor("GET", f"/credit/companies/{world.company_id}").body)["credit_score"] != 50 and c,
        timeout=40,
        what="the credit events and the score computed from them",
    )
    kinds = {e["kind"] for e in credit["events"] if e["order_id"] == order_id}
    assert {"rating", "response_deadline", "arrival_deadline"} <= kinds
    # One 5-star order with its deadlines met lifts the prior (81) a little: (0.6·(45/11−1)/4 + 0.4·11/12)·100 = 83.0
    assert credit["credit_score"] == credit["breakdown"]["score"] == 83.0
    # And the company can read its own record, but not another company's
    assert world.as_dispatcher("GET", "/companies/me/credit").body["credit_score"] == 83.0
    assert world.as_dispatcher("GET", "/credit/companies/co_jingan").status == 403


def test_a_score_below_the_threshold_suspends_the_company_and_alerts_the_supervisors(world, observe):
    from supervision.store import credit
    from supervision.store.credit import CreditEvent

    # Given a company whose record already has 19 one-star orders with every deadline missed
    credit.put_events(
        [
            CreditEvent(
                event_id=f"old{i}:{kind}",
                company_id=world.company_id,
                order_id=f"old{i}",
                kind=kind,
                value=value,
                at="2026-10-01T00:00:00.000Z",
            )
            for i in range(19)
            for kind, value in (("rating", 1.0), ("response_deadline", 0.0))
        ]
    )
    tech = world.add_technician()
    # When one more order closes with a one-star rating
    _run_to_close(world, observe, tech, stars=1)
    # Then the company is suspended from matching automatically
    wait_for(
        lambda: world.as_supervisor("GET", f"/credit/companies/{world.company_id}").body["status"] == "suspended",
        timeout=40,
        what="suspension",
    )
    record = world.as_supervisor("GET", f"/credit/companies/{world.company_id}").body
    assert record["credit_score"] < record["threshold"]
    # And the supervisors and the company's dispatcher are told
    wait_for(lambda: _messages(world, world.supervisor_id, "supervisor", "credit.suspended"), what="the supervisors' alert")
    wait_for(lambda: _messages(world, world.dispatcher_id, "dispatcher", "credit.suspended"), what="the dispatcher's message")
    # And no new order is offered to its technicians until a supervisor reinstates the company
    observe.wait_status(world.order()["order_id"], "escalated")
    assert world.as_supervisor("POST", f"/vetting/companies/{world.company_id}/decision", {"decision": "reinstate"}).status == 200
    observe.wait_offer(world, tech, world.order()["order_id"])


# --- Public-area reports -------------------------------------------------------------------------------


def test_a_public_area_report_not_acknowledged_in_time_escalates_and_costs_the_company_credit(world, observe, timeouts):
    # Given the company must acknowledge (dispatch) within 1 second
    timeouts(dispatch=1)
    report = world.order("public_area", "plumbing", place="3号楼楼道")
    # When nobody acknowledges it
    escalated = observe.wait_status(report["order_id"], "escalated")
    # Then it is escalated to the supervisors, who are alerted
    assert escalated.escalation_reason == "company_dispatch_timeout"
    wait_for(lambda: _messages(world, world.supervisor_id, "supervisor", "public_area.escalated"), what="the supervisors' alert")
    # And the missed deadline is a credit event against the company
    events = wait_for(
        lambda: [
            e
            for e in world.as_supervisor("GET", f"/credit/companies/{world.company_id}").body["events"]
            if e["order_id"] == report["order_id"]
        ],
        what="the missed deadline in the credit record",
    )
    assert events[0]["kind"] == "ack_deadline_missed" and events[0]["value"] == 0


def test_a_public_area_report_not_resolved_in_time_escalates(world, observe, timeouts):
    timeouts(resolve=1)
    tech = world.add_technician(skills=("plumbing",))
    report = world.order("public_area", "plumbing", place="2号楼水管")
    # When the company acknowledges it by dispatching a technician, who then does not finish in time
    assert world.as_dispatcher("POST", f"/orders/{report['order_id']}/dispatch", {"technician_id": tech}).status == 200
    # (a longer ceiling than the 45 s default: once, on a machine loaded by another process, the 1 s completion wait
    # took over 40 s to run out after its callback was registered; only a failure waits that long)
    escalated = observe.wait_status(report["order_id"], "escalated", timeout=120)
    assert escalated.escalation_reason == "completion_overdue"
    wait_for(
        lambda: any(
            e["kind"] == "resolve_deadline_missed"
            for e in world.as_supervisor("GET", f"/credit/companies/{world.company_id}").body["events"]
        ),
        what="the missed resolution deadline in the credit record",
    )


# --- Certificate expiry ------------------------------------------------------------------------------


def _expiry(sandbox, day: str) -> dict:
    response = sandbox.route("POST", "/dev/certificate-expiry", {}, json.dumps({"date": day}).encode())
    assert response.status == 200, response.body
    return json.loads(response.body)


def test_an_expiring_certificate_warns_the_company_and_suspends_the_skill_the_day_after_its_last_valid_day(
    sandbox, world, observe
):
    from identity.domain.records import Certificate

    # Given a technician whose electrician's certificate is valid through 2031-03-17
    tech = world.add_technician(
        skills=("electrical", "plumbing"), certificates=[Certificate(kind="electrician_low_voltage", expires_on="2031-03-17")]
    )
    # When the daily job runs 7 days before, the company's dispatcher is warned
    assert _expiry(sandbox, "2031-03-10")["warnings"] >= 1
    wait_for(
        lambda: [m for m in world.as_dispatcher("GET", "/messages").body["messages"] if m["kind"] == "certificate.expiring"],
        what="the 7-day warning",
    )
    # On the last valid day nothing is suspended
    assert tech not in _expiry(sandbox, "2031-03-17")["suspended"]
    # The next day the electrical skill is suspended, plumbing is not
    assert _expiry(sandbox, "2031-03-18")["suspended"][tech] == ["electrical"]
    from identity.store import accounts

    stored = accounts.get_user(tech)
    assert stored.skills == ["plumbing"] and stored.suspended_skills == ["electrical"]
    wait_for(
        lambda: [m for m in world.as_dispatcher("GET", "/messages").body["messages"] if m["kind"] == "certificate.expired"],
        what="the expiry message",
    )
    # And an electrical order is never offered to that technician
    order_id = world.order()["order_id"]
    observe.wait_status(order_id, "escalated")
    assert world.as_technician(tech, "GET", "/offers").body["offers"] == []
