"""The sandbox's queues (local.fast_sqs) count messages with one reading of the clock per call, where moto
reads it once per message: the counts must be moto's own, and a send or a receive must not read the
clock once per message already in the queue (a soak's backlog made each send cost about 0.2 s)."""

from __future__ import annotations

import contextlib
import threading
import uuid

import moto.core.utils
import pytest

COUNTS = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
BACKLOG = 2_000


@pytest.fixture
def queue(sandbox):
    """A queue of its own with a backlog: visible messages, some received (in flight), some delayed."""
    sqs = sandbox.aws.client("sqs")
    url = sqs.create_queue(QueueName=f"count-check-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
    for batch in range(BACKLOG // 10):
        delay = 900 if batch % 10 == 0 else 0
        entries = [{"Id": str(i), "MessageBody": f"{batch}-{i}", "DelaySeconds": delay} for i in range(10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    for _ in range(5):
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    yield sqs, url
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def clock_reads(monkeypatch):
    """How often this thread reads moto's clock (the sandbox's pumps read it too, on threads of their own)."""
    reads = {"count": 0}
    me = threading.get_ident()
    original = moto.core.utils.unix_time

    def counted(*args, **kwargs):
        if threading.get_ident() == me:
            reads["count"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(moto.core.utils, "unix_time", counted)
    return reads


def _counts(sqs, url) -> dict[str, str]:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=COUNTS)["Attributes"]


def test_the_counts_are_motos_own(sandbox, queue):
    sqs, url = queue
    patched = _counts(sqs, url)
    with sandbox.aws.fast_sqs.moto_itself():
        assert _counts(sqs, url) == patched
    assert patched == {
        "ApproximateNumberOfMessages": str(BACKLOG - BACKLOG // 10 - 50),
        "ApproximateNumberOfMessagesNotVisible": "50",
        "ApproximateNumberOfMessagesDelayed": str(BACKLOG // 10),
    }


def test_a_receive_gets_the_messages_moto_would_give(sandbox, queue):
    sqs, url = queue
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    with sandbox.aws.fast_sqs.moto_itself():
        also = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    # Neither gives a delayed message nor one in flight, and the two receives do not overlap.
    bodies = [m["Body"] for m in got + also]
    assert len(set(bodies)) == 20
    assert not any(body.split("-")[0] in {str(b) for b in range(0, BACKLOG // 10, 10)} for body in bodies)


@pytest.mark.parametrize("call", ["send", "receive"])
def test_a_call_does_not_read_the_clock_per_message_in_the_queue(sandbox, queue, clock_reads, call):
    sqs, url = queue

    def one_call() -> int:
        clock_reads["count"] = 0
        if call == "send":
            sqs.send_message(QueueUrl=url, MessageBody="one more")
        else:
            assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 10
        return clock_reads["count"]

    assert one_call() < 200
    with sandbox.aws.fast_sqs.moto_itself():
        assert one_call() > BACKLOG  # what the patch saves: moto reads the clock per message


@pytest.mark.parametrize("moto_itself", [False, True], ids=["sandbox", "moto"])
def test_a_message_past_its_retention_period_is_not_received(sandbox, moto_itself):
    from moto.sqs.models import sqs_backends

    from local.runtime import ACCOUNT, REGION

    sqs = sandbox.aws.client("sqs")
    name = f"retention-check-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="kept")
    sqs.send_message(QueueUrl=url, MessageBody="too old")
    sqs_backends[ACCOUNT][REGION].queues[name]._messages[1].sent_timestamp -= 61_000
    with sandbox.aws.fast_sqs.moto_itself() if moto_itself else contextlib.nullcontext():
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    sqs.delete_queue(QueueUrl=url)
    assert [m["Body"] for m in got] == ["kept"]
