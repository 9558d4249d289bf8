"""Through which channels a person is told: their choice, less what cannot reach them."""

from __future__ import annotations

from shared.records import Channel, NotificationPreferences, User


def channels_for(preferences: NotificationPreferences, user: User) -> list[Channel]:
    reachable_by_phone = bool(user.phone)
    chosen = [c for c in dict.fromkeys(preferences.channels) if reachable_by_phone or c not in (Channel.SMS, Channel.PHONE_CALL)]
    # Only a resident is called by the back office; staff are told in their app instead.
    chosen = [c for c in chosen if c != Channel.PHONE_CALL or user.role == "resident"]
    return chosen or [Channel.PUSH]


def text_in(language: str, text_zh: str, text_en: str) -> str:
    return text_en if language == "en" else text_zh
