"""Accounts on the single table (`USER#<id>` / `PROFILE`): residents, technicians (by map cell, gsi1), dispatchers and
supervisors (by company or role, gsi3), by vetting status or phone (gsi4) and by sign-in phone (gsi5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import UpdateError

from identity.domain.records import Certificate, User
from matching.domain.geo import cells_covering, geohash, index_precision
from shared.dal.base import Change, condition_failed, ensure_bound, query_page
from shared.dal.tables import Gsi1, Gsi3, Gsi4, Gsi5, TableItem, item_of
from shared.errors import InvalidStatus, NotFound
from shared.sms import e164

PROFILE = "PROFILE"

UserItem = item_of(
    User,
    "UserItem",
    gsi1pk=UnicodeAttribute(null=True),  # technicians: CELL#<geohash5>#<on|off> (absent while suspended)
    gsi1sk=UnicodeAttribute(null=True),  # <geohash7>#<user id>: finer cells by begins_with
    gsi3pk=UnicodeAttribute(null=True),  # STAFF#<company> (technicians, dispatchers) or ROLE#<role>
    gsi3sk=UnicodeAttribute(null=True),  # <role>#<user id>
    gsi4pk=UnicodeAttribute(null=True),  # technicians: VETTING#technician#<status>; residents: PHONE#<+86…>
    gsi4sk=UnicodeAttribute(null=True),  # <registered_at>#<user id>; residents: <user id>
    gsi5pk=UnicodeAttribute(null=True),  # LOGIN#<+86…>: every account with a phone number (SMS sign-in)
    gsi5sk=UnicodeAttribute(null=True),  # <user id>
    by_cell=Gsi1(),
    by_group=Gsi3(),
    by_vetting=Gsi4(),
    by_phone=Gsi4(),  # the same index: a resident by phone number (linking a proxy)
    by_login_phone=Gsi5(),
)
INDEX_PRECISION = 5  # the partition key's cell
SORT_PRECISION = 7  # the head of the sort key: finer cells are a begins_with


class CertificateExpiryItem(TableItem):
    """pk USER#<tech>, sk CERT#<kind>: indexed by expiry day (gsi4 CERTEXP#<date>) for the daily job."""

    technician_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    expires_on = UnicodeAttribute()
    gsi4pk = UnicodeAttribute()
    gsi4sk = UnicodeAttribute()
    by_expiry = Gsi4()


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
        suspended_skills=list(item.suspended_skills or []),
        id_number_masked=item.id_number_masked,
        status_reason=item.status_reason,
        registered_at=item.registered_at,
        photo_ref=item.photo_ref,
        wechat_openid=item.wechat_openid,
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


def _group_keys(user: User) -> dict:
    """Company staff are listed by company (STAFF#<company>), residents and supervisors by role; technicians
    also wait in the vetting queue of their status (VETTING#technician#<status>)."""
    group = f"STAFF#{user.company_id}" if user.company_id else f"ROLE#{user.role}"
    keys = {"gsi3pk": group, "gsi3sk": f"{user.role}#{user.user_id}", "gsi4pk": None, "gsi4sk": None}
    if user.role == "technician":
        keys |= {"gsi4pk": f"VETTING#technician#{user.status}", "gsi4sk": f"{user.registered_at or ''}#{user.user_id}"}
    elif user.role == "resident" and user.phone:
        # A resident is found by phone number when someone asks to act for them.
        keys |= {"gsi4pk": phone_key(user.phone), "gsi4sk": user.user_id}
    # Every account with a phone number is found by it when signing in with a one-time code.
    keys |= {"gsi5pk": f"LOGIN#{e164(user.phone)}", "gsi5sk": user.user_id} if user.phone else {"gsi5pk": None, "gsi5sk": None}
    return keys


def phone_key(phone: str) -> str:
    return f"PHONE#{e164(phone)}"


def residents_with_phone(phone: str) -> list[User]:
    """The active residents whose phone number this is (normally one): one Query on gsi4."""
    ensure_bound()
    found = [_user(i) for i in UserItem.by_phone.query(phone_key(phone), limit=5)]
    return [u for u in found if u.role == "resident" and u.status == "active"]


def accounts_with_phone(phone: str) -> list[User]:
    """The accounts (any role, any status) whose phone number this is: one Query on gsi5."""
    ensure_bound()
    found = [_user(i) for i in UserItem.by_login_phone.query(f"LOGIN#{e164(phone)}", limit=5)]
    return [u for u in found if u.phone and e164(u.phone) == e164(phone)]


def user_item(user: User) -> UserItem:
    data = user.model_dump()
    data["certificates"] = data["certificates"] or None
    data["suspended_skills"] = data["suspended_skills"] or None
    return UserItem(pk=f"USER#{user.user_id}", sk=PROFILE, **data, **_cell_keys(user), **_group_keys(user))


def expiry_item(user_id: str, cert: Certificate) -> CertificateExpiryItem:
    """A technician's certificate indexed by its expiry day (gsi4 CERTEXP#<date>) for the daily expiry job."""
    return CertificateExpiryItem(
        f"USER#{user_id}",
        f"CERT#{cert.kind}",
        technician_id=user_id,
        kind=cert.kind,
        expires_on=cert.expires_on,
        gsi4pk=f"CERTEXP#{cert.expires_on}",
        gsi4sk=f"{user_id}#{cert.kind}",
    )


