"""Per-minute limits on signed calls (shared.partner): calls per API key, failed verifications per source address.
Each count is a conditional ADD on one item, so no number of parallel requests gets past a limit."""

from __future__ import annotations

from shared.dal import daily_counts
from shared.dal.base import ensure_bound
from shared.dal.tables import DailyCountItem

_KEEP_SECONDS = 180  # a minute's count is read during that minute only


def _item(subject: str, minute: int) -> DailyCountItem:
    return DailyCountItem(*_item_keys(subject, minute))


def take(subject: str, limit: int, *, now_epoch: int) -> bool:
    """Count one more for `subject` in this minute; False (nothing counted) once `limit` were counted."""
    return daily_counts.take_one(_item(subject, now_epoch // 60), limit, forget_at=now_epoch + _KEEP_SECONDS)


def count(subject: str, *, now_epoch: int) -> int:
    ensure_bound()
    try:
        return int(DailyCountItem.get(*_item_keys(subject, now_epoch // 60)).count or 0)
    except DailyCountItem.DoesNotExist:
        return 0


def _item_keys(subject: str, minute: int) -> tuple[str, str]:
    return f"RATE#{subject}", f"MINUTE#{minute}"


def add(subject: str, *, now_epoch: int) -> None:
    ensure_bound()
    _item(subject, now_epoch // 60).update(
        actions=[DailyCountItem.count.add(1), DailyCountItem.ttl.set(now_epoch + _KEEP_SECONDS)]
    )
