"""The audit chains in memory, for the use cases' tests: the same contract as the DynamoDB store
(tests/contract/test_audit_store.py), one lock standing in for the append's transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable

from supervision.store.audit import GENESIS, AuditEntry


class MemoryAuditStore:
    def __init__(self) -> None:
        self.chains: dict[str, list[AuditEntry]] = {}
        self.sources: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def head(self, chain_id: str) -> tuple[int, str]:
        chain = self.chains.get(chain_id) or []
        return (chain[-1].seq, chain[-1].hash) if chain else (0, GENESIS)

    def recorded(self, chain_id: str, source_id: str) -> bool:
        return (chain_id, source_id) in self.sources

    def append(self, chain_id: str, source_id: str, build: Callable[[int, str], AuditEntry]) -> AuditEntry | None:
        with self._lock:
            if self.recorded(chain_id, source_id):
                return None
            seq, last_hash = self.head(chain_id)
            entry = build(seq + 1, last_hash)
            self.chains.setdefault(chain_id, []).append(entry)
            self.sources[(chain_id, source_id)] = entry.seq
            return entry

    def entries(self, chain_id: str) -> tuple[list[AuditEntry], tuple[int, str]]:
        return list(self.chains.get(chain_id) or []), self.head(chain_id)
