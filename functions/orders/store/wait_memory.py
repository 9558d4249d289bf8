"""The workflow waits in memory, for the use cases' tests: the same contract as the DynamoDB store
(tests/contract/test_wait_store.py), one lock standing in for the conditional writes."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime

from orders.store.callbacks import WorkflowWait
from shared.clock import iso


@dataclass
class _Stored:
    wait: WorkflowWait
    token: str
    claimed_by: str | None = None
    indexed_at: str | None = None  # the deadline (warned waits) or the reminder's time (rating waits), if indexed
    kind: str | None = None  # "deadline" or "reminder"


class MemoryWaitStore:
    def __init__(self) -> None:
        self.waits: dict[tuple[str, str], _Stored] = {}
        self._lock = threading.Lock()

    def register(self, order_id, step, token, *, at, entered_at=None, deadline_at=None, warn=False, remind_at=None) -> None:
        wait = WorkflowWait(order_id=order_id, step=step, registered_at=at, entered_at=entered_at, deadline_at=deadline_at)
        indexed, kind = (
            (deadline_at, "deadline") if warn and deadline_at else (remind_at, "reminder") if remind_at else (None, None)
        )
        with self._lock:
            self.waits[(order_id, step)] = _Stored(wait, token, indexed_at=indexed, kind=kind)

    def wait(self, order_id: str, step: str) -> WorkflowWait | None:
        stored = self.waits.get((order_id, step))
        return stored.wait if stored else None

    def token(self, order_id: str, step: str) -> str | None:
        stored = self.waits.get((order_id, step))
        return stored.token if stored and not stored.claimed_by else None

    def consume(self, order_id: str, step: str) -> str | None:
        with self._lock:
            stored = self.waits.get((order_id, step))
            if stored is None or stored.claimed_by:
                return None
            stored.claimed_by = uuid.uuid4().hex
            return stored.token

    def _indexed_between(self, kind: str, start: datetime, end: datetime) -> list[WorkflowWait]:
        low, high = iso(start), f"{iso(end)}~"
        found = [
            s for s in self.waits.values()
            if s.kind == kind and s.wait.warned_at is None and low <= f"{s.indexed_at}#{s.wait.order_id}#{s.wait.step}" <= high
        ]  # fmt: skip
        return [s.wait for s in sorted(found, key=lambda s: (s.indexed_at, s.wait.order_id, s.wait.step))]

    def unwarned_due_between(self, start: datetime, end: datetime) -> list[WorkflowWait]:
        return self._indexed_between("deadline", start, end)

    def unreminded_ratings_between(self, start: datetime, end: datetime) -> list[WorkflowWait]:
        return self._indexed_between("reminder", start, end)

    def claim_warning(self, order_id: str, step: str, deadline_at: str, *, at: str) -> bool:
        with self._lock:
            stored = self.waits.get((order_id, step))
            if stored is None or stored.claimed_by or stored.wait.deadline_at != deadline_at or stored.wait.warned_at:
                return False
            stored.wait = stored.wait.model_copy(update={"warned_at": at})
            return True

    def release_warning(self, order_id: str, step: str, *, at: str) -> None:
        with self._lock:
            stored = self.waits.get((order_id, step))
            if stored is not None and stored.wait.warned_at == at:
                stored.wait = stored.wait.model_copy(update={"warned_at": None})
