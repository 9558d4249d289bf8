"""Cursor paging on the list routes beside /orders and /messages (tests/api/test_paging.py): for each, a few items of
the test's own are stored, the list is paged a few items at a time to its end, and every stored item is seen exactly
once, in the list's order; a cursor that does not decode, or is another list's, is refused with 400 invalid_cursor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from shared import paging


def _stamp(minutes: int, year: int = 2031) -> str:
    at = datetime(year, 5, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _all_pages(call, path: str, field: str, limit: int) -> tuple[list[dict], int]:
    seen, cursor, pages = [], None, 0
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        answer = call("GET", f"{path}{'&' if '?' in path else '?'}{query}")
        assert answer.status == 200, answer.body
        assert len(answer.body[field]) <= limit
        seen += answer.body[field]
        pages += 1
        cursor = answer.body["next_cursor"]
        if cursor is None:
            return seen, pages
        assert pages < 400, "the cursor never ends"


@dataclass
class Case:
    path: str
    field: str
    role: str  # resident | dispatcher | supervisor | technician
    seed: Callable  # (world) -> the ids it stored, and a technician for the technician's lists
    id_of: Callable[[dict], str]
    order_key: Callable[[dict], tuple] | None = None  # the list's order, when it has one to check
    newest_first: bool = False  # the order_key descends


def _catalogue_changes(world):
    # Items of the test's own, not offered to anyone (active: false), so no other test's prices change
    versions = []
    for i in range(3):
        body = {
            "category": "electrical",
            "name": f"翻页测试{world.n}-{i}",
            "name_en": f"Paging test {i}",
            "labour": 1,
            "cap": 10,
            "active": False,
        }
        answer = world.as_supervisor("PUT", f"/catalogue/items/pg_{world.n}_{i}", body)
        assert answer.status == 200, answer.body
        versions.append(str(answer.body["version"]))
    return versions


def _call_tasks(world):
    from notify.store import notifications
    from notify.store.notifications import CallTask

    made = []
    for i in range(5):
        task = CallTask(
            task_id=f"call_pg{world.n}_{i}",
            company_id=world.company_id,
            resident_id=world.resident_id,
            resident_name="测试居民",
            phone="+8613900000000",
            order_id=f"ord_pg{world.n}",
            text_zh="请致电",
            text_en="Please call",
            created_at=_stamp(i),
        )
        notifications.add_call_task(task)
        made.append(task.task_id)
    return made


def _deliveries(world):
    from notify.store import webhooks
    from notify.store.webhooks import DeliveryAttempt, WebhookDelivery

    made = []
    for i in range(5):
        delivery = WebhookDelivery(
            delivery_id=f"evt_pg{world.n}_{i}",
            company_id=world.company_id,
            event_type="order.closed",
            status="delivered",
            payload="{}",
            updated_at=_stamp(i),
        )
        webhooks.record_attempt(delivery, DeliveryAttempt(at=_stamp(i), status_code=200, duration_ms=5))
        made.append(delivery.delivery_id)
    return made


def _api_keys(world):
    made = []
    for i in range(5):
        body = {"label": f"key {i}", "operations": ["orders.read"], "expires_in_days": 30}
        answer = world.as_dispatcher("POST", "/companies/me/api-keys", body)
        assert answer.status == 201, answer.body
        made.append(answer.body["key_id"])
    return made


def _technicians(world):
    return [world.add_technician(metres_east=100 + i) for i in range(5)]


def _pending_companies(world):
    from supervision.domain.records import Company
    from supervision.store import company_records

    made = [f"co_pg{world.n}_{i}" for i in range(4)]
    for company_id in made:
        company_records.put_company(Company(company_id=company_id, name=f"待审{company_id}", status="pending"))
    return made


def _pending_technicians(world):
    return [world.add_technician(status="pending", metres_east=500 + i) for i in range(4)]


def _renewals(world):
    from identity.domain.records import Certificate
    from supervision.store import staff_records

    tech = world.add_technician()
    made = []
    for i in range(4):
        renewal = staff_records.Renewal(
            renewal_id=f"ren_pg{world.n}_{i}",
            technician_id=tech,
            company_id=world.company_id,
            certificate=Certificate(kind="electrician", expires_on="2099-12-31"),
            status="pending",
            submitted_by=world.dispatcher_id,
            submitted_at=_stamp(i),
        )
        staff_records.put_renewal(renewal)
        made.append(renewal.renewal_id)
    return made


def _admitted_companies(world):
    from supervision.domain.records import Company
    from supervision.store import company_records

    made = [f"co_pga{world.n}_{i}" for i in range(4)]
    for i, company_id in enumerate(made):
        company_records.put_company(
            Company(company_id=company_id, name=f"排名{company_id}", status="admitted", credit_score=90 - i)
        )
    return made


def _orders(world, count: int, year: int = 2031, **fields) -> list[str]:
    from orders.store import orders

    model = orders.get(world.order()["order_id"])
    made = []
    for i in range(count):
        made.append(
            model.model_copy(
                update={
                    "order_id": f"ord_pg{world.n}_{i}",
                    "created_at": _stamp(i, year),
                    "updated_at": _stamp(i, year),
                    **fields,
                }
            )
        )
    orders.import_history(made)
    return [o.order_id for o in made]


def _stuck(world):
    return _orders(world, 5, year=2020, status="submitted")  # long past every status's limit


def _reports(world):
    return _orders(world, 5, order_type="public_area", status="submitted", place="3号楼楼道")


def _disputes(world):
    from orders.domain.records import Dispute
    from orders.store import disputes, orders

    made = _orders(world, 4, status="closed", bill_total=80.0)
    for i, order_id in enumerate(made):
        dispute = Dispute(
            order_id=order_id,
            resident_id=world.resident_id,
            opened_by=world.resident_id,
            opened_at=_stamp(100 + i),
            reason="收费不对",
        )
        disputes.open_dispute(orders.get(order_id), dispute)
    return made


def _address_claims(world):

    from identity.domain.records import User
    from identity.store import accounts
    from tests.api.test_addresses_api import CLAIM

    made = []
    for i in range(4):
        resident = f"res_pg{world.n}_{i}"
        accounts.put_user(User(user_id=resident, role="resident", name="新居民"))
        answer = world.api.call(resident, "resident", "POST", "/me/addresses", CLAIM | {"room": f"40{i}"})
        assert answer.status == 201, answer.body
        made.append(answer.body["address_id"])
    return made


def _compounds(world):
    from compounds.domain.records import Compound
    from compounds.store import compound_records

    made = [f"cp_pg{world.n}_{i}" for i in range(5)]
    for i, compound_id in enumerate(made):
        compound_records.put_compound(
            Compound(compound_id=compound_id, name=f"翻页{world.n}小区{i}", district="通州区", lat=39.9, lng=116.6)
        )
    return made


CASES = {
    "catalogue_changes": Case(
        "/catalogue/changes",
        "changes",
        "supervisor",
        _catalogue_changes,
        lambda c: str(c["version"]),
        lambda c: (-c["version"],),
    ),
    "call_tasks": Case("/call-tasks", "call_tasks", "dispatcher", _call_tasks, lambda t: t["task_id"]),
    "deliveries": Case("/companies/me/webhook/deliveries", "deliveries", "dispatcher", _deliveries, lambda d: d["delivery_id"]),
    "api_keys": Case("/companies/me/api-keys", "api_keys", "dispatcher", _api_keys, lambda k: k["key_id"]),
    "technicians": Case("/companies/me/technicians", "technicians", "dispatcher", _technicians, lambda t: t["user_id"]),
    "vetting_companies": Case(
        "/vetting?kind=company&status=pending", "companies", "supervisor", _pending_companies, lambda c: c["company_id"]
    ),
    "vetting_technicians": Case(
        "/vetting?kind=technician&status=pending",
        "technicians",
        "supervisor",
        _pending_technicians,
        lambda t: t["user_id"],
    ),
    "renewals": Case("/vetting/renewals", "renewals", "supervisor", _renewals, lambda r: r["renewal_id"]),
    "credit_ranking": Case(
        "/credit/companies",
        "companies",
        "supervisor",
        _admitted_companies,
        lambda c: c["company_id"],
        lambda c: (-c["credit_score"], c["company_id"]),
    ),
    "stuck": Case(
        "/supervision/stuck",
        "orders",
        "supervisor",
        _stuck,
        lambda o: o["order_id"],
        lambda o: (o["created_at"], o["order_id"]),
    ),
    "reports": Case(
        "/compounds/{compound_id}/reports",
        "reports",
        "resident",
        _reports,
        lambda r: r["order_id"],
        lambda r: (r["created_at"], r["order_id"]),
        newest_first=True,
    ),
    "disputes": Case(
        "/disputes?status=open",
        "disputes",
        "supervisor",
        _disputes,
        lambda d: d["order_id"],
        lambda d: (d["opened_at"], d["order_id"]),
        newest_first=True,
    ),
    "address_claims": Case(
        "/addresses?status=pending",
        "claims",
        "tongyuan_desk",
        _address_claims,
        lambda c: c["address_id"],
        lambda c: (c["claimed_at"], c["address_id"]),
    ),
    "public_companies": Case(
        "/public/companies",
        "companies",
        "resident",
        _admitted_companies,
        lambda c: c["company_id"],
        lambda c: (-c["credit_score"], c["company_id"]),
    ),
    "compounds": Case("/compounds?q=翻页{n}小区", "compounds", "resident", _compounds, lambda c: c["compound_id"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_list_pages_to_its_end_with_every_item_once(world, name):
    case = CASES[name]
    made = case.seed(world)
    call = {
        "resident": world.as_resident,
        "dispatcher": world.as_dispatcher,
        "supervisor": world.as_supervisor,
        "tongyuan_desk": lambda m, p: world.api.call("disp_tongyuan", "dispatcher", m, p),
    }[case.role]
    path = case.path.format(compound_id=world.compound_id, n=world.n)

    seen, pages = _all_pages(call, path, case.field, limit=2)

    ids = [case.id_of(item) for item in seen]
    assert set(made) <= set(ids), (set(made) - set(ids), name)
    assert len(ids) == len(set(ids)), f"{name}: an item came twice"
    assert pages >= 2
    if case.order_key:
        keys = [case.order_key(item) for item in seen]
        assert keys == sorted(keys, reverse=case.newest_first), f"{name}: not in the list's order"
    # A first page of the default size holds what the list held before paging
    whole = call("GET", path)
    assert whole.status == 200 and len(whole.body[case.field]) <= paging.DEFAULT_LIMIT
    # A cursor that does not decode, or one of another list, is refused
    sep = "&" if "?" in path else "?"
    other = paging.encode_key("some_other_list", {"pk": "COMPANY#co_x"})
    for cursor in ("not-a-cursor", other, paging.encode("orders", "2031-05-01T00:00:00.000Z#ord_x")):
        refused = call("GET", f"{path}{sep}cursor={cursor}")
        assert refused.status == 400 and refused.body["error"]["code"] == "invalid_cursor", (name, refused.body)


def test_a_cursor_cannot_reach_another_companys_partition(world, api):
    from tests.conftest import make_world

    other = make_world(api)
    _call_tasks(other)
    _call_tasks(world)
    first = world.as_dispatcher("GET", "/call-tasks?limit=2")
    theirs = other.as_dispatcher("GET", "/call-tasks?limit=2")
    assert first.body["next_cursor"] and theirs.body["next_cursor"]
    # The other company's cursor, given to this company's list, is refused rather than read from there
    refused = world.as_dispatcher("GET", f"/call-tasks?cursor={theirs.body['next_cursor']}")
    assert refused.status == 400 and refused.body["error"]["code"] == "invalid_cursor"


def test_the_offers_of_a_technician_page_through(world):
    from matching.service import offers as round_of_offers
    from matching.store.offers import Offer

    tech = world.add_technician()
    orders_made = _orders(world, 5, status="matching")
    for i, order_id in enumerate(orders_made):
        offer = Offer(
            offer_id=f"{order_id}-1-0",
            order_id=order_id,
            technician_id=tech,
            status="open",
            created_at=_stamp(i),
            expires_at=_stamp(i + 60),
            batch_id=f"{order_id}-1",
        )
        round_of_offers.create_round([offer], f"token-{order_id}", at=_stamp(i))
    seen, pages = _all_pages(lambda m, p: world.as_technician(tech, m, p), "/offers", "offers", limit=2)
    assert sorted(o["order_id"] for o in seen) == sorted(orders_made) and pages == 3
