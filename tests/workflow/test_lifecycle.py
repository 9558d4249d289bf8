"""One test per path through the order lifecycle, each running the real ASL in moto and asserting
both the order in DynamoDB and the execution history."""

from __future__ import annotations

from tests.conftest import wait_for

HAPPY_PATH = [
    "RouteByOrderType",
    "MarkMatching",
    "SelectCandidate",
    "CandidateFound",
    "OfferToTechnician",
    "OfferAnswered",
    "AwaitCompletion",
    "BillNeedsApproval",
    "AwaitRating",
    "CloseOrder",
    "Closed",
]


def _finish(world, observe, order_id: str, tech_id: str) -> None:
    assert world.as_technician(tech_id, "POST", f"/orders/{order_id}/progress", {"status": "en_route"}).status == 200
    assert world.as_technician(tech_id, "POST", f"/orders/{order_id}/progress", {"status": "on_site"}).status == 200
    done = world.as_technician(
        tech_id,
        "POST",
        f"/orders/{order_id}/completion",
        {"lines": [{"item_id": "elec_wire_reconnect", "parts": [{"part_id": "wire_connector", "quantity": 2}]}]},
    )
    assert done.status == 200, done.body
    observe.wait_status(order_id, "completed")
    assert world.as_resident("POST", f"/orders/{order_id}/rating", {"stars": 5, "comment": "很好"}).status == 201
    observe.wait_status(order_id, "closed")
    observe.wait_execution(order_id, "SUCCEEDED")


def test_happy_path_emergency_repair(world, observe):
    # Given a resident and a qualified technician on duty nearby
    tech = world.add_technician()
    # When the resident orders, the technician accepts, works, completes and the resident rates
    order = world.order()
    offer_id = observe.wait_offer(world, tech, order["order_id"])
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    observe.wait_status(order["order_id"], "assigned")
    _finish(world, observe, order["order_id"], tech)
    # Then the order is closed with every status on its timeline, and the history follows the happy path
    stored = observe.order(order["order_id"])
    assert [t.status for t in stored.timeline] == [
        "submitted",
        "matching",
        "offered",
        "assigned",
        "en_route",
        "on_site",
        "completed",
        "rated",
        "closed",
    ]
    assert stored.technician_id == tech and stored.rating_stars == 5 and stored.bill_total == 0
    assert observe.states_entered(order["order_id"]) == HAPPY_PATH


def test_declined_offer_goes_to_next_candidate(world, observe):
    nearest = world.add_technician(metres_east=100)
    second = world.add_technician(metres_east=600)
    order_id = world.order()["order_id"]
    first_offer = observe.wait_offer(world, nearest, order_id)
    # When the nearest technician declines
    assert world.as_technician(nearest, "POST", f"/offers/{first_offer}/decline").status == 200
    # Then the next one gets the offer, and the first is never asked again
    second_offer = observe.wait_offer(world, second, order_id)
    assert second_offer != first_offer
    assert nearest in observe.order(order_id).excluded_technicians
    assert world.as_technician(second, "POST", f"/offers/{second_offer}/accept").status == 200
    observe.wait_status(order_id, "assigned")
    # The accept writes the status first; the execution then moves on, a moment later
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitCompletion", what="the completion wait")
    entered = observe.states_entered(order_id)
    assert entered.count("SelectCandidate") == 2 and entered.count("OfferToTechnician") == 2


def test_offer_timeout_goes_to_next_candidate(world, observe, timeouts):
    timeouts(offer=1)
    slow = world.add_technician(metres_east=100)
    other = world.add_technician(metres_east=700)
    order_id = world.order()["order_id"]
    from matching.store import offers

    # Offers are read in the store, not through the technicians' open offers: on a loaded machine an offer that
    # waits 1 s may have expired before a poll could see it.
    def offer_to(tech_id: str) -> str:
        return wait_for(
            lambda: next((o.offer_id for o in offers.for_order(order_id) if o.technician_id == tech_id), None),
            what=f"an offer of {order_id} to {tech_id}",
        )

    first_offer = offer_to(slow)
    # When the first technician does not answer in time, the next is offered the order
    second_offer = offer_to(other)

    assert offers.get(first_offer).status == "expired"
    # And a late accept of the expired offer changes nothing
    late = world.as_technician(slow, "POST", f"/offers/{first_offer}/accept")
    assert late.status == 409 and late.body["error"]["code"] == "offer_not_open"
    assert offers.get(first_offer).status == "expired" and observe.order(order_id).technician_id != slow
    # (the second offer may itself expire by now: every offer in this test waits only 1 s)
    assert offers.get(second_offer).status != "accepted"
    history = observe.history(order_id)
    assert any(e["type"] == "TaskTimedOut" for e in history)
    assert "ExpireOffer" in observe.states_entered(order_id)


def test_nobody_available_escalates_then_manual_dispatch(world, observe):
    # Given no technician on duty nearby (one exists, but off duty)
    off_duty = world.add_technician(on_duty=False)
    order_id = world.order()["order_id"]
    # Then the order is escalated to the supervisors
    escalated = observe.wait_status(order_id, "escalated")
    assert escalated.escalation_reason == "no_candidates"
    wait_for(lambda: "AwaitManualDispatch" in observe.states_entered(order_id), what="the manual-dispatch wait")
    # When a supervisor dispatches the off-duty technician by hand
    dispatched = world.as_supervisor("POST", f"/orders/{order_id}/dispatch", {"technician_id": off_duty})
    assert dispatched.status == 200, dispatched.body
    assert observe.order(order_id).status == "assigned"
    wait_for(lambda: observe.states_entered(order_id)[-1] == "AwaitCompletion", what="the completion wait")
    _finish(world, observe, order_id, off_duty)
    assert {"MarkEscalated", "AwaitManualDispatch"} <= set(observe.states_entered(order_id))


