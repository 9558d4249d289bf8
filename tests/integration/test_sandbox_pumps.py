"""The sandbox's stream pump (local.pumps.StreamPump): a drain asked to end by a given time does, caught up or
not; the soak's settling waited for a backlog's drain without bound."""

from __future__ import annotations

import threading
import time


def test_a_drain_with_a_deadline_ends_by_it_while_another_drain_holds_the_stream(sandbox):
    pump = sandbox.pump
    held, release = threading.Event(), threading.Event()

    def long_drain() -> None:  # the pump's own round, busy with a long backlog
        with pump._lock:
            held.set()
            release.wait(10)

    busy = threading.Thread(target=long_drain)
    busy.start()
    try:
        held.wait(5)
        started = time.monotonic()
        moved = pump.drain(until=started + 0.3)
        # It returns at its deadline, saying that something is still to move (so nothing takes it as settled)
        assert moved >= 1 and time.monotonic() - started < 3
    finally:
        release.set()
        busy.join(10)


def test_a_drain_past_its_deadline_stops_before_delivering(sandbox):
    from identity.domain.records import User
    from identity.store import accounts

    pump = sandbox.pump
    pump.pause()
    try:
        accounts.put_user(User(user_id=f"pump_check_{time.time_ns()}", role="resident", name="测试"))
        assert pump.drain(until=time.monotonic() - 1) == 1  # records waiting: not caught up
        assert pump.drain() >= 0 and pump.drain(until=time.monotonic() + 5) == 0  # then caught up, within it
    finally:
        pump.resume()
