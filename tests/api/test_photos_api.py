"""Issue 6 over the HTTP API: photos uploaded through pre-signed URLs (the sandbox's /s3 front standing in for S3),
attached once to an order, a bill line, the completion or a technician, and read through short-lived pre-signed
GETs by the people who may see the order, and by nobody else."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import pytest
import requests

from tests.conftest import reload_settings, tiny_png, upload_photo, wait_for
from tests.prices_flow import LAMP, WIRE, make_paid, order_on_site

PNG = tiny_png()


def _read(result) -> bytes:
    assert result.status == 200, result.body
    return requests.get(result.body["url"], timeout=10).content


def _error(result, status: int, code: str) -> None:
    assert result.status == status, result.body
    error = result.body["error"]
    assert error["code"] == code and error["message"] and error["message_en"], error


def _assigned(world, **order: object) -> tuple[str, str]:
    tech = world.technicians[0] if world.technicians else world.add_technician()
    order_id = world.order(**order)["order_id"]

    def offer_id():
        offers = world.as_technician(tech, "GET", "/offers").body["offers"]
        return next((o["offer_id"] for o in offers if o["order_id"] == order_id), None)

    assert world.as_technician(tech, "POST", f"/offers/{wait_for(offer_id, what='the offer')}/accept").status == 200
    return order_id, tech


def test_a_resident_orders_with_a_photo_of_the_fault_that_only_the_orders_people_can_see(world, api):
    from tests.conftest import make_world

    # Given a photo of the fault uploaded through its pre-signed URL
    created = world.as_resident("POST", "/photos", {"purpose": "fault", "content_type": "image/png", "size": len(PNG)})
    assert created.status == 201, created.body
    upload = created.body
    assert upload["method"] == "PUT" and upload["headers"] == {"Content-Type": "image/png"}
    assert upload["max_bytes"] == 5 * 1024 * 1024 and upload["expires_in"] > 0
    # the type and the exact length are signed: S3 takes no other file
    assert parse_qs(urlsplit(upload["upload_url"]).query)["X-Amz-SignedHeaders"] == ["content-length;content-type;host"]
    assert requests.put(upload["upload_url"], data=PNG, headers=upload["headers"], timeout=10).status_code == 200
    # When she orders with it and a technician accepts
    order_id, tech = _assigned(world, photo_ref=upload["photo_id"])
    assert world.as_resident("GET", f"/orders/{order_id}").body["photo_ref"] == upload["photo_id"]
    path = f"/orders/{order_id}/photos/{upload['photo_id']}"
    # Then she, the technician, his company and a supervisor get a short-lived link to it
    link = world.as_resident("GET", path)
    assert _read(link) == PNG and link.body["content_type"] == "image/png"
    assert link.body["expires_in"] == 300 and parse_qs(urlsplit(link.body["url"]).query)["X-Amz-Expires"] == ["300"]
    assert _read(world.as_technician(tech, "GET", path)) == PNG
    assert _read(world.as_dispatcher("GET", path)) == PNG
    assert _read(world.as_supervisor("GET", path)) == PNG
    # And nobody else: another compound's resident, technician and company
    other = make_world(api)
    other_tech = other.add_technician()
    assert other.as_resident("GET", path).status == 403
    assert other.as_technician(other_tech, "GET", path).status == 403
    assert other.as_dispatcher("GET", path).status == 403
    # A photo that is not the order's is not found through it, even the resident's own
    stray = world.photo(world.resident_id, "resident", "fault")
    _error(world.as_resident("GET", f"/orders/{order_id}/photos/{stray}"), 404, "not_found")
    # The photo is attached once: not to a second order
    second = world.as_resident(
        "POST",
        "/orders",
        {
            "type": "emergency",
            "category": "electrical",
            "description": "又坏了",
            "address_id": world.address_id,
            "photo_ref": upload["photo_id"],
        },
    )
    _error(second, 409, "photo_in_use")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param(
            {"purpose": "fault", "content_type": "application/pdf", "size": 100}, 415, "photo_type_not_allowed", id="pdf"
        ),
        pytest.param({"purpose": "fault", "content_type": "image/svg+xml", "size": 100}, 415, "photo_type_not_allowed", id="svg"),
        pytest.param(
            {"purpose": "fault", "content_type": "image/jpeg", "size": 5 * 1024 * 1024 + 1}, 413, "photo_too_large", id="5MB+1"
        ),
        pytest.param({"purpose": "fault", "content_type": "image/jpeg", "size": 0}, 422, "validation_error", id="empty"),
        pytest.param({"purpose": "selfie", "content_type": "image/jpeg", "size": 10}, 422, "validation_error", id="purpose"),
        pytest.param({"purpose": "profile", "content_type": "image/jpeg", "size": 10}, 403, "forbidden", id="not hers"),
    ],
)
def test_uploads_other_than_images_up_to_5_mb_are_refused_in_both_languages(world, body, status, code):
    _error(world.as_resident("POST", "/photos", body), status, code)


def test_a_photo_is_attached_only_as_declared_and_uploaded_by_its_owner(world, api):
    base = {"type": "emergency", "category": "electrical", "description": "灯不亮", "address_id": world.address_id}
    # Never uploaded
    pending = world.as_resident("POST", "/photos", {"purpose": "fault", "content_type": "image/png", "size": len(PNG)})
    _error(world.as_resident("POST", "/orders", {**base, "photo_ref": pending.body["photo_id"]}), 400, "photo_not_uploaded")
    # Not the declared file: S3 (and the sandbox's /s3 front) refuses another length than the signed one outright
    short = world.as_resident("POST", "/photos", {"purpose": "fault", "content_type": "image/png", "size": len(PNG) + 10})
    refused = requests.put(short.body["upload_url"], data=PNG, headers=short.body["headers"], timeout=10)
    assert refused.status_code == 403 and b"SignatureDoesNotMatch" in refused.content
    _error(world.as_resident("POST", "/orders", {**base, "photo_ref": short.body["photo_id"]}), 400, "photo_not_uploaded")
    # and had it got there anyway, the API checks again
    bucket, _, key = unquote(urlsplit(short.body["upload_url"]).path).removeprefix("/s3/").partition("/")
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=PNG, ContentType="image/png")
    _error(world.as_resident("POST", "/orders", {**base, "photo_ref": short.body["photo_id"]}), 400, "photo_mismatch")
    # Someone else's photo, a photo for another purpose, or no such photo
    tech = world.add_technician(on_duty=False)
    theirs = upload_photo(api, tech, "technician", "work")
    _error(world.as_resident("POST", "/orders", {**base, "photo_ref": theirs}), 400, "unknown_photo")
    _error(world.as_resident("POST", "/orders", {**base, "photo_ref": "pho_nosuchphoto"}), 400, "unknown_photo")
    _error(world.as_resident("POST", "/orders", {**base, "photo_ref": "../etc/passwd"}), 422, "validation_error")
    # No order was stored by any of these
    assert world.as_resident("GET", "/orders").body["orders"] == []


def test_bill_line_and_completion_photos_reach_the_resident(world):
    make_paid(world)
    order_id, tech = order_on_site(world)
    line_photo = world.photo(tech, "technician", "work")
    done_photo = world.photo(tech, "technician", "work")
    # Someone else's work photo cannot be slipped into the bill
    stranger = world.add_technician(on_duty=False)
    foreign = world.photo(stranger, "technician", "work")
    refused = world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [WIRE], "photos": [foreign]})
    _error(refused, 400, "unknown_photo")
    # When the technician bills an extra line with its photo and completes with a photo of the work
    extra = {**LAMP, "reason": "灯具内部烧毁", "photo_ref": line_photo}
    billed = world.as_technician(tech, "POST", f"/orders/{order_id}/completion", {"lines": [WIRE, extra], "photos": [done_photo]})
    assert billed.status == 200 and billed.body["status"] == "awaiting_approval", billed.body
    # Then the resident sees both before she decides
    seen = world.as_resident("GET", f"/orders/{order_id}").body
    assert seen["extra_lines"][0]["photo_ref"] == line_photo and seen["completion_photos"] == [done_photo]
    assert _read(world.as_resident("GET", f"/orders/{order_id}/photos/{line_photo}")) == PNG
    assert _read(world.as_resident("GET", f"/orders/{order_id}/photos/{done_photo}")) == PNG


def test_the_technician_or_his_company_sets_his_photo_which_the_resident_sees_on_her_order(world, api):
    from tests.conftest import make_world

    order_id, tech = _assigned(world)
    # The technician sets his own photo
    own = world.photo(tech, "technician", "profile")
    set_own = world.as_technician(tech, "PUT", f"/technicians/{tech}/photo", {"photo_id": own})
    assert set_own.status == 200 and set_own.body["photo"]["photo_id"] == own
    assert requests.get(set_own.body["photo"]["url"], timeout=10).content == PNG
    # The resident sees it on her order, with his name, company and credentials
    technician = world.as_resident("GET", f"/orders/{order_id}").body["technician"]
    assert technician["photo_ref"] == own and technician["name"] and technician["company_name"]
    assert technician["credentials"]["ok"] is True
    assert _read(world.as_resident("GET", f"/orders/{order_id}/photos/{own}")) == PNG
    # His company replaces it
    company = world.photo(world.dispatcher_id, "dispatcher", "profile")
    assert world.as_dispatcher("PUT", f"/technicians/{tech}/photo", {"photo_id": company}).status == 200
    assert world.as_technician(tech, "GET", f"/technicians/{tech}/photo").body["photo"]["photo_id"] == company
    assert world.as_resident("GET", f"/orders/{order_id}").body["technician"]["photo_ref"] == company
    # The old one is no longer the order's
    _error(world.as_resident("GET", f"/orders/{order_id}/photos/{own}"), 404, "not_found")
    # Nobody else may set it: another technician, another company, a resident (even with their own uploads)
    other = make_world(api)
    other_tech = other.add_technician(on_duty=False)
    theirs = upload_photo(api, other_tech, "technician", "profile")
    _error(other.as_technician(other_tech, "PUT", f"/technicians/{tech}/photo", {"photo_id": theirs}), 403, "forbidden")
    foreign = upload_photo(api, other.dispatcher_id, "dispatcher", "profile")
    _error(other.as_dispatcher("PUT", f"/technicians/{tech}/photo", {"photo_id": foreign}), 403, "forbidden")
    _error(world.as_resident("PUT", f"/technicians/{tech}/photo", {"photo_id": own}), 403, "forbidden")
    # Nor may a photo be used for him that another person uploaded
    _error(world.as_dispatcher("PUT", f"/technicians/{tech}/photo", {"photo_id": own}), 400, "unknown_photo")


def test_the_sandboxs_s3_front_takes_only_signed_unexpired_urls(world, sandbox):
    """The sandbox stands in for S3's endpoint (docs/sandbox.md): no signature or an expired one is refused."""
    created = world.as_resident("POST", "/photos", {"purpose": "fault", "content_type": "image/png", "size": len(PNG)})
    url, headers = created.body["upload_url"], created.body["headers"]
    assert url.startswith(f"{sandbox.url}/s3/")
    refused = requests.put(url.split("?", 1)[0], data=PNG, headers=headers, timeout=10)
    assert refused.status_code == 403 and b"AccessDenied" in refused.content
    stale = re.sub(r"X-Amz-Date=\d{8}T\d{6}Z", "X-Amz-Date=20200101T000000Z", url)
    assert stale != url and requests.put(stale, data=PNG, headers=headers, timeout=10).status_code == 403
    # Nothing arrived: the photo cannot be used
    order = {"type": "emergency", "category": "electrical", "description": "灯不亮", "address_id": world.address_id}
    _error(world.as_resident("POST", "/orders", {**order, "photo_ref": created.body["photo_id"]}), 400, "photo_not_uploaded")


