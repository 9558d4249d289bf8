"""The hash chain (pure): how an entry's hash is made, and how a chain is verified.

hash = SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every field but `hash` itself,
`prev_hash` included; the first entry's `prev_hash` is 64 zeros. Editing any field of any entry changes its
hash; recomputing that hash breaks the next entry's `prev_hash`; removing an entry leaves a gap in `seq`
(or, for the last one, a chain shorter than its head). See docs/supervision.md.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, Field

from supervision.store.audit import AuditEntry

GENESIS = "0" * 64


def entry_hash(entry: AuditEntry | dict) -> str:
    data = entry.model_dump() if isinstance(entry, AuditEntry) else dict(entry)
    data.pop("hash", None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link(*, chain_id: str, seq: int, prev_hash: str, at: str, kind: str, actor: str, detail: dict, source_id: str) -> AuditEntry:
    """The entry for position `seq`, chained to `prev_hash`."""
    fields = {
        "chain_id": chain_id,
        "seq": seq,
        "at": at,
        "kind": kind,
        "actor": actor,
        "detail": json.loads(json.dumps(detail, default=str)),  # exactly what the table will give back
        "source_id": source_id,
        "prev_hash": prev_hash,
    }
    return AuditEntry(**fields, hash=entry_hash(fields))


class Verification(BaseModel):
    valid: bool
    length: int
    problems: list[str] = Field(default_factory=list)
    first_bad_seq: int | None = None


def verify(entries: list[AuditEntry], head: tuple[int, str], *, ended: bool = False) -> Verification:
    """Recompute every hash and link; compare the last entry with the chain's head. An order that has ended (closed,
    cancelled, unfulfilled) went through steps that are all recorded: with no entry at all its chain is not valid."""
    if ended and not entries:
        return Verification(
            valid=False, length=0, problems=["the order has ended but its audit chain has no entries"], first_bad_seq=1
        )
    problems: list[str] = []
    first_bad: int | None = None
    previous = GENESIS
    for expected_seq, entry in enumerate(sorted(entries, key=lambda e: e.seq), start=1):
        if entry.seq != expected_seq:
            problems.append(f"entry {expected_seq} is missing (found {entry.seq})")
        elif entry.prev_hash != previous:
            problems.append(f"entry {entry.seq} does not follow the entry before it")
        elif entry_hash(entry) != entry.hash:
            problems.append(f"entry {entry.seq} was altered")
        if problems and first_bad is None:
            first_bad = min(expected_seq, entry.seq)
        if problems:
            break
        previous = entry.hash
    head_seq, head_hash = head
    if not problems and (len(entries) != head_seq or (entries and previous != head_hash)):
        problems.append(f"the chain has {len(entries)} entries but its head records {head_seq}")
        first_bad = min(len(entries), head_seq) + 1
    return Verification(valid=not problems, length=len(entries), problems=problems, first_bad_seq=first_bad)


TECHNICIAN_KEYS = ("technician_id", "offer_technician_id")
OTHER_COMPANY = "another_company"  # what a dispatcher sees in place of another company's technician


def technicians_named(entries: list[AuditEntry]) -> set[str]:
    """Every technician id the entries' details name."""
    return {e.detail[k] for e in entries for k in TECHNICIAN_KEYS if isinstance(e.detail.get(k), str)}


def for_company(entries: list[AuditEntry], own_technicians: set[str]) -> list[AuditEntry]:
    """The entries as a company's dispatcher sees them: another company's technicians (offered the order before it
    reached this company, say) are not named. Hashes are left as recorded; the chain is verified on the originals."""
    others = technicians_named(entries) - own_technicians
    shown = []
    for e in entries:
        detail = {k: OTHER_COMPANY if k in TECHNICIAN_KEYS and v in others else v for k, v in e.detail.items()}
        actor = OTHER_COMPANY if e.actor in others else e.actor
        shown.append(e.model_copy(update={"detail": detail, "actor": actor}))
    return shown
