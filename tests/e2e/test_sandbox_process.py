"""`make run` as a user meets it: a separate process that prints its URL and demo accounts, serves
the API, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_sandbox_process_starts_serves_and_stops_on_ctrl_c():
    env = {**os.environ, "PORT": "0", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        # Seeding the pilot-sized demo history takes a few seconds alone, a minute or more on a loaded machine.
        lines, url, deadline = [], None, time.monotonic() + 180
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if m := re.search(r"running at (http://\S+)", line):
                url = m.group(1)
        assert url, "".join(lines)
        while not any("sup_tongzhou" in line for line in lines) and time.monotonic() < deadline:
            lines.append(proc.stdout.readline())
        assert any("res_wang" in line and "西营前街5号楼" in line for line in lines), "demo accounts are printed"
        personas = requests.get(f"{url}/dev/personas", timeout=10).json()["personas"]
        assert {p["role"] for p in personas} == {"resident", "technician", "dispatcher", "supervisor"}
        assert requests.get(f"{url}/openapi.json", timeout=10).status_code == 200
        # The supervisors' statistics show the pilot-sized history (168 residents, 82 staff, 329 orders in all).
        token = requests.post(f"{url}/dev/login", json={"user_id": "sup_tongzhou"}, timeout=10).json()["access_token"]
        stats = requests.get(
            f"{url}/stats?compound_id=cp_649b5f256751", headers={"authorization": f"Bearer {token}"}, timeout=60
        ).json()
        assert stats["residents"] > 50 and stats["orders"]["orders"] > 100
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Stopped." in out