def test_the_sandboxs_s3_front_checks_the_signature_and_never_renders_what_it_serves(world, sandbox):
    """Like S3: a URL works only as signed (method, key, type, length); a forged or altered signature, a URL used for
    another method or key, are refused. What it serves comes as an attachment, never sniffed: an uploaded page cannot
    run on the apps' origin."""
    created = world.as_resident("POST", "/photos", {"purpose": "fault", "content_type": "image/png", "size": len(PNG)})
    url, headers = created.body["upload_url"], created.body["headers"]
    forged = re.sub(r"X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0" * 64, url)
    assert requests.put(forged, data=PNG, headers=headers, timeout=10).status_code == 403
    page = b"<script>alert(1)</script>" + b" " * (len(PNG) - 25)
    as_html = requests.put(url, data=page, headers={**headers, "Content-Type": "text/html"}, timeout=10)
    assert as_html.status_code == 403, "the type is signed"
    other_key = url.replace(urlsplit(url).path, urlsplit(url).path + "x")
    assert requests.put(other_key, data=PNG, headers=headers, timeout=10).status_code == 403
    assert requests.get(url, timeout=10).status_code == 403, "a PUT URL is no GET URL"
    # An unsigned write straight to the bucket's path (no query at all) is refused too
    assert requests.put(url.split("?", 1)[0], data=page, headers={"Content-Type": "text/html"}, timeout=10).status_code == 403
    assert requests.put(url, data=PNG, headers=headers, timeout=10).status_code == 200
    # Served as an attachment, not sniffed, even for a file stored as HTML
    bucket, _, key = unquote(urlsplit(url).path).removeprefix("/s3/").partition("/")
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=page, ContentType="text/html")
    from shared import storage

    served = requests.get(storage.download_url(key), timeout=10)
    assert served.status_code == 200
    assert served.headers["content-disposition"] == "attachment" and served.headers["x-content-type-options"] == "nosniff"


def test_an_order_that_could_not_be_started_leaves_its_photo_usable_for_the_retry(world, monkeypatch):
    from shared.settings import get_settings

    photo = world.photo(world.resident_id, "resident", "fault")
    body = {"type": "emergency", "category": "electrical", "description": "灯不亮", "address_id": world.address_id}
    working = get_settings().state_machine_arn
    monkeypatch.setenv("LINLI_STATE_MACHINE_ARN", working.replace(":stateMachine:", ":stateMachine:gone-"))
    reload_settings()
    try:
        _error(world.as_resident("POST", "/orders", {**body, "photo_ref": photo}), 503, "service_unavailable")
    finally:
        monkeypatch.setenv("LINLI_STATE_MACHINE_ARN", working)
        reload_settings()
    retried = world.as_resident("POST", "/orders", {**body, "photo_ref": photo})
    assert retried.status == 201 and retried.body["photo_ref"] == photo, retried.body
