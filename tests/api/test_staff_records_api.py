"""Staff records that stay true, over the HTTP API: one person is one technician (409 already_registered naming
the company), real calendar dates (400), a scan for the certificates the skills need, and a certificate renewal
that the supervisors approve (the suspended skill comes back) or refuse, told to the technician and his company."""

from __future__ import annotations

import json

from tests.conftest import upload_certificate_scan, wait_for


def _scan(api, dispatcher: str) -> str:
    return upload_certificate_scan(api, dispatcher)


def _cert(scan: str | None, expires_on: str = "2099-01-01") -> dict:
    return {
        "kind": "electrician_low_voltage",
        "issuer": "北京市应急管理局",
        "number": "T-REC-1",
        "expires_on": expires_on,
        "document_id": scan,
    }


def _technician(n: int, id_number: str) -> dict:
    return {"name": "孙师傅", "phone": f"139{n:08d}", "id_number": id_number, "skills": ["electrical"]}


def _second_company(world):
    from identity.domain.records import User
    from identity.store import accounts
    from supervision.domain.records import Company
    from supervision.store import company_records

    company_id, dispatcher = f"co_rec{world.n}", f"disp_rec{world.n}"
    company_records.put_company(Company(company_id=company_id, name=f"另一家物业{world.n}"))
    accounts.put_user(User(user_id=dispatcher, role="dispatcher", name="另一调度", company_id=company_id))
    return company_id, dispatcher


def test_a_person_registered_twice_is_refused_naming_the_company_that_holds_him(world, api):
    # Regression: the second registration of the same identity card number was a second technician (201).
    id_number = f"1101121985{world.n:04d}011X"
    first = world.as_dispatcher(
        "POST",
        "/companies/me/technicians",
        _technician(world.n, id_number) | {"certificates": [_cert(_scan(api, world.dispatcher_id))]},
    )
    assert first.status == 201, first.body
    _, other = _second_company(world)
    # The other company registers him again (lower-case x: the same person)
    again = api.call(
        other,
        "dispatcher",
        "POST",
        "/companies/me/technicians",
        _technician(world.n, id_number.lower()) | {"certificates": [_cert(_scan(api, other))]},
    )
    assert again.status == 409, again.body
    assert again.body["error"]["code"] == "already_registered"
    assert f"测试物业{world.n}" in again.body["error"]["message"]
    # Nothing of the refused registration is stored

    from identity.store import accounts

    staff = accounts.staff_of(f"co_rec{world.n}", "technician")
    assert staff == []


def test_dates_must_be_real_calendar_dates(world, api):
    # Regression: 2030-02-30 was accepted as an expiry date.
    scan = _scan(api, world.dispatcher_id)
    for bad in ("2030-02-30", "2031-13-01", "2030-04-31"):
        answer = world.as_dispatcher(
            "POST",
            "/companies/me/technicians",
            _technician(world.n, f"1101121986{world.n:04d}0121") | {"certificates": [_cert(scan, bad)]},
        )
        assert answer.status == 400, (bad, answer.body)
        assert answer.body["error"]["code"] == "validation_error" and bad in answer.body["error"]["message_en"]
    # A leap day is a real date
    ok = world.as_dispatcher(
        "POST",
        "/companies/me/technicians",
        _technician(world.n, f"1101121986{world.n:04d}0121") | {"certificates": [_cert(scan, "2032-02-29")]},
    )
    assert ok.status == 201, ok.body


def test_a_certificate_the_skill_needs_comes_with_its_scan(world):
    answer = world.as_dispatcher(
        "POST",
        "/companies/me/technicians",
        _technician(world.n, f"1101121987{world.n:04d}0131") | {"certificates": [_cert(None)]},
    )
    assert answer.status == 400 and "document_id" in answer.body["error"]["message_en"]
    # A skill that needs no certificate needs no scan
    plumber = _technician(world.n, f"1101121987{world.n:04d}0131") | {"skills": ["plumbing"]}
    assert world.as_dispatcher("POST", "/companies/me/technicians", plumber).status == 201


def _expiry(sandbox, day: str) -> dict:
    response = sandbox.route("POST", "/dev/certificate-expiry", {}, json.dumps({"date": day}).encode())
    assert response.status == 200, response.body
    return json.loads(response.body)


def _messages(api, user_id: str, role: str, kind: str) -> list[dict]:
    return [m for m in api.call(user_id, role, "GET", "/messages").body["messages"] if m["kind"] == kind]


