"""What a DynamoDB transaction costs the function that writes it: a process-wide PynamoDB Connection (what
`shared.dal.base.transaction` uses) against a new Connection per transaction (what it did before), side by side,
interleaved, in one process against moto's DynamoDB.

    .venv/bin/python -m bench.transactions [--rounds 40]

A new Connection builds a new botocore session and client, which reloads the service's JSON models: CPU the
Lambda function is billed for on every transaction, in AWS as in the sandbox.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.harness import ROOT  # noqa: F401  (puts functions/ on sys.path)


def _one_transaction(connection, n: int) -> None:
    from pynamodb.transactions import TransactWrite

    from addresses.store.address_book import AddressItem

    item = AddressItem(f"USER#bench{n}", f"ADDRESS#{n}", address_id=str(n), compound_id="cp", label="x", lat=0, lng=0)
    with TransactWrite(connection=connection) as tx:
        tx.save(item)


def measure(rounds: int = 40) -> dict:
    import os

    from moto import mock_aws

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    with mock_aws():
        import boto3
        from pynamodb.connection import Connection

        from local.runtime import table_definition
        from shared.dal import base
        from shared.settings import get_settings

        boto3.client("dynamodb", region_name=get_settings().aws_region).create_table(**table_definition())
        base.ensure_bound()
        shared_connection = base.connection()
        _one_transaction(shared_connection, -1)  # both warm: models loaded once in this process
        _one_transaction(Connection(region=shared_connection.region), -2)
        times: dict[str, list[float]] = {"shared": [], "new": []}
        for n in range(rounds):
            for kind in ("shared", "new") if n % 2 else ("new", "shared"):
                started = time.process_time()
                _one_transaction(shared_connection if kind == "shared" else Connection(region=shared_connection.region), n)
                times[kind].append(time.process_time() - started)
    medians = {k: statistics.median(v) * 1000 for k, v in times.items()}
    return {"rounds": rounds, "cpu_ms_median": medians, "ratio_new_to_shared": medians["new"] / medians["shared"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    result = measure(parser.parse_args().rounds)
    m = result["cpu_ms_median"]
    print(f"CPU per TransactWriteItems, median of {result['rounds']} each, interleaved:")
    print(f"  process-wide Connection  {m['shared']:7.2f} ms")
    print(f"  new Connection each time {m['new']:7.2f} ms  ({result['ratio_new_to_shared']:.1f}x)")


if __name__ == "__main__":
    main()
