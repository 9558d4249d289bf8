"""Notification preferences and the back office's phone-call tasks."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from shared.dal.base import condition_failed, ensure_bound, query_page
from shared.dal.tables import item_of


class Channel(StrEnum):
    SMS = "sms"
    WECHAT = "wechat"  # a WeChat-style subscription message
    PUSH = "push"  # web push to the app; the app's inbox (GET /messages) always has it
    PHONE_CALL = "phone_call"  # the company's back office calls (elderly residents may prefer it)


class NotificationPreferences(BaseModel):
    channels: list[Channel] = Field(default_factory=lambda: [Channel.SMS], min_length=1)
    language: Literal["zh", "en"] = "zh"


class CallTask(BaseModel):
    task_id: str
    company_id: str
    resident_id: str
    resident_name: str
    phone: str
    order_id: str
    text_zh: str
    text_en: str
    created_at: str


PreferencesItem = item_of(
    NotificationPreferences,
    "PreferencesItem",
)


CallTaskItem = item_of(CallTask, "CallTaskItem")


PREFERENCES = "PREFERENCES"


def get_preferences(user_id: str) -> NotificationPreferences:
    ensure_bound()
    try:
        return _preferences(PreferencesItem.get(f"USER#{user_id}", PREFERENCES))
    except PreferencesItem.DoesNotExist:
        return NotificationPreferences()


def _preferences(item: PreferencesItem) -> NotificationPreferences:
    return NotificationPreferences(channels=list(item.channels), language=item.language)


def preferences_of(user_ids: set[str]) -> dict[str, NotificationPreferences]:
    """Several users' preferences in BatchGetItem calls; the defaults for those who never set any."""
    ensure_bound()
    keys = [(f"USER#{u}", PREFERENCES) for u in sorted(user_ids)]
    found = {i.pk.removeprefix("USER#"): i for i in PreferencesItem.batch_get(keys)}
    return {u: _preferences(found[u]) if u in found else NotificationPreferences() for u in user_ids}


def put_preferences(user_id: str, preferences: NotificationPreferences) -> None:
    ensure_bound()
    PreferencesItem(f"USER#{user_id}", PREFERENCES, **preferences.model_dump()).save()


def add_call_task(task: CallTask) -> bool:
    """Record the call once (the task id is derived from the message); False if it already exists."""
    ensure_bound()
    item = CallTaskItem(f"COMPANY#{task.company_id}", f"CALL#{task.created_at}#{task.task_id}", **task.model_dump())
    try:
        item.save(condition=CallTaskItem.pk.does_not_exist())
    except Exception as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def call_tasks(
    company_id: str, *, after: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[CallTask], dict[str, str] | None]:
    """A page of the company's phone-call tasks, newest first, and the key to continue after."""
    ensure_bound()
    items, resume = query_page(
        CallTaskItem,
        f"COMPANY#{company_id}",
        CallTaskItem.sk.startswith("CALL#"),
        after=after,
        limit=limit,
        scan_index_forward=False,
    )
    return [CallTask(**{k: getattr(i, k) for k in CallTask.model_fields}) for i in items], resume
