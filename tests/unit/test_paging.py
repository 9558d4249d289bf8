"""The paging kernel (shared.paging) on plain lists: every item once across pages, in order, and every cursor that
is not this list's own refused."""

from __future__ import annotations

import base64
import json

import pytest

from shared import paging
from shared.paging import InvalidCursor


def _pages_of(items, sort_key, limit):
    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = paging.page_of(items, list_name="things", sort_key=sort_key, cursor=cursor, limit=limit)
        seen += page
        pages += 1
        if cursor is None:
            return seen, pages


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 50])
def test_a_list_read_whole_pages_in_its_order_each_item_once(limit):
    items = [{"id": f"c{i}", "score": float(i % 4)} for i in range(7)]
    key = lambda c: (-c["score"], c["id"])  # noqa: E731 - the ranking's order
    seen, pages = _pages_of(items, key, limit)
    assert seen == sorted(items, key=key)
    assert pages == max(1, -(-len(items) // limit))  # no empty last page


def test_an_item_gone_between_pages_does_not_shift_the_next_page():
    items = [{"id": f"c{i}"} for i in range(6)]
    first, cursor = paging.page_of(items, list_name="things", sort_key=lambda c: (c["id"],), cursor=None, limit=3)
    rest = [c for c in items if c["id"] != "c1"]  # one of the first page is deleted meanwhile
    second, _ = paging.page_of(rest, list_name="things", sort_key=lambda c: (c["id"],), cursor=cursor, limit=3)
    assert [c["id"] for c in first + second] == [f"c{i}" for i in range(6)]


def _raw(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        _raw([1, 2]),
        _raw({"list": "other", "after": ["c1"]}),
        _raw({"list": "things", "after": []}),
        _raw({"list": "things", "after": [True]}),
        _raw({"list": "things", "after": [{"x": 1}]}),
        _raw({"list": "things", "after": [1]}),  # a number where the list sorts by text
        _raw({"list": "things", "after": ["c1"], "extra": 1}),
    ],
)
def test_a_cursor_of_a_list_read_whole_that_is_not_its_own_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        paging.page_of([{"id": "c1"}], list_name="things", sort_key=lambda c: (c["id"],), cursor=cursor, limit=1)


def test_a_key_cursor_round_trips_and_ends_when_every_part_has():
    key = {"pk": "COMPANY#co_1", "sk": "CALL#2031-05-01T00:00:00.000Z#call_1"}
    assert paging.decode_key("calls", paging.encode_key("calls", key)) == key
    assert paging.encode_key("calls", None) is None
    both = paging.encode_keys("vetting", {"company": None, "technician": key})
    assert paging.decode_keys("vetting", both, ["company", "technician"]) == {"company": None, "technician": key}
    assert paging.encode_keys("vetting", {"company": None, "technician": None}) is None


@pytest.mark.parametrize(
    "cursor",
    [
        _raw({"list": "calls", "keys": {"items": None}}),  # a finished list has no cursor
        _raw({"list": "calls", "keys": {"items": {"pk": 1}}}),
        _raw({"list": "calls", "keys": {"items": {"PK; DROP": "x"}}}),
        _raw({"list": "calls", "keys": {"items": {"pk": "x" * 2000}}}),
        _raw({"list": "calls", "keys": {"other": {"pk": "x"}}}),
        _raw({"list": "messages", "keys": {"items": {"pk": "x"}}}),
        paging.encode("calls", "2031-05-01T00:00:00.000Z#call_1"),  # a position cursor, not a key cursor
    ],
)
def test_a_key_cursor_that_is_not_this_lists_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        paging.decode_key("calls", cursor)


def test_merged_partitions_page_oldest_first_without_skipping_or_repeating():
    a = [f"2031-05-01T00:{m:02d}:00.000Z#a{m}" for m in range(0, 20, 2)]
    b = [f"2031-05-01T00:{m:02d}:00.000Z#b{m}" for m in range(1, 20, 3)]

    def source(items):
        return lambda after, limit: [p for p in sorted(items) if after is None or p > after][:limit]

    seen, after = [], None
    while True:
        page, after = paging.merge_oldest_first([source(a), source(b)], position_of=lambda p: p, after=after, limit=4)
        seen += page
        if after is None:
            break
    assert seen == sorted(a + b)
