"""Users (residents, technicians, dispatchers, supervisors), their addresses, compounds and companies."""

from __future__ import annotations

from dataclasses import dataclass

from shared.dal.base import ensure_bound
from shared.dal.tables import AddressItem, CompanyItem, CompoundItem, ProxyItem, UserItem
from shared.geo import cells_covering, geohash, index_precision
from shared.records import Address, Certificate, Company, Compound, Proxy, User

PROFILE = "PROFILE"
INDEX_PRECISION = 5  # the partition key's cell
SORT_PRECISION = 7  # the head of the sort key: finer cells are a begins_with


def _user(item: UserItem) -> User:
    return User(
        user_id=item.user_id,
        role=item.role,
        name=item.name,
        phone=item.phone,
        status=item.status,
        company_id=item.company_id,
        skills=list(item.skills or []),
        on_duty=bool(item.on_duty),
        lat=item.lat,
        lng=item.lng,
        certificates=[Certificate(**c) for c in (item.certificates or [])],
        rating=item.rating,
    )


def _duty(on_duty: bool) -> str:
    return "on" if on_duty else "off"


def _cell_keys(user: User) -> dict:
    """Technicians are indexed by cell and duty, so a match reads only nearby technicians (only the ones
    on duty for an emergency). A suspended technician or one without a location is not in the index."""
    if user.role != "technician" or user.lat is None or user.lng is None or user.status != "active":
        return {"gsi1pk": None, "gsi1sk": None}
    fine = geohash(user.lat, user.lng, SORT_PRECISION)
    return {"gsi1pk": f"CELL#{fine[:INDEX_PRECISION]}#{_duty(user.on_duty)}", "gsi1sk": f"{fine}#{user.user_id}"}


def user_item(user: User) -> UserItem:
    data = user.model_dump()
    data["certificates"] = data["certificates"] or None
    return UserItem(pk=f"USER#{user.user_id}", sk=PROFILE, **data, **_cell_keys(user))


def put_user(user: User) -> None:
    ensure_bound()
    user_item(user).save()


def get_user(user_id: str) -> User | None:
    ensure_bound()
    try:
        return _user(UserItem.get(f"USER#{user_id}", PROFILE))
    except UserItem.DoesNotExist:
        return None


@dataclass(frozen=True)
class Nearby:
    technicians: list[User]
    items_read: int  # ScannedCount summed over the queries: what the match paid for
    queries: int


def technicians_near(lat: float, lng: float, radius_m: float, *, on_duty_only: bool) -> Nearby:
    """Technicians indexed in the cells covering the circle: a Query per cell (and duty), never a Scan.

    Up to 1.5 km the cells are geohash-6 (a begins_with on the sort key inside the geohash-5 partition),
    beyond that geohash-5: the items read follow the technicians near the point, not the city's size.
    """
    ensure_bound()
    precision = index_precision(radius_m)
    duties = ["on"] if on_duty_only else ["on", "off"]
    found: list[User] = []
    read = queries = 0
    for cell in cells_covering(lat, lng, radius_m, precision):
        for duty in duties:
            pk = f"CELL#{cell[:INDEX_PRECISION]}#{duty}"
            condition = UserItem.gsi1sk.startswith(cell) if precision > INDEX_PRECISION else None
            result = UserItem.by_cell.query(pk, condition)
            found.extend(_user(item) for item in result)
            read += result.page_iter.total_scanned_count
            queries += 1
    return Nearby(found, read, queries)


def set_availability(user_id: str, on_duty: bool, lat: float, lng: float) -> User:
    """Duty and location, with the spatial index keys that follow them, in one write."""
    ensure_bound()
    item = UserItem.get(f"USER#{user_id}", PROFILE, consistent_read=True)
    user = _user(item).model_copy(update={"on_duty": on_duty, "lat": lat, "lng": lng})
    keys = _cell_keys(user)
    index_actions = (
        [UserItem.gsi1pk.set(keys["gsi1pk"]), UserItem.gsi1sk.set(keys["gsi1sk"])]
        if keys["gsi1pk"]
        else [UserItem.gsi1pk.remove(), UserItem.gsi1sk.remove()]
    )
    item.update(actions=[UserItem.on_duty.set(on_duty), UserItem.lat.set(lat), UserItem.lng.set(lng), *index_actions])
    return user


def put_address(resident_id: str, address: Address) -> None:
    ensure_bound()
    AddressItem(pk=f"USER#{resident_id}", sk=f"ADDRESS#{address.address_id}", **address.model_dump()).save()


def list_addresses(resident_id: str) -> list[Address]:
    ensure_bound()
    items = AddressItem.query(f"USER#{resident_id}", AddressItem.sk.startswith("ADDRESS#"))
    return [Address(**{k: getattr(i, k) for k in Address.model_fields}) for i in items]


def _get(model, record, pk: str, sk: str):
    """One item as its domain record, or None."""
    ensure_bound()
    try:
        item = model.get(pk, sk)
    except model.DoesNotExist:
        return None
    return record(**{k: getattr(item, k) for k in record.model_fields})


def get_address(resident_id: str, address_id: str) -> Address | None:
    return _get(AddressItem, Address, f"USER#{resident_id}", f"ADDRESS#{address_id}")


def put_compound(compound: Compound) -> None:
    ensure_bound()
    CompoundItem(pk=f"COMPOUND#{compound.compound_id}", sk=PROFILE, **compound.model_dump()).save()


def get_compound(compound_id: str) -> Compound | None:
    return _get(CompoundItem, Compound, f"COMPOUND#{compound_id}", PROFILE)


def put_company(company: Company) -> None:
    ensure_bound()
    CompanyItem(pk=f"COMPANY#{company.company_id}", sk=PROFILE, **company.model_dump()).save()


def get_company(company_id: str) -> Company | None:
    return _get(CompanyItem, Company, f"COMPANY#{company_id}", PROFILE)


def put_proxy(proxy: Proxy) -> None:
    ensure_bound()
    ProxyItem(pk=f"USER#{proxy.resident_id}", sk=f"PROXY#{proxy.proxy_id}", **proxy.model_dump()).save()


def is_proxy(resident_id: str, user_id: str) -> bool:
    """True when `user_id` is a family member linked to the resident's account."""
    return _get(ProxyItem, Proxy, f"USER#{resident_id}", f"PROXY#{user_id}") is not None


def proxies_of(resident_id: str) -> list[Proxy]:
    ensure_bound()
    items = ProxyItem.query(f"USER#{resident_id}", ProxyItem.sk.startswith("PROXY#"))
    return [Proxy(**{k: getattr(i, k) for k in Proxy.model_fields}) for i in items]


def get_companies(company_ids: set[str]) -> dict[str, Company]:
    """The companies by id, in BatchGetItem calls (a city has few companies; a match reads a handful)."""
    ensure_bound()
    keys = [(f"COMPANY#{c}", PROFILE) for c in sorted(company_ids)]
    return {i.company_id: Company(**{k: getattr(i, k) for k in Company.model_fields}) for i in CompanyItem.batch_get(keys)}
