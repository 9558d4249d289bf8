"""Load without loss, small: an 8-order soak (`python -m soak`) in its own process (it starts its own sandbox,
and moto is process-global), whose invariants must hold; then the checks must catch a tampered copy of what
that run stored (a corrupted audit entry, an hour held twice, a lost order, a status that disagrees).

Bounded: the soak's own wall-time bound is 60 s (past it, orders are not placed and the actors give up, and the
checks report what was left), the process is killed at 180 s; `make reliability` runs it (about a minute), the
big run is `make soak ORDERS=…`."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.reliability  # make reliability (CI runs it after make test), not make test

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 8


@pytest.fixture(scope="module")
def soak_run(tmp_path_factory) -> tuple[dict, dict, list[str]]:
    out = tmp_path_factory.mktemp("soak")
    figures, stored = out / "figures.json", out / "snapshot.json"
    command = [sys.executable, "-m", "soak", "--orders", str(ORDERS), "--seed", "3", "--threads", str(ORDERS)]
    command += ["--wait-seconds", "3", "--max-seconds", "60", "--json", str(figures), "--snapshot", str(stored)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert figures.exists(), done.stdout + done.stderr
    # The sandbox's errors (a 5xx's stack trace among them), for the report of a failing check
    errors = [line for line in (done.stdout + done.stderr).splitlines() if '"level":"ERROR"' in line or "Traceback" in line]
    return json.loads(figures.read_text(encoding="utf-8")), json.loads(stored.read_text(encoding="utf-8")), errors


def test_a_small_soak_loses_nothing(soak_run):
    figures, _, errors = soak_run
    failed = {c["name"]: c["problems"] for c in figures["checks"] if not c["ok"]}
    assert not failed, {"failed": failed, "sandbox errors": errors[:5]}
    assert figures["placed"] == ORDERS and sum(figures["by_status"].values()) == ORDERS
    assert figures["ok"]


def _checks(data: dict):
    from soak import checks

    return {c.name: c for c in checks.check_all(checks.from_json(data))}


def _failing(data: dict) -> set[str]:
    return {name for name, c in _checks(data).items() if not c.ok}


def test_the_untampered_snapshot_passes(soak_run):
    assert _failing(soak_run[1]) == set()


def test_a_corrupted_audit_entry_is_caught(soak_run):
    data = copy.deepcopy(soak_run[1])
    order_id, chain = next((k, c) for k, c in data["chains"].items() if len(c["entries"]) >= 2)
    chain["entries"][0]["actor"] = "someone_else"  # an edited field: the entry's hash no longer matches
    found = _checks(data)["every audit chain verifies"]
    assert not found.ok and any(order_id in p and "altered" in p for p in found.problems), found.problems
    # A removed last entry is caught too (the head records one more)
    data = copy.deepcopy(soak_run[1])
    data["chains"][order_id]["entries"].pop()
    assert "every audit chain verifies" in _failing(data)


def test_an_hour_held_twice_is_caught(soak_run):
    data = copy.deepcopy(soak_run[1])
    first, second = list(data["orders"])[:2]
    data["slots"] += [["tech_x", "2030-01-01T02", first], ["tech_x", "2030-01-01T02", second]]
    found = _checks(data)["no technician hour held twice"]
    assert not found.ok and any("held by 2 orders" in p for p in found.problems), found.problems


def test_a_lost_order_and_a_disagreeing_status_are_caught(soak_run):
    data = copy.deepcopy(soak_run[1])
    lost = next(iter(data["orders"]))
    del data["orders"][lost]
    assert {"every placed order is stored", "/stats counts equal the stored orders'"} <= _failing(data)
    data = copy.deepcopy(soak_run[1])
    closed = next(k for k, o in data["orders"].items() if o["status"] in ("closed", "cancelled"))
    data["orders"][closed]["status"] = "assigned"  # stored as open, but its execution has ended
    assert {
        "each order's status agrees with its execution",
        "every order finished or waiting with a deadline ahead",
        "/stats counts equal the stored orders'",
    } <= _failing(data)
