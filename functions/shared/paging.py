"""Cursor paging for list routes: `limit` items a page, and an opaque `next_cursor` that continues the list.

A list newest first is read from one or several index partitions that share one sort key, `<created_at>#<id>`
(e.g. a resident's own orders and those of the residents she acts for). A page queries each partition for the
items before the cursor's position, merges them newest first and keeps `limit`; the cursor is the position of the
last item kept. So nothing is skipped or repeated between pages, however many partitions are merged, and a cursor
is only a position: it cannot widen the partitions a caller may read, which the route works out from the caller
every time. It names its list: a cursor of another list is refused, as is anything that does not decode.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from shared.errors import DomainError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# `<ISO 8601 instant>#<id>`: the sort key of every paged list.
_POSITION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)#[A-Za-z0-9_.:-]{1,200}$")


class InvalidCursor(DomainError):
    status = 400
    code = "invalid_cursor"
    message_zh = "翻页标记无效，请从第一页重新开始"
    message_en = "The cursor is not valid: start again from the first page."


def encode(list_name: str, position: str) -> str:
    text = json.dumps({"list": list_name, "before": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(list_name: str, cursor: str | None) -> str | None:
    """The position a cursor continues from (None for the first page); InvalidCursor for anything else."""
    if cursor is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor() from None
    if not isinstance(data, dict) or set(data) != {"list", "before"} or data["list"] != list_name:
        raise InvalidCursor()
    position = data["before"]
    if not isinstance(position, str) or not _POSITION.match(position):
        raise InvalidCursor()
    return position


def merge_newest_first(
    sources: Iterable[Callable[[str | None, int], list[T]]],
    *,
    position_of: Callable[[T], str],
    before: str | None,
    limit: int,
) -> tuple[list[T], str | None]:
    """One page of the merged list: each source gives up to `limit` items before `before`, newest first. The items
    (one of each position: an item several partitions hold is kept once) and the position to continue from, None
    when no source has more."""
    found: dict[str, T] = {}
    some_source_full = False
    for source in sources:
        items = source(before, limit)
        some_source_full |= len(items) >= limit
        for item in items:
            found.setdefault(position_of(item), item)
    ordered = [found[p] for p in sorted(found, reverse=True)]
    page = ordered[:limit]
    more = len(ordered) > limit or some_source_full
    return page, (position_of(page[-1]) if page and more else None)
