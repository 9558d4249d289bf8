"""The mini-program's pages against the sandbox over HTTP: 王奶奶 orders from its pages and decides the extra
charges line by line on its order page, and a new resident signs in through the mini-program's own WeChat sign-in
code (/auth/wechat, the fake WeChat server, the token's renewal), with the real API's shapes
(miniprogram/tests/sandbox/, jest with miniprogram-simulate, WeChat's WXML compiler). Needs miniprogram/node_modules
(`make test-miniprogram` installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

MINIPROGRAM = Path(__file__).resolve().parents[2] / "miniprogram"


def test_the_miniprogram_orders_and_decides_extra_charges_against_the_sandbox(sandbox):
    jest = MINIPROGRAM / "node_modules" / ".bin" / "jest"
    if not jest.exists() or not shutil.which("node"):
        pytest.skip("miniprogram/node_modules is not installed (make test-miniprogram installs it)")
    run = subprocess.run(
        [str(jest), "--config", "jest.sandbox.config.js", "--ci"],
        cwd=MINIPROGRAM,
        env={**os.environ, "LINLI_SANDBOX_URL": sandbox.url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