def test_a_renewal_approved_by_a_supervisor_lifts_the_suspension_of_the_skill(sandbox, world, api):

    from identity.domain.records import Certificate
    from identity.store import accounts

    # Given a technician whose electrician's certificate expired: the electrical skill is suspended
    tech = world.add_technician(
        skills=("electrical", "plumbing"), certificates=[Certificate(kind="electrician_low_voltage", expires_on="2033-05-10")]
    )
    # 30 and 7 days before, the technician and his company are warned
    _expiry(sandbox, "2033-04-10")
    _expiry(sandbox, "2033-05-03")
    wait_for(lambda: len(_messages(api, tech, "technician", "certificate.expiring")) >= 2, what="both warnings to him")
    assert len(_messages(api, world.dispatcher_id, "dispatcher", "certificate.expiring")) >= 2
    assert _expiry(sandbox, "2033-05-11")["suspended"][tech] == ["electrical"]
    wait_for(lambda: _messages(api, tech, "technician", "certificate.expired"), what="the suspension told to him")
    # A renewal without its scan, or with an impossible date, is refused and nothing is stored
    body = _cert(_scan(api, world.dispatcher_id)) | {"issued_on": "2026-01-05"}
    no_scan = world.as_dispatcher("POST", f"/technicians/{tech}/certificates", body | {"document_id": None})
    assert no_scan.status in (400, 422)
    bad_day = world.as_dispatcher("POST", f"/technicians/{tech}/certificates", body | {"issued_on": "2026-02-30"})
    assert bad_day.status == 400 and bad_day.body["error"]["code"] == "validation_error"
    # Another company cannot renew him
    _, other = _second_company(world)
    assert api.call(other, "dispatcher", "POST", f"/technicians/{tech}/certificates", body).status == 404
    # The company submits the renewal: it waits for the supervisors, the skill stays suspended
    submitted = world.as_dispatcher("POST", f"/technicians/{tech}/certificates", body)
    assert submitted.status == 201 and submitted.body["status"] == "pending", submitted.body
    renewal_id = submitted.body["renewal_id"]
    queue = world.as_supervisor("GET", "/vetting/renewals").body["renewals"]
    assert renewal_id in {r["renewal_id"] for r in queue}
    assert accounts.get_user(tech).suspended_skills == ["electrical"]
    # A refusal needs a reason
    decision = f"/technicians/{tech}/certificates/{renewal_id}/decision"
    assert world.as_supervisor("POST", decision, {"decision": "reject"}).status == 400
    # Approved: the new certificate replaces the old one and the skill is back
    approved = world.as_supervisor("POST", decision, {"decision": "approve"})
    assert approved.status == 200 and approved.body["status"] == "approved", approved.body
    stored = accounts.get_user(tech)
    assert sorted(stored.skills) == ["electrical", "plumbing"] and stored.suspended_skills == []
    assert [(c.kind, c.expires_on) for c in stored.certificates] == [("electrician_low_voltage", "2099-01-01")]
    # Decided twice: a conflict
    assert world.as_supervisor("POST", decision, {"decision": "approve"}).status == 409
    # The technician and his company are told
    for user, role in ((tech, "technician"), (world.dispatcher_id, "dispatcher")):
        wait_for(
            lambda u=user, r=role: [
                m for m in _messages(api, u, r, "technician.admission_decided") if "换证已通过审核" in m["text_zh"]
            ],
            what=f"the renewal message to {role}",
        )


def test_a_refused_renewal_changes_nothing_and_is_told(sandbox, world, api):

    from identity.domain.records import Certificate
    from identity.store import accounts

    tech = world.add_technician(certificates=[Certificate(kind="electrician_low_voltage", expires_on="2033-06-10")])
    _expiry(sandbox, "2033-06-11")
    submitted = world.as_dispatcher("POST", f"/technicians/{tech}/certificates", _cert(_scan(api, world.dispatcher_id)))
    assert submitted.status == 201
    path = f"/technicians/{tech}/certificates/{submitted.body['renewal_id']}/decision"
    refused = world.as_supervisor("POST", path, {"decision": "reject", "reason": "扫描件模糊"})
    assert refused.status == 200 and refused.body["status"] == "rejected" and refused.body["reason"] == "扫描件模糊"
    assert accounts.get_user(tech).suspended_skills == ["electrical"]
    wait_for(
        lambda: [m for m in _messages(api, tech, "technician", "technician.admission_decided") if "换证未通过" in m["text_zh"]],
        what="the refusal told to him",
    )


def test_reinstating_a_technician_whose_certificate_is_valid_again_gives_back_the_skill(sandbox, world):
    # Regression: reinstate after a renewal answered 409 (the technician is active, only his skill suspended).

    from identity.domain.records import Certificate
    from identity.store import accounts

    tech = world.add_technician(certificates=[Certificate(kind="electrician_low_voltage", expires_on="2033-07-10")])
    _expiry(sandbox, "2033-07-11")
    user = accounts.get_user(tech)
    accounts.put_user(
        user.model_copy(update={"certificates": [Certificate(kind="electrician_low_voltage", expires_on="2099-01-01")]})
    )
    reinstated = world.as_supervisor("POST", f"/vetting/technicians/{tech}/decision", {"decision": "reinstate"})
    assert reinstated.status == 200, reinstated.body
    assert reinstated.body["skills"] == ["electrical"] and reinstated.body["suspended_skills"] == []
    # With no suspended skill left to restore, reinstating an active technician is still a conflict
    assert world.as_supervisor("POST", f"/vetting/technicians/{tech}/decision", {"decision": "reinstate"}).status == 409
