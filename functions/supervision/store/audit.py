"""The append-only, hash-chained audit log (docs/supervision.md). Entries are put, never updated.

Appending is a transaction of three conditional writes: the entry (its seq must be free), the source marker
(the same event or request is appended once) and the chain's head (it must still be at the seq read), so two
writers racing for the same seq cannot both succeed; the loser re-reads the head and tries again.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError

from shared.dal.base import condition_failed, ensure_bound, transaction
from shared.dal.tables import TableItem, item_of
from shared.errors import Conflict


class AuditEntry(BaseModel):
    """One link of an order's hash chain (docs/supervision.md): `hash` covers every other field."""

    chain_id: str  # an order id, or `company:<id>` / `technician:<id>` for admission decisions
    seq: int
    at: str
    kind: str
    actor: str
    detail: dict = Field(default_factory=dict)
    source_id: str  # what caused it (an event id, a request): the same source is appended once
    prev_hash: str
    hash: str


AuditItem = item_of(
    AuditEntry,
    "AuditItem",
    "pk AUDIT#<chain>, sk SEQ#<10-digit seq>: one link of a hash chain. Never updated.",
)


class AuditHeadItem(TableItem):
    """pk AUDIT#<chain>, sk HEAD: the last link's seq and hash; appends are conditional on it."""

    seq = NumberAttribute()
    hash = UnicodeAttribute()


class AuditSourceItem(TableItem):
    """pk AUDIT#<chain>, sk SRC#<source id>: the source was appended (a retried event is skipped)."""

    seq = NumberAttribute()


GENESIS = "0" * 64
HEAD = "HEAD"
MAX_ATTEMPTS = 10


def _pk(chain_id: str) -> str:
    return f"AUDIT#{chain_id}"


def seq_key(seq: int) -> str:
    return f"SEQ#{seq:010d}"


def head(chain_id: str) -> tuple[int, str]:
    """(last seq, last hash) of the chain, or (0, GENESIS) for an empty one."""
    ensure_bound()
    try:
        item = AuditHeadItem.get(_pk(chain_id), HEAD, consistent_read=True)
    except AuditHeadItem.DoesNotExist:
        return 0, GENESIS
    return int(item.seq), item.hash


def recorded(chain_id: str, source_id: str) -> bool:
    ensure_bound()
    try:
        AuditSourceItem.get(_pk(chain_id), f"SRC#{source_id}", consistent_read=True)
    except AuditSourceItem.DoesNotExist:
        return False
    return True


def append(chain_id: str, source_id: str, build: Callable[[int, str], AuditEntry]) -> AuditEntry | None:
    """Append the entry `build(seq, prev_hash)` makes for the next free seq; None if the source was
    already appended. Retries a lost race on a fresh head."""
    ensure_bound()
    pk = _pk(chain_id)
    for _ in range(MAX_ATTEMPTS):
        if recorded(chain_id, source_id):
            return None
        last_seq, last_hash = head(chain_id)
        entry = build(last_seq + 1, last_hash)
        item = AuditItem(pk, seq_key(entry.seq), **entry.model_dump())
        head_condition = AuditHeadItem.pk.does_not_exist() if last_seq == 0 else AuditHeadItem.seq == last_seq
        try:
            with transaction() as tx:
                tx.save(item, condition=AuditItem.pk.does_not_exist())
                tx.save(AuditSourceItem(pk, f"SRC#{source_id}", seq=entry.seq), condition=AuditSourceItem.pk.does_not_exist())
                tx.save(AuditHeadItem(pk, HEAD, seq=entry.seq, hash=entry.hash), condition=head_condition)
        except TransactWriteError as exc:
            if condition_failed(exc):
                continue
            raise
        return entry
    raise Conflict("审计日志写入冲突，请重试", "The audit log is busy; try again.")


def entries(chain_id: str) -> tuple[list[AuditEntry], tuple[int, str]]:
    """Every entry of the chain in seq order, and the head (to detect a removed last entry)."""
    ensure_bound()
    items = AuditItem.query(_pk(chain_id), AuditItem.sk.startswith("SEQ#"), consistent_read=True)
    found = [
        AuditEntry(**{k: getattr(i, k) for k in AuditEntry.model_fields} | {"seq": int(i.seq), "detail": i.detail or {}})
        for i in items
    ]
    return found, head(chain_id)
