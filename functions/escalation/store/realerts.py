"""Which escalations were alerted a second time: one claim per order and escalation.

Item `ORDER#<order>` / `REALERT#<escalated_at>` (`alerted_at`; expires by TTL after 30 days). A conditional put
lets exactly one run of the job claim an escalation; a claim whose event could not be published is released for
the next run.
"""

from __future__ import annotations

from typing import Protocol

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError

from shared.clock import parse
from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import TableItem

KEEP_SECONDS = 30 * 24 * 3600


class RealertStore(Protocol):
    def claim(self, order_id: str, escalated_at: str, *, at: str) -> bool:
        """True for the one caller that claims this escalation's second alert; False if it was claimed before."""
        ...

    def release(self, order_id: str, escalated_at: str, *, at: str) -> None:
        """Undo this caller's claim (`at` is its claim), so that the next run tries again."""
        ...


class RealertItem(TableItem):
    order_id = UnicodeAttribute()
    escalated_at = UnicodeAttribute()
    alerted_at = UnicodeAttribute()
    ttl = NumberAttribute()


def _key(order_id: str, escalated_at: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", f"REALERT#{escalated_at}"


class DynamoRealertStore:
    def claim(self, order_id: str, escalated_at: str, *, at: str) -> bool:
        ensure_bound()
        item = RealertItem(
            *_key(order_id, escalated_at),
            order_id=order_id,
            escalated_at=escalated_at,
            alerted_at=at,
            ttl=int(parse(at).timestamp()) + KEEP_SECONDS,
        )
        try:
            item.save(condition=RealertItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def release(self, order_id: str, escalated_at: str, *, at: str) -> None:
        ensure_bound()
        try:
            RealertItem(*_key(order_id, escalated_at)).delete(condition=RealertItem.alerted_at == at)
        except DeleteError as exc:
            if not condition_failed(exc):
                raise


class MemoryRealertStore:
    """The in-memory fake: the same answers as the table (tests/unit/test_escalation_realert.py runs both)."""

    def __init__(self) -> None:
        self.claims: dict[tuple[str, str], str] = {}

    def claim(self, order_id: str, escalated_at: str, *, at: str) -> bool:
        if (order_id, escalated_at) in self.claims:
            return False
        self.claims[(order_id, escalated_at)] = at
        return True

    def release(self, order_id: str, escalated_at: str, *, at: str) -> None:
        if self.claims.get((order_id, escalated_at)) == at:
            del self.claims[(order_id, escalated_at)]
