"""Where moto's SQS costs O(queue) clock reads per call, the sandbox reads the clock once per call.

moto works out a queue's attributes (the three approximate message counts among them) on every
SendMessage, and three times per message on every ReceiveMessage (its retention check asks for
them). Each count reads the clock once per message, and moto's clock is slow (a datetime
subtraction): with a few thousand messages in a queue, as a soak's backlog builds, one send cost
about 0.2 s and one receive of ten messages about 6 s here, so a backlog could only grow.
The counts below are moto's, with one reading of the clock for the whole queue, and the retention
check reads the one attribute it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.utils import unix_time, unix_time_millis
from moto.sqs.models import Message, Queue, SQSBackend


def _messages(queue: Queue) -> list[Message]:
    """The messages a receive can get: visible and not delayed."""
    now = unix_time_millis()
    return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]


def _delayed(queue: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for m in queue._messages if now < m.delayed_until)


def _not_visible(queue: Queue) -> int:
    now = unix_time_millis()
    return sum(1 for m in queue._messages if not now > m.visible_at)


def _within_retention(backend: SQSBackend, queue_name: str, message: Message) -> bool:
    retention_seconds = backend.get_queue(queue_name).message_retention_period
    return retention_seconds + message.sent_timestamp / 1000 > unix_time()


_PATCHES: dict[tuple[type, str], Any] = {
    (Queue, "messages"): property(_messages),
    (Queue, "approximate_number_of_messages_delayed"): property(_delayed),
    (Queue, "approximate_number_of_messages_not_visible"): property(_not_visible),
    (SQSBackend, "is_message_valid_based_on_retention_period"): _within_retention,
}


class FastSQS:
    """Installs the patches; `uninstall` puts moto back as it was."""

    def __init__(self) -> None:
        self._originals = {(owner, name): owner.__dict__[name] for owner, name in _PATCHES}

    def install(self) -> None:
        for (owner, name), replacement in _PATCHES.items():
            setattr(owner, name, replacement)

    def uninstall(self) -> None:
        for (owner, name), original in self._originals.items():
            setattr(owner, name, original)

    @contextmanager
    def moto_itself(self) -> Iterator[None]:
        """moto's own counts for a while, so a test can compare them with the patched ones."""
        self.uninstall()
        try:
            yield
        finally:
            self.install()
