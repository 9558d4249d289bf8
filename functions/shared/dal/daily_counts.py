"""Daily limits: how many times something was done for a user on a (Beijing) day, counted so that no number of
parallel requests gets past the limit (a conditional ADD)."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import DailyCountItem

# Kept two days: the limit only reads today's count.
_KEEP_SECONDS = 2 * 86400


def _item(user_id: str, what: str, day: str) -> DailyCountItem:
    return DailyCountItem(f"USER#{user_id}", f"COUNT#{what}#{day}")


def take_one(counter: DailyCountItem, limit: int, *, forget_at: int) -> bool:
    """Count one more on `counter` (any count kept on a DailyCountItem: a day's, a minute's); False, and nothing
    counted, when `limit` were counted already. The table forgets the counter at `forget_at` (epoch seconds)."""
    ensure_bound()
    try:
        counter.update(
            actions=[DailyCountItem.count.add(1), DailyCountItem.ttl.set(forget_at)],
            condition=DailyCountItem.count.does_not_exist() | (DailyCountItem.count < limit),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def take(user_id: str, what: str, day: str, limit: int, *, now_epoch: int) -> bool:
    """Count one more `what` for the user on `day`; False (nothing counted) when `limit` were counted already."""
    return take_one(_item(user_id, what, day), limit, forget_at=now_epoch + _KEEP_SECONDS)


def give_back(user_id: str, what: str, day: str) -> None:
    """Undo one `take` (what it counted did not happen after all)."""
    ensure_bound()
    try:
        _item(user_id, what, day).update(actions=[DailyCountItem.count.add(-1)], condition=DailyCountItem.count > 0)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
