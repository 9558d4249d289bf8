"""tests.conftest.reload_settings: a read of the settings that began before a test changed the environment, and
stores them after the cache was cleared, does not leave the old settings for the handlers (a CI failure)."""

from __future__ import annotations

import os
import threading

import pytest

from orders.domain.settings import OrderSettings, order_settings
from shared.settings import reset_settings
from tests.conftest import reload_settings


@pytest.fixture
def an_old_read_finishing_late(monkeypatch):
    """A thread that has read the environment (escalation 60 s) and stores its settings only once the main
    thread has begun reading the new environment: the worst moment."""
    monkeypatch.setenv("LINLI_ESCALATION_SECONDS", "60")
    reset_settings()
    has_read, may_store = threading.Event(), threading.Event()
    original = OrderSettings.__init__

    def init(self, **values):
        original(self, **values)
        if threading.current_thread().name == "old-read":
            has_read.set()
            may_store.wait(5)
        elif not may_store.is_set():  # the main thread's first read of the new environment
            may_store.set()
            old_read.join(5)

    monkeypatch.setattr(OrderSettings, "__init__", init)
    old_read = threading.Thread(target=order_settings, name="old-read")
    old_read.start()
    has_read.wait(5)
    monkeypatch.setenv("LINLI_ESCALATION_SECONDS", "2")
    yield
    may_store.set()
    old_read.join(5)
    reset_settings()


def test_a_plain_clear_leaves_the_old_settings(an_old_read_finishing_late):
    # The hazard itself: a clear, then a read that returns the new settings, and the old ones are what stays
    reset_settings()
    assert order_settings().escalation_seconds == 2
    assert order_settings().escalation_seconds == 60


def test_reload_settings_leaves_the_new_ones(an_old_read_finishing_late):
    reload_settings()
    assert order_settings().escalation_seconds == 2 == int(os.environ["LINLI_ESCALATION_SECONDS"])