def test_escalation_timeout_cancels_as_unfulfilled(world, observe, timeouts):
    timeouts(escalation=1)
    order_id = world.order()["order_id"]  # no technicians at all in this world
    cancelled = observe.wait_status(order_id, "cancelled")
    assert cancelled.cancel_reason == "no_technician_available"
    observe.wait_execution(order_id, "FAILED")
    assert observe.states_entered(order_id)[-1] == "Unfulfilled"


def test_cancel_while_offered_withdraws_the_offer(world, observe):
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    # When the resident cancels while the offer is open
    result = world.as_resident("POST", f"/orders/{order_id}/cancel", {"reason": "已自行修好"})
    assert result.status == 200 and result.body["status"] == "cancelled"
    # Then the execution stops, the offer is withdrawn and accepting it is refused
    observe.wait_execution(order_id, "ABORTED")
    from matching.store import offers

    assert offers.get(offer_id).status == "withdrawn"
    assert world.as_technician(tech, "GET", "/offers").body["offers"] == []
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 409
    assert observe.order(order_id).status == "cancelled"
    # And a cancelled order cannot be cancelled again
    assert world.as_resident("POST", f"/orders/{order_id}/cancel").status == 409


def test_no_rating_is_a_valid_end(world, observe, timeouts):
    timeouts(rating=1)
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    world.as_technician(tech, "POST", f"/offers/{offer_id}/accept")
    observe.wait_status(order_id, "assigned")
    assert (
        world.as_technician(
            tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
        ).status
        == 200
    )
    closed = observe.wait_status(order_id, "closed")
    assert closed.rating_stars is None
    observe.wait_execution(order_id, "SUCCEEDED")
    assert any(e["type"] == "TaskTimedOut" for e in observe.history(order_id))


def test_completion_overdue_escalates(world, observe, timeouts):
    timeouts(completion=1)
    tech = world.add_technician()
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id)
    world.as_technician(tech, "POST", f"/offers/{offer_id}/accept")
    escalated = observe.wait_status(order_id, "escalated")
    assert escalated.escalation_reason == "completion_overdue"
    # The late technician can no longer complete an escalated order
    late = world.as_technician(
        tech, "POST", f"/orders/{order_id}/completion", {"lines": [], "note": "检查了线路，接头松了，已拧紧"}
    )
    assert late.status == 409


def test_public_area_report_goes_to_the_contracted_company(world, observe):
    tech = world.add_technician(skills=["electrical"], on_duty=False)
    report = world.order("public_area", place="3号楼楼道灯")
    order_id = report["order_id"]
    wait_for(lambda: "AwaitCompanyDispatch" in observe.states_entered(order_id), what="the company dispatch wait")
    assert observe.order(order_id).company_id == world.company_id
    assert "MarkMatching" not in observe.states_entered(order_id)
    # The company's dispatcher assigns one of its own technicians
    assigned = world.as_dispatcher("POST", f"/orders/{order_id}/dispatch", {"technician_id": tech})
    assert assigned.status == 200, assigned.body
    _finish(world, observe, order_id, tech)


def test_public_area_report_not_dispatched_escalates(world, observe, timeouts):
    timeouts(dispatch=1)
    order_id = world.order("public_area", place="小区大门")["order_id"]
    assert observe.wait_status(order_id, "escalated").escalation_reason == "company_dispatch_timeout"


def test_booking_is_matched_for_its_slot(world, observe):
    from datetime import UTC, datetime, timedelta

    tech = world.add_technician(on_duty=False)  # bookings do not need the technician on duty now
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    slot = {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}
    order = world.order("booking", slot=slot)
    assert order["slot"]["start"].startswith(start.strftime("%Y-%m-%dT%H:%M"))
    offer_id = observe.wait_offer(world, tech, order["order_id"])
    assert world.as_technician(tech, "POST", f"/offers/{offer_id}/accept").status == 200
    observe.wait_status(order["order_id"], "assigned")


def test_transient_task_failures_are_retried(sandbox, world, observe):
    tech = world.add_technician()
    sandbox.aws.lambdas.inject("SelectCandidate", 2, when=world.owns_order)  # within the Retry policy (3 attempts)
    order_id = world.order()["order_id"]
    offer_id = observe.wait_offer(world, tech, order_id, timeout=30)
    assert offer_id
    failed = [e for e in observe.history(order_id) if e["type"] == "TaskFailed"]
    assert len(failed) == 2 and all(e["taskFailedEventDetails"]["error"] == "TransientError" for e in failed)


def test_persistent_task_failure_escalates_visibly(sandbox, world, observe):
    world.add_technician()
    fault = sandbox.aws.lambdas.inject("SelectCandidate", 10, when=world.owns_order)  # beyond the Retry policy
    order_id = world.order()["order_id"]
    escalated = observe.wait_status(order_id, "escalated", timeout=40)
    sandbox.aws.lambdas.remove(fault)
    assert escalated.escalation_reason == "task_failed"
    assert "TaskFailed" in observe.states_entered(order_id)
