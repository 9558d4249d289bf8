"""Family proxy links: who may act for a resident (place her orders, read them, agree to extra charges), each link
kept after it ends with who ended it and when; gsi3 ACTSFOR#<proxy> lists whom a proxy acts for."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import UpdateError

from orders.domain.records import Proxy
from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import Gsi3, item_of

# pk USER#<resident>, sk PROXY#<proxy>: the proxy may act for the resident (while `status` is active). While active
# it is indexed under the proxy (gsi3 ACTSFOR#<proxy> / <resident>): whom a proxy acts for.
ProxyItem = item_of(Proxy, "ProxyItem", gsi3pk=UnicodeAttribute(null=True), gsi3sk=UnicodeAttribute(null=True), by_proxy=Gsi3())


def _proxy_item(proxy: Proxy) -> ProxyItem:
    index = {"gsi3pk": f"ACTSFOR#{proxy.proxy_id}", "gsi3sk": proxy.resident_id} if proxy.status == "active" else {}
    return ProxyItem(pk=f"USER#{proxy.resident_id}", sk=f"PROXY#{proxy.proxy_id}", **proxy.model_dump(), **index)


def _proxy(item: ProxyItem) -> Proxy:
    return Proxy(**{k: getattr(item, k) for k in Proxy.model_fields})


def put(proxy: Proxy) -> None:
    ensure_bound()
    _proxy_item(proxy).save()


def put_action(proxy: Proxy) -> ProxyItem:
    """The link as an item, for a transaction (orders.store.proxy_requests.complete)."""
    ensure_bound()
    return _proxy_item(proxy)


def get(resident_id: str, proxy_id: str) -> Proxy | None:
    """The link as stored, active or revoked (a strongly consistent read)."""
    ensure_bound()
    try:
        return _proxy(ProxyItem.get(f"USER#{resident_id}", f"PROXY#{proxy_id}", consistent_read=True))
    except ProxyItem.DoesNotExist:
        return None


def is_proxy(resident_id: str, user_id: str) -> bool:
    """True while `user_id` is linked to act for the resident. A strongly consistent read: a revoked link
    gives nothing from the moment it was revoked."""
    proxy = get(resident_id, user_id)
    return proxy is not None and proxy.status == "active"


def of_resident(resident_id: str) -> list[Proxy]:
    """Who acts for the resident now (active links): one Query on the resident's partition."""
    ensure_bound()
    items = ProxyItem.query(f"USER#{resident_id}", ProxyItem.sk.startswith("PROXY#"), consistent_read=True)
    return [p for p in map(_proxy, items) if p.status == "active"]


def acting_for(proxy_id: str) -> list[Proxy]:
    """Whom the proxy acts for: a Query on gsi3 (ACTSFOR#<proxy>), each link then re-read consistently, so a
    link revoked a moment ago (which the index may still show) is never used."""
    ensure_bound()
    listed = [_proxy(i) for i in ProxyItem.by_proxy.query(f"ACTSFOR#{proxy_id}")]
    current = (get(p.resident_id, p.proxy_id) for p in listed)
    return [p for p in current if p is not None and p.status == "active"]


def revoke(resident_id: str, proxy_id: str, *, by: str, at: str) -> Proxy | None:
    """Ends an active link (kept, with who ended it and when, and out of the proxy's index); None when there was
    no active link."""
    ensure_bound()
    item = ProxyItem(f"USER#{resident_id}", f"PROXY#{proxy_id}")
    try:
        item.update(
            actions=[
                ProxyItem.status.set("revoked"),
                ProxyItem.revoked_at.set(at),
                ProxyItem.revoked_by.set(by),
                ProxyItem.gsi3pk.remove(),
                ProxyItem.gsi3sk.remove(),
            ],
            condition=ProxyItem.pk.exists() & (ProxyItem.status == "active"),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise
    return _proxy(item)
