"""The HTTP API's OpenAPI document, served by `GET /openapi.json` as it was assembled at deploy time.

The document spans every domain; it is put together outside the Lambda package (deploy/openapi.py) and handed to
the function as a file: CDK writes it into the functions' asset at `PACKAGED` (orders/openapi.json), the sandbox
writes it to a file of its own and names it in `LINLI_OPENAPI_DOCUMENT`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from orders.domain.settings import order_settings

PACKAGED = Path(__file__).resolve().parents[1] / "openapi.json"


def published() -> dict:
    return _read(order_settings().openapi_document or str(PACKAGED))


@lru_cache(maxsize=4)
def _read(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
