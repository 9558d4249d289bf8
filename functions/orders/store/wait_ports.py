"""What the workflow waits' use cases need from storage: the DynamoDB store (the module `orders.store.callbacks`) and
the in-memory fake (`orders.store.wait_memory`) both pass tests/contract/test_wait_store.py. Each rule that two
callers could race on (who resumes a step, who warns of a deadline) is one conditional write."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from orders.store.callbacks import WorkflowWait


class WaitStore(Protocol):
    def register(
        self,
        order_id: str,
        step: str,
        token: str,
        *,
        at: str,
        entered_at: str | None = None,
        deadline_at: str | None = None,
        warn: bool = False,
        remind_at: str | None = None,
    ) -> None:
        """Store the wait's token, replacing an earlier wait of the same step (and with it its warning)."""
        ...

    def wait(self, order_id: str, step: str) -> WorkflowWait | None: ...

    def token(self, order_id: str, step: str) -> str | None:
        """The wait's token while nobody has taken it to resume the step."""
        ...

    def consume(self, order_id: str, step: str) -> str | None:
        """Take the token to resume the step: exactly one caller gets it, every other None."""
        ...

    def unwarned_due_between(self, start: datetime, end: datetime) -> list[WorkflowWait]:
        """The waits registered with `warn` whose deadline falls in [start, end] and not warned yet, soonest first."""
        ...

    def unreminded_ratings_between(self, start: datetime, end: datetime) -> list[WorkflowWait]:
        """The rating waits whose reminder falls due in [start, end] and not reminded yet, soonest first."""
        ...

    def claim_warning(self, order_id: str, step: str, deadline_at: str, *, at: str) -> bool:
        """Mark the wait warned if it is still that wait (same deadline, not taken) and not warned yet: of two
        overlapping runs exactly one claims it."""
        ...

    def release_warning(self, order_id: str, step: str, *, at: str) -> None:
        """Undo a claim made `at` whose warning could not be published, so the next run tries again."""
        ...
