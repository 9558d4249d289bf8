"""What appending to and reading the audit chains needs from storage: the DynamoDB store (the module
`supervision.store.audit`) and the in-memory fake (`supervision.store.audit_memory`) both pass
tests/contract/test_audit_store.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from supervision.store.audit import AuditEntry


class AuditStore(Protocol):
    def head(self, chain_id: str) -> tuple[int, str]:
        """(last seq, last hash) of the chain, or (0, GENESIS) for an empty one."""
        ...

    def recorded(self, chain_id: str, source_id: str) -> bool: ...

    def append(self, chain_id: str, source_id: str, build: Callable[[int, str], AuditEntry]) -> AuditEntry | None:
        """The entry `build(seq, prev_hash)` makes for the next free seq, appended with the chain's head moved to it,
        both or neither; None if the source was appended before. Of writers racing for a seq one wins, the others
        build again on the new head."""
        ...

    def entries(self, chain_id: str) -> tuple[list[AuditEntry], tuple[int, str]]:
        """Every entry of the chain in seq order, and the head."""
        ...
