"""Users (residents, technicians, dispatchers, supervisors), their addresses, compounds and companies."""

from __future__ import annotations

from shared.dal.base import ensure_bound
from shared.dal.tables import AddressItem, CompanyItem, CompoundItem, ProxyItem, UserItem
from shared.geo import geohash
from shared.records import Address, Company, Compound, Proxy, User

PROFILE = "PROFILE"


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
    )


def _cell_keys(user: User) -> dict:
    # Technicians are indexed by geohash cell so matching reads only nearby cells.
    if user.role != "technician" or user.lat is None or user.lng is None:
        return {"gsi1pk": None, "gsi1sk": None}
    return {"gsi1pk": f"CELL#{geohash(user.lat, user.lng)}", "gsi1sk": f"TECH#{user.user_id}"}


def put_user(user: User) -> None:
    ensure_bound()
    UserItem(pk=f"USER#{user.user_id}", sk=PROFILE, **user.model_dump(), **_cell_keys(user)).save()


def get_user(user_id: str) -> User | None:
    ensure_bound()
    try:
        return _user(UserItem.get(f"USER#{user_id}", PROFILE))
    except UserItem.DoesNotExist:
        return None


def technicians_in_cells(cells: list[str]) -> list[User]:
    ensure_bound()
    found: list[User] = []
    for cell in cells:
        found.extend(_user(item) for item in UserItem.by_cell.query(f"CELL#{cell}"))
    return found


def set_availability(user_id: str, on_duty: bool, lat: float, lng: float) -> User:
    ensure_bound()
    item = UserItem.get(f"USER#{user_id}", PROFILE)
    user = _user(item).model_copy(update={"on_duty": on_duty, "lat": lat, "lng": lng})
    keys = _cell_keys(user)
    item.update(
        actions=[
            UserItem.on_duty.set(on_duty),
            UserItem.lat.set(lat),
            UserItem.lng.set(lng),
            UserItem.gsi1pk.set(keys["gsi1pk"]),
            UserItem.gsi1sk.set(keys["gsi1sk"]),
        ]
    )
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
