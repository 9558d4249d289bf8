"""The pilot's demo world: three compounds in Tongzhou, their companies, residents and technicians."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from addresses.domain.records import Address
from addresses.store import address_book
from compounds.domain.datum import Datum
from compounds.domain.keys import compound_id
from compounds.domain.records import Compound, FreePeriod
from identity.domain.records import Certificate, User
from identity.store import accounts
from local.demo_catalogue import ITEMS as CATALOGUE_ITEMS
from orders.domain import catalogue as catalogue_rules
from orders.domain.records import Proxy
from orders.store import catalogue, proxy_links
from shared import clock
from supervision.domain.qualifications import certificates_needed
from supervision.domain.records import Company
from supervision.store import company_records

COMPANIES = [
    Company(company_id="co_tongyuan", name="通苑物业服务有限公司", name_en="Tongyuan Property Services"),
    Company(company_id="co_jingan", name="京安居物业管理有限公司", name_en="Jing'anju Property Management"),
]

# The pilot's compounds and households are imported from this file (the console's CSV import, the same path).
COMPOUNDS_CSV = Path(__file__).with_name("demo_compounds.csv")
DISTRICT = "通州区"
# Repairs in the pilot are free from a year ago through a year from now (the seeded history falls in it).
FREE_FUNDER = "通州区住房和城乡建设委员会（老旧小区维修试点）"

# The compounds as the CSV gives them (ids: name + district), with their contracted company.
COMPOUNDS = [
    Compound(
        compound_id=compound_id("葛布店北里", DISTRICT),
        name="葛布店北里",
        name_en="Gebudian Beili",
        lat=39.9096,
        lng=116.6623,
        contracted_company_id="co_tongyuan",
    ),
    Compound(
        compound_id=compound_id("西营前街", DISTRICT),
        name="西营前街",
        name_en="Xiyingqian Street",
        lat=39.9052,
        lng=116.6571,
        contracted_company_id="co_tongyuan",
    ),
    Compound(
        compound_id=compound_id("中仓小区", DISTRICT),
        name="中仓小区",
        name_en="Zhongcang Compound",
        lat=39.9013,
        lng=116.6665,
        contracted_company_id="co_jingan",
    ),
]

RESIDENTS = [
    (
        User(user_id="res_wang", role="resident", name="王奶奶", phone="13800000001"),
        [
            Address(
                address_id="addr_wang_home",
                compound_id=compound_id("西营前街", DISTRICT),
                label="西营前街5号楼2单元301",
                label_en="Xiyingqian St. Bldg 5, Unit 2, Flat 301",
                lat=39.9054,
                lng=116.6574,
            ),
        ],
    ),
    (
        User(user_id="res_li", role="resident", name="李大爷", phone="13800000002"),
        [
            Address(
                address_id="addr_li_home",
                compound_id=compound_id("葛布店北里", DISTRICT),
                label="葛布店北里12号楼1单元502",
                label_en="Gebudian Beili Bldg 12, Unit 1, Flat 502",
                lat=39.9099,
                lng=116.6619,
            ),
        ],
    ),
    (
        User(user_id="res_zhang", role="resident", name="张女士", phone="13800000003"),
        [
            Address(
                address_id="addr_zhang_home",
                compound_id=compound_id("中仓小区", DISTRICT),
                label="中仓小区3号楼4单元201",
                label_en="Zhongcang Bldg 3, Unit 4, Flat 201",
                lat=39.9011,
                lng=116.6668,
            ),
            Address(
                address_id="addr_zhang_mother",
                compound_id=compound_id("西营前街", DISTRICT),
                label="西营前街7号楼1单元102（母亲家）",
                label_en="Xiyingqian St. Bldg 7, Unit 1, Flat 102 (mother's)",
                lat=39.9049,
                lng=116.6566,
            ),
        ],
    ),
]

# 王奶奶's son acts for her: he may approve extra charges on her behalf.
RESIDENTS.append((User(user_id="res_wang_son", role="resident", name="王建国（王奶奶之子）", phone="13800000004"), []))
PROXIES = [Proxy(resident_id="res_wang", proxy_id="res_wang_son", relation="儿子", relation_en="son")]
# A community worker of 西营前街 who does not act for anyone yet: the demo of linking with 王奶奶's consent (she is
# sent a code by SMS, GET /messages as res_wang) and ordering for her.
RESIDENTS.append((User(user_id="res_lili", role="resident", name="社区工作者 李丽（西营前街）", phone="13800000005"), []))

TECHNICIANS = [
    User(
        user_id="tech_zhao",
        role="technician",
        name="赵师傅",
        phone="13900000001",
        company_id="co_tongyuan",
        skills=["electrical", "appliances"],
        on_duty=True,
        lat=39.9061,
        lng=116.6580,
    ),
    User(
        user_id="tech_qian",
        role="technician",
        name="钱师傅",
        phone="13900000002",
        company_id="co_tongyuan",
        skills=["plumbing", "locks", "other"],
        on_duty=True,
        lat=39.9090,
        lng=116.6610,
    ),
    User(
        user_id="tech_sun",
        role="technician",
        name="孙师傅",
        phone="13900000003",
        company_id="co_jingan",
        skills=["electrical", "plumbing", "other"],
        on_duty=True,
        lat=39.9020,
        lng=116.6655,
    ),
    User(
        user_id="tech_zhou",
        role="technician",
        name="周师傅",
        phone="13900000004",
        company_id="co_jingan",
        skills=["locks", "appliances", "electrical"],
        on_duty=False,
        lat=39.9003,
        lng=116.6680,
    ),
]

DEMO_CERTIFICATE_EXPIRY = "2099-12-31"

STAFF = [
    User(user_id="disp_tongyuan", role="dispatcher", name="通苑调度员 刘", company_id="co_tongyuan"),
    User(user_id="disp_jingan", role="dispatcher", name="京安居调度员 陈", company_id="co_jingan"),
    # A company that has not applied for admission yet: the back office's admission screens start from nothing.
    User(user_id="disp_anle", role="dispatcher", name="安乐家调度员 周", company_id="co_anle"),
    User(user_id="sup_tongzhou", role="supervisor", name="区住建委监管员 吴"),
]


XIYINGQIAN, GEBUDIAN, ZHONGCANG = (compound_id(name, DISTRICT) for name in ("西营前街", "葛布店北里", "中仓小区"))

# One-time household codes the property offices handed out (POST /me/addresses {"household_code"}): a new resident
# of one of these flats is verified at once. (compound, building, unit, room)
HOUSEHOLD_CODES = {
    "XYQ-52-302": (XIYINGQIAN, "5", "2", "302"),
    "XYQ-52-401": (XIYINGQIAN, "5", "2", "401"),
    "GBD-121-501": (GEBUDIAN, "12", "1", "501"),
    "ZC-34-202": (ZHONGCANG, "3", "4", "202"),
}


def seed_household_codes() -> None:
    from addresses.domain.rules import code_key
    from addresses.store.dynamodb import DynamoAddressStore
    from addresses.store.ports import HouseholdCode
    from compounds.store import compound_records
    from identity.store import accounts

    store = DynamoAddressStore(read_compound=compound_records.get_compound, accounts=accounts)
    for code, (compound, building, unit, room) in HOUSEHOLD_CODES.items():
        record = HouseholdCode(
            compound_id=compound, building=building, unit=unit, room=room, created_by="seed", created_at=clock.now_iso()
        )
        store.put_code(code_key(code), record)  # False when seeded before: a used code stays used


def seed(*, history: bool = True) -> None:
    """The pilot's compounds, companies, people and catalogue; with `history`, also the pilot's size in
    generated residents, staff and past orders (local/demo_history.py)."""
    for company in COMPANIES:
        company_records.put_company(company)
    seed_compounds()
    for user, addresses in RESIDENTS:
        # Every demo resident signs in with WeChat as the openid of their user id (the code wx-demo:<user id>).
        accounts.put_user(user.model_copy(update={"wechat_openid": user.user_id}))
        for address in addresses:
            address_book.put_address(user.user_id, address)
    for user in TECHNICIANS:
        accounts.put_user(user.model_copy(update={"certificates": demo_certificates(user)}))
    for user in STAFF:
        accounts.put_user(user)
    for proxy in PROXIES:
        proxy_links.put(proxy)
    seed_household_codes()
    if catalogue.current() is None:
        catalogue.publish(catalogue_rules.initial(CATALOGUE_ITEMS, by="seed", at=clock.now_iso()))
    if history:
        # The pilot's size: residents, staff and historical orders for the statistics and credit.
        from local import demo_history

        demo_history.seed()


def seed_compounds() -> None:
    """The pilot's compounds through the onboarding use cases the API serves: the CSV import, then each
    compound's contract and free-service period (each a version in its audit chain; the same terms again add
    none)."""
    from compounds.service.wiring import onboarding

    service = onboarding()
    report = service.import_file(COMPOUNDS_CSV.read_bytes(), datum=Datum.GCJ02, dry_run=False)
    if not report.valid:
        raise RuntimeError(f"the demo compounds' CSV has refused rows: {report.rows}")
    free = pilot_free_period()
    for compound in COMPOUNDS:
        assert compound.contracted_company_id is not None
        service.set_contract(compound.compound_id, compound.contracted_company_id, "2025-01-01", None, actor="seed")
        service.set_free_service(compound.compound_id, free.starts_on, free.ends_on, free.funded_by, actor="seed")


def pilot_free_period() -> FreePeriod:
    today = clock.beijing_today()
    return FreePeriod(
        starts_on=(today - timedelta(days=365)).isoformat(),
        ends_on=(today + timedelta(days=365)).isoformat(),
        funded_by=FREE_FUNDER,
    )


def demo_certificates(user: User) -> list[Certificate]:
    """Every certificate the technician's skills need, valid until the end of next year."""
    kinds = certificates_needed(user.skills)
    return [Certificate(kind=k, number=f"{user.user_id}-{k}", expires_on=DEMO_CERTIFICATE_EXPIRY) for k in kinds]


def personas() -> list[dict]:
    listed = []
    for user, addresses in RESIDENTS:
        listed.append(
            {
                "user_id": user.user_id,
                "role": user.role,
                "name": user.name,
                "wechat_openid": user.user_id,
                "addresses": [{"address_id": a.address_id, "label": a.label} for a in addresses],
            }
        )
    for user in TECHNICIANS + STAFF:
        listed.append(
            {
                "user_id": user.user_id,
                "role": user.role,
                "name": user.name,
                **({"company_id": user.company_id} if user.company_id else {}),
            }
        )
    return listed
