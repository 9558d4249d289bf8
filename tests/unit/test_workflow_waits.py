"""Registering a workflow wait and resuming it (orders.service.waits) on the in-memory wait store: whichever of the
API and the waiting task comes second resumes the step, exactly once."""

from __future__ import annotations

import pytest

from orders.domain.steps import Step
from orders.service import waits
from orders.store.wait_memory import MemoryWaitStore
from tests.unit.matching_fixtures import order as an_order

ENTERED = "2026-11-25T02:00:00.000Z"


@pytest.fixture
def world():
    class World:
        store = MemoryWaitStore()
        orders = {"ord_1": an_order(status="assigned")}
        resumed: list[tuple[str, dict]] = []

        def register(self, step: Step, **event):
            payload = {"order_id": "ord_1", "step": step.value, "task_token": f"tok-{step}"} | event
            return waits.register(step, payload, store=self.store, read_order=self.orders.__getitem__, resume=self.resume)

        def resume(self, token: str, output: dict) -> bool:
            self.resumed.append((token, output))
            return True

        def api_reports(self, step: Step, status: str) -> bool:
            self.orders["ord_1"] = self.orders["ord_1"].model_copy(update={"status": status})
            return waits.resume_step("ord_1", step, {"step": step.value}, store=self.store, resume=self.resume)

    return World()


def test_the_wait_first_then_the_api_resumes_it(world):
    assert world.register(Step.COMPLETION) == {"registered": True, "already_done": False}
    assert world.resumed == []
    assert world.api_reports(Step.COMPLETION, "completed")
    assert world.resumed == [("tok-completion", {"step": "completion"})]


def test_the_api_first_then_the_wait_resumes_itself(world):
    assert not world.api_reports(Step.COMPLETION, "completed"), "no wait yet: nothing to resume"
    assert world.register(Step.COMPLETION) == {"registered": True, "already_done": True}
    assert world.resumed == [("tok-completion", {"step": "completion", "status": "completed"})]


def test_a_step_is_resumed_once_whoever_asks_again(world):
    world.register(Step.RATING)
    assert world.api_reports(Step.RATING, "rated")
    assert not world.api_reports(Step.RATING, "rated")
    assert len(world.resumed) == 1


def test_a_wait_with_a_timeout_is_stored_with_its_deadline_and_a_warned_step_is_indexed(world):
    world.register(Step.DISPATCH, timeout_seconds=3600, entered_at=ENTERED)
    wait = world.store.wait("ord_1", "dispatch")
    assert (wait.entered_at, wait.deadline_at) == (ENTERED, "2026-11-25T03:00:00.000Z")
    from datetime import UTC, datetime

    due = world.store.unwarned_due_between(datetime(2026, 11, 25, 2, tzinfo=UTC), datetime(2026, 11, 25, 4, tzinfo=UTC))
    assert [w.order_id for w in due] == ["ord_1"]


def test_a_wait_of_another_step_than_its_handler_serves_is_refused(world):
    with pytest.raises(waits.WrongStep):
        waits.register(Step.RATING, {"order_id": "ord_1", "step": "completion", "task_token": "t"}, store=world.store)
