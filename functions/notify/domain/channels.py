"""Through which channels a person is told: their choice, less what cannot reach them."""

from __future__ import annotations

from identity.domain.records import User
from notify.store.notifications import Channel, NotificationPreferences


def channels_for(preferences: NotificationPreferences, user: User, *, always_sms: bool = False) -> list[Channel]:
    """`always_sms`: a safety notice (an order someone placed in the resident's name) goes by SMS too, whatever
    the person chose."""
    reachable_by_phone = bool(user.phone)
    wanted = [*preferences.channels, Channel.SMS] if always_sms else preferences.channels
    chosen = [c for c in dict.fromkeys(wanted) if reachable_by_phone or c not in (Channel.SMS, Channel.PHONE_CALL)]
    # Only a resident is called by the back office; staff are told in their app instead.
    chosen = [c for c in chosen if c != Channel.PHONE_CALL or user.role == "resident"]
    return chosen or [Channel.PUSH]


def text_in(language: str, text_zh: str, text_en: str) -> str:
    return text_en if language == "en" else text_zh
