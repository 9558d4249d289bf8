from notify.logic.compose import for_offer_created, for_order_change

ORDER = {"order_id": "o1", "resident_id": "r1", "order_code": "246810", "technician_id": None}


def test_assignment_tells_the_resident_the_door_code():
    drafts = for_order_change({**ORDER, "status": "offered"}, {**ORDER, "status": "assigned", "technician_id": "t"})
    assert len(drafts) == 1 and drafts[0].recipient_id == "r1" and "246810" in drafts[0].text_zh
    assert "246810" in drafts[0].text_en


def test_no_message_when_the_status_did_not_change():
    assert for_order_change({**ORDER, "status": "assigned"}, {**ORDER, "status": "assigned"}) == []


def test_cancellation_tells_the_assigned_technician_too():
    drafts = for_order_change({**ORDER, "status": "assigned"}, {**ORDER, "status": "cancelled", "technician_id": "t"})
    assert {d.recipient_id for d in drafts} == {"r1", "t"}


def test_completion_states_the_charge():
    drafts = for_order_change({**ORDER, "status": "on_site"}, {**ORDER, "status": "completed", "bill_total": 0})
    assert "0 元" in drafts[0].text_zh


def test_new_offer_goes_to_the_technician():
    [draft] = for_offer_created({"order_id": "o1", "technician_id": "t9"})
    assert draft.recipient_id == "t9" and draft.kind == "offer"
