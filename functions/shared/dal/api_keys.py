"""Companies' API keys for signed calls from their own systems, and the requests already used (timestamp and nonce)."""

from __future__ import annotations

from shared.dal.base import condition_failed, ensure_bound, query_page
from shared.dal.tables import ApiKeyItem, SeenSignatureItem
from shared.records import ApiKey


def company_of(key_id: str) -> str | None:
    """Key ids are lk_<company_id>.<random>; anything else is no key of ours."""
    if not key_id.startswith("lk_") or "." not in key_id:
        return None
    return key_id[3:].rsplit(".", 1)[0] or None


def _key(company_id: str, key_id: str) -> tuple[str, str]:
    return f"COMPANY#{company_id}", f"APIKEY#{key_id}"


def _record(item: ApiKeyItem) -> ApiKey:
    data = {k: getattr(item, k) for k in ApiKey.model_fields}
    data["operations"] = list(item.operations or [])
    data["enrolled"] = sorted(item.enrolled or [])
    return ApiKey(**data)


def put(key: ApiKey) -> None:
    ensure_bound()
    data = key.model_dump()
    data["enrolled"] = set(key.enrolled) or None  # DynamoDB keeps no empty set
    ApiKeyItem(*_key(key.company_id, key.key_id), **data).save(condition=ApiKeyItem.pk.does_not_exist())


def get(key_id: str) -> ApiKey | None:
    company_id = company_of(key_id)
    if company_id is None:
        return None
    ensure_bound()
    try:
        item = ApiKeyItem.get(*_key(company_id, key_id), consistent_read=True)  # an enrolment withdrawn counts at once
    except ApiKeyItem.DoesNotExist:
        return None
    return _record(item)


def for_company(
    company_id: str, *, active_only: bool = False, after: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[ApiKey], dict[str, str] | None]:
    """A page of the company's keys (or only those not revoked), and the key to continue after."""
    ensure_bound()
    items, resume = query_page(
        ApiKeyItem,
        f"COMPANY#{company_id}",
        ApiKeyItem.sk.startswith("APIKEY#"),
        after=after,
        limit=limit,
        filter_condition=ApiKeyItem.revoked_at.does_not_exist() if active_only else None,
    )
    return [_record(i) for i in items], resume


def revoke(company_id: str, key_id: str, at: str) -> bool:
    ensure_bound()
    try:
        ApiKeyItem(*_key(company_id, key_id)).update(
            actions=[ApiKeyItem.revoked_at.set(at)], condition=ApiKeyItem.pk.exists() & ApiKeyItem.revoked_at.does_not_exist()
        )
    except Exception as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def set_enrolled(company_id: str, key_id: str, user_id: str, *, enrolled: bool) -> bool:
    """Add (or remove) the staff member to the key's enrolled staff; False if there is no such active key."""
    ensure_bound()
    action = ApiKeyItem.enrolled.add({user_id}) if enrolled else ApiKeyItem.enrolled.delete({user_id})
    try:
        ApiKeyItem(*_key(company_id, key_id)).update(
            actions=[action], condition=ApiKeyItem.pk.exists() & ApiKeyItem.revoked_at.does_not_exist()
        )
    except Exception as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def first_use(key_id: str, signed_once: str, *, forget_at: int) -> bool:
    """Record what a verified request signed to be used once (its timestamp and nonce); False if it was seen before
    under this key (a replayed request)."""
    ensure_bound()
    try:
        SeenSignatureItem(f"SIGNATURE#{key_id}", signed_once, ttl=forget_at).save(condition=SeenSignatureItem.pk.does_not_exist())
    except Exception as exc:
        if condition_failed(exc):
            return False
        raise
    return True
