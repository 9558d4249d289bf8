"""The open app sockets of each person (web push, docs/integrators.md#web-push): stored at $connect, removed
at $disconnect or when API Gateway says the socket is gone, and forgotten by the table's TTL in any case."""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.dal.base import ensure_bound, transaction
from shared.dal.tables import TableItem


class PushConnectionItem(TableItem):
    """pk USER#<user>, sk PUSHCONN#<connection id>: one of the person's open app sockets (web push)."""

    connection_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    connected_at = UnicodeAttribute()
    ttl = NumberAttribute()  # API Gateway closes a socket after 2 h at most: the item goes by itself after that


class PushConnectionOwnerItem(TableItem):
    """pk PUSHCONN#<connection id>, sk OWNER: whose socket it is ($disconnect names only the connection)."""

    user_id = UnicodeAttribute()
    ttl = NumberAttribute()


def _keys(user_id: str, connection_id: str) -> tuple[tuple[str, str], tuple[str, str]]:
    return (f"USER#{user_id}", f"PUSHCONN#{connection_id}"), (f"PUSHCONN#{connection_id}", "OWNER")


def add(user_id: str, connection_id: str, *, connected_at: str, lifetime_seconds: int) -> None:
    ensure_bound()
    forget_at = int(time.time()) + lifetime_seconds
    mine, owner = _keys(user_id, connection_id)
    with transaction() as tx:
        tx.save(PushConnectionOwnerItem(*owner, user_id=user_id, ttl=forget_at))
        tx.save(PushConnectionItem(*mine, connection_id=connection_id, user_id=user_id, connected_at=connected_at, ttl=forget_at))


def owner_of(connection_id: str) -> str | None:
    ensure_bound()
    try:
        return PushConnectionOwnerItem.get(f"PUSHCONN#{connection_id}", "OWNER").user_id
    except PushConnectionOwnerItem.DoesNotExist:
        return None


def remove(connection_id: str, user_id: str | None = None) -> None:
    """Forget a socket (both of its items); a socket already forgotten is no error."""
    ensure_bound()
    user_id = user_id or owner_of(connection_id)
    mine, owner = _keys(user_id or "", connection_id)
    with transaction() as tx:
        tx.delete(PushConnectionOwnerItem(*owner))
        if user_id:
            tx.delete(PushConnectionItem(*mine))


def of_user(user_id: str) -> list[str]:
    """The person's open sockets, but those whose time ran out (TTL deletes within days, not at once)."""
    ensure_bound()
    now = int(time.time())
    items = PushConnectionItem.query(f"USER#{user_id}", PushConnectionItem.sk.startswith("PUSHCONN#"))
    return [i.connection_id for i in items if i.ttl > now]
