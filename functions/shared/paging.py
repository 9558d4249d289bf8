"""Cursor paging for list routes: `limit` items a page, and an opaque `next_cursor` that continues the list.

A list newest first is read from one or several index partitions that share one sort key, `<created_at>#<id>`
(e.g. a resident's own orders and those of the residents she acts for). A page queries each partition for the
items before the cursor's position, merges them newest first and keeps `limit`; the cursor is the position of the
last item kept. So nothing is skipped or repeated between pages, however many partitions are merged, and a cursor
is only a position: it cannot widen the partitions a caller may read, which the route works out from the caller
every time. It names its list: a cursor of another list is refused, as is anything that does not decode.

Two more shapes share the same cursor envelope:
- a list read by one DynamoDB Query continues from the key of its last item (`shared.dal.base.query_page`; the
  key must lie in the partition the route queries, so it cannot reach another company's items);
- a short list read whole and sorted in memory (a district's compounds, a company's technicians, the credit
  ranking) continues after the sort key of its last item (`page_of`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable
from typing import Annotated, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import Field

from shared.errors import DomainError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# `<ISO 8601 instant>#<id>`: the sort key of every paged list.
# What a route takes: `limit` items a page and the `cursor` of the page before.
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items a page (1-100)")]
Cursor = Annotated[str | None, Query(max_length=2000, description="`next_cursor` of the page before")]
# What a list answers beside its items.
NextCursor = Annotated[str | None, Field(description="Give it as `cursor` for the next page; null on the last page")]
_KEY_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_MAX_KEY_PART = 1024
_POSITION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)#[A-Za-z0-9_.:-]{1,200}$")


class InvalidCursor(DomainError):
    status = 400
    code = "invalid_cursor"
    message_zh = "翻页标记无效，请从第一页重新开始"
    message_en = "The cursor is not valid: start again from the first page."


def _envelope(list_name: str, field: str, value: object) -> str:
    text = json.dumps({"list": list_name, field: value}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _opened(list_name: str, field: str, cursor: str) -> object:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor() from None
    if not isinstance(data, dict) or set(data) != {"list", field} or data["list"] != list_name:
        raise InvalidCursor()
    return data[field]


def encode(list_name: str, position: str) -> str:
    return _envelope(list_name, "before", position)


def decode(list_name: str, cursor: str | None) -> str | None:
    """The position a cursor continues from (None for the first page); InvalidCursor for anything else."""
    if cursor is None:
        return None
    position = _opened(list_name, "before", cursor)
    if not isinstance(position, str) or not _POSITION.match(position):
        raise InvalidCursor()
    return position


def encode_keys(list_name: str, keys: dict[str, dict[str, str] | None]) -> str | None:
    """A cursor holding, for each part of a list, the key its next Query starts after (None: that part is read
    to its end); None when every part is."""
    if all(key is None for key in keys.values()):
        return None
    return _envelope(list_name, "keys", keys)


def decode_keys(list_name: str, cursor: str | None, parts: Iterable[str]) -> dict[str, dict[str, str] | None] | None:
    """Each part's start key (None: read to its end); None for the first page. A key is a flat map of attribute
    names to strings; anything else, or a cursor naming other parts, is InvalidCursor."""
    if cursor is None:
        return None
    keys = _opened(list_name, "keys", cursor)
    if not isinstance(keys, dict) or set(keys) != set(parts):
        raise InvalidCursor()
    for key in keys.values():
        if key is None:
            continue
        if not isinstance(key, dict) or not 0 < len(key) <= 6:
            raise InvalidCursor()
        for name, value in key.items():
            if not _KEY_NAME.match(name) or not isinstance(value, str) or not 0 < len(value) <= _MAX_KEY_PART:
                raise InvalidCursor()
    return keys


_ONE_PART = "items"


def encode_key(list_name: str, key: dict[str, str] | None) -> str | None:
    """The cursor of a list read by one Query: the key its next page starts after (None on the last page)."""
    return encode_keys(list_name, {_ONE_PART: key})


def decode_key(list_name: str, cursor: str | None) -> dict[str, str] | None:
    keys = decode_keys(list_name, cursor, (_ONE_PART,))
    if keys is None:
        return None
    if keys[_ONE_PART] is None:
        raise InvalidCursor()
    return keys[_ONE_PART]


SortKey = tuple[str | int | float, ...]


def page_of(
    items: Iterable[T], *, list_name: str, sort_key: Callable[[T], SortKey], cursor: str | None, limit: int
) -> tuple[list[T], str | None]:
    """One page of a list read whole: the items sorted by `sort_key` (unique per item), those after the cursor's,
    and the cursor of the page after (None on the last page)."""
    ordered = sorted(items, key=sort_key)
    if cursor is not None:
        after = _opened(list_name, "after", cursor)
        if not isinstance(after, list) or not 0 < len(after) <= 4:
            raise InvalidCursor()
        if any(not isinstance(part, str | int | float) or isinstance(part, bool) for part in after):
            raise InvalidCursor()
        try:
            ordered = [item for item in ordered if sort_key(item) > tuple(after)]
        except TypeError:  # a key of other types than this list's
            raise InvalidCursor() from None
    page = ordered[:limit]
    more = len(ordered) > limit
    return page, (_envelope(list_name, "after", list(sort_key(page[-1]))) if more else None)


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
    return _merge(sources, position_of=position_of, start=before, limit=limit, newest_first=True)


def merge_oldest_first(
    sources: Iterable[Callable[[str | None, int], list[T]]],
    *,
    position_of: Callable[[T], str],
    after: str | None,
    limit: int,
) -> tuple[list[T], str | None]:
    """As merge_newest_first, for a list oldest first: each source gives up to `limit` items after `after`."""
    return _merge(sources, position_of=position_of, start=after, limit=limit, newest_first=False)


def _merge(sources, *, position_of, start: str | None, limit: int, newest_first: bool):
    found: dict = {}
    some_source_full = False
    for source in sources:
        items = source(start, limit)
        some_source_full |= len(items) >= limit
        for item in items:
            found.setdefault(position_of(item), item)
    ordered = [found[p] for p in sorted(found, reverse=newest_first)]
    page = ordered[:limit]
    more = len(ordered) > limit or some_source_full
    return page, (position_of(page[-1]) if page and more else None)
