"""The pilot's size in the sandbox: 168 registered residents, 82 service staff and 329 orders, as
the news report gave them. The extra residents and technicians are generated; the orders are history,
written straight into the table (an order written in a later status publishes no event), and their credit
events are recorded so the companies' scores come from them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from addresses.domain.records import Address
from addresses.store import address_book
from identity.domain.records import User
from identity.store import accounts
from local import demo_data
from orders.domain import pricing
from orders.domain.records import Order, TimelineEntry
from orders.store import catalogue, orders
from shared import clock
from shared.dal import base
from supervision.domain import credit as formula
from supervision.domain.settings import supervision_settings
from supervision.store import credit

RESIDENTS, STAFF, ORDERS = 168, 82, 329
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
CATEGORIES = ("electrical", "plumbing", "locks", "appliances", "other")
DESCRIPTIONS = {
    "electrical": "客厅灯不亮",
    "plumbing": "水龙头漏水",
    "locks": "门锁打不开",
    "appliances": "热水器不出热水",
    "other": "窗户关不严",
}


def _residents(rng: random.Random) -> list[tuple[User, Address]]:
    existing = sum(1 for user, _ in demo_data.RESIDENTS)
    made = []
    for i in range(RESIDENTS - existing):
        compound = demo_data.COMPOUNDS[i % len(demo_data.COMPOUNDS)]
        building, flat = rng.randint(1, 16), rng.choice((101, 201, 302, 401, 502, 601))
        user_id = f"res_demo_{i + 1:03d}"
        user = User(user_id=user_id, role="resident", name=f"{SURNAMES[i % len(SURNAMES)]}居民{i + 1}", wechat_openid=user_id)
        address = Address(
            address_id=f"addr_demo_{i + 1:03d}",
            compound_id=compound.compound_id,
            label=f"{compound.name}{building}号楼{flat}",
            label_en=f"{compound.name_en} Bldg {building}, Flat {flat}",
            lat=compound.lat + rng.uniform(-0.0008, 0.0008),
            lng=compound.lng + rng.uniform(-0.0008, 0.0008),
        )
        made.append((user, address))
    return made


def _technicians() -> list[User]:
    """Registered staff without a location (off duty, not in the spatial index): they show in statistics
    and vetting without changing who the demo's orders are offered to."""
    made = []
    for i in range(STAFF - len(demo_data.TECHNICIANS)):
        company = demo_data.COMPANIES[i % len(demo_data.COMPANIES)]
        skills = [CATEGORIES[i % len(CATEGORIES)], CATEGORIES[(i + 2) % len(CATEGORIES)]]
        user = User(
            user_id=f"tech_demo_{i + 1:03d}",
            role="technician",
            name=f"{SURNAMES[(i * 7) % len(SURNAMES)]}师傅{i + 1}",
            company_id=company.company_id,
            skills=skills,
            registered_at="2026-01-05T02:00:00.000Z",
        )
        made.append(user.model_copy(update={"certificates": demo_data.demo_certificates(user)}))
    return made


