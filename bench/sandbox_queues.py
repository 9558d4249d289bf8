"""The sandbox's SQS counts (local/fast_sqs.py: one reading of the clock per call) against moto as shipped,
side by side in one run:

    .venv/bin/python -m bench.sandbox_queues [--rounds 3]

For queues holding 100, 2,000 and 8,000 messages (a soak's backlog), times one SendMessage and one
ReceiveMessage of ten, alternating fast / moto / fast … so the machine's drift hits both alike.
Prints the medians and ratios. Not part of `make bench` (it measures the sandbox, not the platform);
docs/benchmarks.md quotes it.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from contextlib import nullcontext
from functools import partial

import boto3
from moto import mock_aws
from moto.sqs.models import Message, sqs_backends

from local.fast_sqs import FastSQS

BACKLOGS = (100, 2_000, 8_000)
REGION = "cn-north-1"


def _queue_with(backlog: int) -> tuple[object, str]:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=f"bench-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue = sqs_backends["123456789012"][REGION].queues[url.rsplit("/", 1)[1]]
    for _ in range(backlog):  # straight into moto's list: sending them would take minutes without the patch
        message = Message(str(uuid.uuid4()), "backlog")
        message.mark_sent()
        queue._messages.append(message)
    return sqs, url


def _time(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    fast = FastSQS()
    times: dict[tuple[str, int, str], list[float]] = {}
    with mock_aws():
        fast.install()
        try:
            for backlog in BACKLOGS:
                sqs, url = _queue_with(backlog)
                for _ in range(rounds):
                    for mode in ("fast", "moto"):
                        context = fast.moto_itself() if mode == "moto" else nullcontext()
                        with context:
                            send = _time(partial(sqs.send_message, QueueUrl=url, MessageBody="one more"))
                            receive = _time(partial(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=10))
                        times.setdefault(("SendMessage", backlog, mode), []).append(send)
                        times.setdefault(("ReceiveMessage (10)", backlog, mode), []).append(receive)
        finally:
            fast.uninstall()
    print("| call | messages in the queue | sandbox (ms) | moto as shipped (ms) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for call in ("SendMessage", "ReceiveMessage (10)"):
        for backlog in BACKLOGS:
            ours = statistics.median(times[(call, backlog, "fast")])
            theirs = statistics.median(times[(call, backlog, "moto")])
            print(f"| {call} | {backlog:,} | {ours:.1f} | {theirs:.1f} | {theirs / ours:.0f}× |")


if __name__ == "__main__":
    main()
