"""`make run`: start the sandbox and serve until Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "functions"))

from local import demo_data  # noqa: E402
from local.sandbox import Sandbox  # noqa: E402
from local.websocket import STAGE_PATH  # noqa: E402


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    # Where browsers reach the /s3 front in signed URLs (default: this host and port), e.g. behind a proxy.
    endpoint = (
        {"LINLI_STORAGE_PUBLIC_ENDPOINT": os.environ["LINLI_STORAGE_PUBLIC_ENDPOINT"]}
        if os.environ.get("LINLI_STORAGE_PUBLIC_ENDPOINT")
        else None
    )
    sandbox = Sandbox(
        host=os.environ.get("HOST", "127.0.0.1"), port=port, env=endpoint, verbose=os.environ.get("VERBOSE") == "1"
    ).start()
    print(f"邻里 Linli sandbox running at {sandbox.url}  (Ctrl-C to stop)")
    print(f"  API document: {sandbox.url}/openapi.json")
    print(f"  Web push:     {sandbox.url.replace('http://', 'ws://', 1)}{STAGE_PATH}?token=<access_token>")
    print(f'  Sign in:      curl -s -X POST {sandbox.url}/dev/login -d \'{{"user_id": "res_wang"}}\'')
    print("  Demo accounts:")
    for p in demo_data.personas():
        extra = ", ".join(a["address_id"] + " " + a["label"] for a in p.get("addresses", []))
        print(f"    {p['user_id']:<15} {p['role']:<11} {p['name']}" + (f"  [{extra}]" if extra else ""))
    sys.stdout.flush()
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    print("\nStopping the sandbox…")
    sandbox.stop()
    print("Stopped.")


if __name__ == "__main__":
    main()