def _order(n: int, rng: random.Random, resident: User, address: Address, technician: User, start: datetime, prices) -> Order:
    compound = next(c for c in demo_data.COMPOUNDS if c.compound_id == address.compound_id)
    order_type = rng.choices(("emergency", "booking", "public_area"), weights=(55, 35, 10))[0]
    category = rng.choice(CATEGORIES)
    created = start + timedelta(minutes=rng.randint(0, 300 * 24 * 60))
    cancelled = rng.random() < 0.06
    accepted = created + timedelta(minutes=rng.choice((1, 2, 2, 3, 4, 5, 6, 8, 12, 20)))
    arrived = accepted + timedelta(minutes=rng.randint(8, 45))
    done = arrived + timedelta(minutes=rng.randint(15, 90))
    company_id = compound.contracted_company_id if order_type == "public_area" else technician.company_id

    timeline = [TimelineEntry(status="submitted", at=clock.iso(created), actor=resident.user_id)]
    if cancelled:
        timeline.append(TimelineEntry(status="cancelled", at=clock.iso(accepted), actor=resident.user_id))
    else:
        timeline += [
            TimelineEntry(status="assigned", at=clock.iso(accepted), actor=technician.user_id),
            TimelineEntry(status="on_site", at=clock.iso(arrived), actor=technician.user_id),
            TimelineEntry(status="completed", at=clock.iso(done), actor=technician.user_id),
            TimelineEntry(status="closed", at=clock.iso(done + timedelta(hours=3)), actor="workflow"),
        ]
    stars = None if cancelled or rng.random() < 0.15 else rng.choices((5, 4, 3, 2, 1), weights=(62, 25, 8, 3, 2))[0]
    pilot = compound.model_copy(update={"free_period": demo_data.pilot_free_period()})
    quote = pricing.quote(prices, category, DESCRIPTIONS[category], pilot, on=created.astimezone(clock.BEIJING).date())
    return Order(
        order_id=f"ord_hist_{n:04d}",
        order_type=order_type,
        category=category,
        description=DESCRIPTIONS[category],
        status="cancelled" if cancelled else "closed",
        resident_id=resident.user_id,
        compound_id=compound.compound_id,
        address_id=address.address_id,
        address_label=address.label,
        place="公共楼道" if order_type == "public_area" else None,
        lat=address.lat,
        lng=address.lng,
        quote=quote,
        order_code=f"{rng.randint(0, 999999):06d}",
        technician_id=None if cancelled else technician.user_id,
        company_id=None if cancelled else company_id,
        bill_total=None if cancelled else 0.0,
        completed_at=None if cancelled else clock.iso(done),
        rating_stars=stars,
        timeline=timeline,
        created_at=clock.iso(created),
        updated_at=timeline[-1].at,
    )


def build(prices) -> tuple[list[tuple[User, Address]], list[User], list[Order]]:
    """The generated residents (with their address), technicians and historical orders; deterministic."""
    rng = random.Random(329)
    residents = _residents(rng)
    technicians = _technicians()
    pool = [(u, a) for u, addresses in demo_data.RESIDENTS for a in addresses] + residents
    staff = demo_data.TECHNICIANS + technicians
    start = datetime(2026, 1, 10, tzinfo=UTC)
    history = []
    for n in range(1, ORDERS + 1):
        resident, address = rng.choice(pool)
        history.append(_order(n, rng, resident, address, rng.choice(staff), start, prices))
    return residents, technicians, history


def seed() -> None:
    """Idempotent: everything has a fixed id, so seeding twice writes the same items."""
    residents, technicians, history = build(catalogue.current())
    import_residents(residents)
    for tech in technicians:
        accounts.put_user(tech)
    orders.import_history(history)
    settings = supervision_settings()
    found = [e for o in history for e in formula.finished_order_events(o, settings) if e.company_id]
    credit.put_events(found)
    params = formula.CreditParams.from_settings(settings)
    for company in demo_data.COMPANIES:
        score = formula.score([e for e in found if e.company_id == company.company_id], params)
        credit.set_company_score(company.company_id, score.score)


def import_residents(residents: list[tuple[User, Address]]) -> None:
    """Residents with one address each, in batches (demo data)."""
    base.ensure_bound()
    with accounts.UserItem.batch_write() as users, address_book.AddressItem.batch_write() as addresses:
        for user, address in residents:
            users.save(accounts.user_item(user))
            addresses.save(
                address_book.AddressItem(
                    pk=f"USER#{user.user_id}",
                    sk=f"ADDRESS#{address.address_id}",
                    **address.model_dump(),
                    gsi3pk=f"RESIDENTS#{address.compound_id}",
                    gsi3sk=f"{user.user_id}#{address.address_id}",
                )
            )