def put_user(user: User) -> None:
    """The user, with every index key that follows from it; a technician's certificates are also indexed by
    expiry day for the daily expiry job (which re-reads the technician, so a stale index item is harmless)."""
    ensure_bound()
    user_item(user).save()
    for cert in user.certificates if user.role == "technician" else []:
        expiry_item(user.user_id, cert).save()


def staff_of(company_id: str, role: str | None = None) -> list[User]:
    """A company's technicians and dispatchers (or only those of `role`): one Query on gsi3."""
    ensure_bound()
    condition = UserItem.gsi3sk.startswith(f"{role}#") if role else None
    return [_user(i) for i in UserItem.by_group.query(f"STAFF#{company_id}", condition)]


def users_with_role(role: str) -> list[User]:
    """Residents or supervisors (the users without a company): one Query on gsi3."""
    ensure_bound()
    return [_user(i) for i in UserItem.by_group.query(f"ROLE#{role}")]


def technicians_by_vetting_status(
    status: str, *, after: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[User], dict[str, str] | None]:
    """A page of the technicians in a vetting status: one Query on gsi4."""
    ensure_bound()
    items, resume = query_page(UserItem.by_vetting, f"VETTING#technician#{status}", after=after, limit=limit)
    return [_user(i) for i in items], resume


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


def get_users(user_ids: set[str]) -> dict[str, User]:
    """Several profiles in BatchGetItem calls: one round trip for all of a message's recipients."""
    ensure_bound()
    keys = [(f"USER#{u}", PROFILE) for u in sorted(user_ids)]
    return {i.user_id: _user(i) for i in UserItem.batch_get(keys)}


def technicians_with_certificates_expiring(day: str) -> list[str]:
    """Technicians holding a certificate (as last written) that expires on `day`: one Query on gsi4."""
    ensure_bound()
    return sorted({i.technician_id for i in CertificateExpiryItem.by_expiry.query(f"CERTEXP#{day}")})


def set_technician_status(user_id: str, to_status: str, from_statuses: Iterable[str], *, reason: str | None, at: str) -> User:
    """The status, the vetting queue key, and the spatial index keys (only active technicians are in it)."""
    ensure_bound()
    try:
        item = UserItem.get(f"USER#{user_id}", PROFILE, consistent_read=True)
    except UserItem.DoesNotExist as exc:
        raise NotFound("师傅不存在", "No such technician.") from exc
    if item.role != "technician":
        raise NotFound("师傅不存在", "No such technician.")
    after = _user(item).model_copy(update={"status": to_status, "status_reason": reason})
    cell = _cell_keys(after)
    index = (
        [UserItem.gsi1pk.set(cell["gsi1pk"]), UserItem.gsi1sk.set(cell["gsi1sk"])]
        if cell["gsi1pk"]
        else [UserItem.gsi1pk.remove(), UserItem.gsi1sk.remove()]
    )
    try:
        item.update(
            actions=[
                UserItem.status.set(to_status),
                UserItem.gsi4pk.set(f"VETTING#technician#{to_status}"),
                UserItem.status_reason.set(reason) if reason else UserItem.status_reason.remove(),
                *index,
            ],
            condition=UserItem.status.is_in(*from_statuses),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise InvalidStatus("当前状态不允许此操作", "The current status does not allow this.") from exc
        raise
    return _user(item)


def set_skills(user_id: str, skills: list[str], suspended_skills: list[str]) -> None:
    """A technician's usable and suspended skills (the expiry job and reinstatement move them)."""
    ensure_bound()
    UserItem(f"USER#{user_id}", PROFILE).update(
        actions=[UserItem.skills.set(skills), UserItem.suspended_skills.set(suspended_skills or None)]
    )


def set_technician_photo(user_id: str, photo_id: str) -> None:
    """The technician's profile photo (one attribute: the rest of the profile is not rewritten)."""
    ensure_bound()
    UserItem(f"USER#{user_id}", PROFILE).update(actions=[UserItem.photo_ref.set(photo_id)], condition=UserItem.pk.exists())


# --- The account's changes that other domains' transactions carry (published by identity.service.accounts) ------


def new_account_changes(user: User) -> list[Change]:
    """A new account (none with its id yet) and, for a technician, his certificates' expiry index."""
    certificates = user.certificates if user.role == "technician" else []
    return [
        Change(user_item(user), condition=UserItem.pk.does_not_exist()),
        *(Change(expiry_item(user.user_id, cert)) for cert in certificates),
    ]


def credentials_changes(tech: User, new_certificate: Certificate) -> list[Change]:
    """A technician's certificates and skills as they are now (a renewal approved), and the new certificate's
    expiry index."""
    actions = [
        UserItem.certificates.set([c.model_dump() for c in tech.certificates]),
        UserItem.skills.set(tech.skills),
        UserItem.suspended_skills.set(tech.suspended_skills or None),
    ]
    return [
        Change(UserItem(f"USER#{tech.user_id}", PROFILE), actions, UserItem.pk.exists()),
        Change(expiry_item(tech.user_id, new_certificate)),
    ]
