"""Where moto's SQS costs O(queue) clock reads per call, the sandbox reads the clock once per call.

moto works out a queue's attributes (the three approximate message counts among them) on every
SendMessage, and three times per message on every ReceiveMessage (its retention check asks for
them). Each count reads the clock once per message, and moto's clock is slow (a datetime
subtraction): with a few thousand messages in a queue, as a soak's backlog builds, one send cost
about 0.2 s and one receive of ten messages about 6 s here, so a backlog could only grow.
The counts below are moto's, with one reading of the clock for the whole queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from moto.core.utils import unix_time_millis
from moto.sqs.models import Message, Queue


def _visible_and_not_delayed(message: Message, now: float) -> bool:
    return now > message.visible_at and not now < message.delayed_until


class FastSQS:
    """Installs the patches; `uninstall` puts moto back as it was."""

    _PATCHED = ("messages", "approximate_number_of_messages_delayed", "approximate_number_of_messages_not_visible")

    def __init__(self) -> None:
        self._originals = {name: Queue.__dict__[name] for name in self._PATCHED}

    def install(self) -> None:
        def messages(queue: Queue) -> list[Message]:
            now = unix_time_millis()
            return [m for m in queue._messages if _visible_and_not_delayed(m, now)]

        def delayed(queue: Queue) -> int:
            now = unix_time_millis()
            return sum(1 for m in queue._messages if now < m.delayed_until)

        def not_visible(queue: Queue) -> int:
            now = unix_time_millis()
            return sum(1 for m in queue._messages if not now > m.visible_at)

        Queue.messages = property(messages)  # type: ignore[method-assign,assignment]
        Queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[method-assign,assignment]
        Queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        for name, original in self._originals.items():
            setattr(Queue, name, original)

    @contextmanager
    def moto_itself(self) -> Iterator[None]:
        """moto's own counts for a while, so a test can compare them with the patched ones."""
        patched = {name: Queue.__dict__[name] for name in self._PATCHED}
        self.uninstall()
        try:
            yield
        finally:
            for name, function in patched.items():
                setattr(Queue, name, function)
