"""Requests to act for a resident, waiting for the code the resident was sent.

One pending request per requester (pk USER#<requester>, sk PROXYREQ): a new request replaces the last one, whose
code then completes nothing. Every try at a code is counted before the code is checked (a conditional update), so
no number of parallel tries gets more than the allowed attempts; the request completes once, in the same
transaction that stores the link.
"""

from __future__ import annotations

from pydantic import BaseModel
from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from orders.domain.records import Proxy
from orders.store import proxy_links
from shared.dal.base import condition_failed, ensure_bound, transaction
from shared.dal.tables import item_of


class ProxyRequest(BaseModel):
    """A resident-role account's request to act for the resident with a phone number, waiting for the code the
    resident was sent. `resident_id` is None when the number is no resident's: the request then looks the same
    from outside and no code can complete it (docs/security.md#acting-for-a-resident)."""

    request_id: str
    requester_id: str
    resident_id: str | None
    phone_masked: str
    relation: str
    relation_en: str = ""
    code_hash: str  # sha256 over the request id and the code: the code itself is never stored
    attempts: int = 0
    created_at: str
    expires_at: str
    void: bool = False  # too many wrong codes


# pk USER#<requester>, sk PROXYREQ: the requester's one pending request to act for a resident (a new one replaces
# it); gone by itself after its TTL.
ProxyRequestItem = item_of(ProxyRequest, "ProxyRequestItem", ttl=NumberAttribute())


SK = "PROXYREQ"


def _key(requester_id: str) -> tuple[str, str]:
    return f"USER#{requester_id}", SK


def _record(item: ProxyRequestItem) -> ProxyRequest:
    data = {k: getattr(item, k) for k in ProxyRequest.model_fields}
    data["attempts"] = int(item.attempts or 0)
    data["void"] = bool(item.void)
    return ProxyRequest(**data)


def put(request: ProxyRequest, *, ttl: int, previous_before: str | None = None) -> bool:
    """Store the request, replacing the requester's previous one if that was made before `previous_before` (an
    instant as `clock.iso` writes it; None: whenever). False, and nothing stored, when a newer one is there: the
    wait between requests holds however many arrive at once (a conditional write, not a read then a write)."""
    ensure_bound()
    item = ProxyRequestItem(*_key(request.requester_id), **request.model_dump(), ttl=ttl)
    if previous_before is None:
        item.save()
        return True
    try:
        item.save(condition=ProxyRequestItem.pk.does_not_exist() | (ProxyRequestItem.created_at <= previous_before))
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def get(requester_id: str) -> ProxyRequest | None:
    ensure_bound()
    try:
        return _record(ProxyRequestItem.get(*_key(requester_id), consistent_read=True))
    except ProxyRequestItem.DoesNotExist:
        return None


def claim_attempt(requester_id: str, request_id: str, max_attempts: int) -> int | None:
    """Count one try at the code of this request: the number of tries made, this one included; None when the
    request is gone, replaced, void or out of tries."""
    ensure_bound()
    item = ProxyRequestItem(*_key(requester_id))
    try:
        item.update(
            actions=[ProxyRequestItem.attempts.add(1)],
            condition=(ProxyRequestItem.request_id == request_id)
            & (ProxyRequestItem.attempts < max_attempts)
            & (ProxyRequestItem.void == False),  # noqa: E712 - a PynamoDB condition, not a comparison
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise
    return int(item.attempts)


def void(requester_id: str, request_id: str) -> None:
    """No more tries: the request stays (so the requester's next request still waits its turn) but completes nothing."""
    ensure_bound()
    try:
        ProxyRequestItem(*_key(requester_id)).update(
            actions=[ProxyRequestItem.void.set(True)], condition=ProxyRequestItem.request_id == request_id
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def delete(requester_id: str, request_id: str) -> None:
    ensure_bound()
    try:
        ProxyRequestItem(*_key(requester_id)).delete(condition=ProxyRequestItem.request_id == request_id)
    except DeleteError as exc:
        if not condition_failed(exc):
            raise


def complete(request: ProxyRequest, proxy: Proxy) -> bool:
    """Use the request up and store the link, in one transaction; False when the request was used, replaced or
    voided meanwhile (then nothing is stored)."""
    ensure_bound()
    try:
        with transaction() as tx:
            tx.delete(
                ProxyRequestItem(*_key(request.requester_id)),
                condition=(ProxyRequestItem.request_id == request.request_id) & (ProxyRequestItem.void == False),  # noqa: E712
            )
            tx.save(proxy_links.put_action(proxy))
    except TransactWriteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
