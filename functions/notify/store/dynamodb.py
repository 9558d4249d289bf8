"""The WeChat subscription store on the single table:

  WXSUB#<user> / TEMPLATE#<template id>      consents left for that template (`remaining`)
  WECHAT#TOKEN / CURRENT                     the stable access token, when to renew it, when it expires
  WECHAT#TOKEN / LEASE                       who renews the token now, and until when
  WECHAT#DEADLETTER / <at>#<message id>      a subscription message WeChat refused

Spending a consent and taking the lease are conditions of the write itself, so parallel callers cannot spend a
consent twice or renew the token together. The token item is readable by whoever may read the table (as the
AppSecret is not: it stays in Secrets Manager); it lives at most two hours."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from notify.store import CachedToken, WeChatDeadLetter
from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import TableItem

TOKEN_PK = "WECHAT#TOKEN"
DEAD_PK = "WECHAT#DEADLETTER"


class ConsentItem(TableItem):
    remaining = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)


class TokenItem(TableItem):
    token = UnicodeAttribute(null=True)
    renew_at = NumberAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    owner = UnicodeAttribute(null=True)  # the lease
    until = NumberAttribute(null=True)
    ttl = NumberAttribute(null=True)


class DeadLetterItem(TableItem):
    message_id = UnicodeAttribute()
    recipient_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    template_id = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    errcode = NumberAttribute(null=True)
    errmsg = UnicodeAttribute()
    fallback = UnicodeAttribute()
    at = UnicodeAttribute()


def _lost(exc: Exception) -> bool:
    if condition_failed(exc):
        return True
    raise exc


class DynamoStore:
    def add_consents(self, user_id: str, template_ids: list[str], *, now: str) -> None:
        ensure_bound()
        counts: dict[str, int] = {}
        for template_id in template_ids:
            counts[template_id] = counts.get(template_id, 0) + 1
        for template_id, n in counts.items():
            ConsentItem(f"WXSUB#{user_id}", f"TEMPLATE#{template_id}").update(
                actions=[ConsentItem.remaining.add(n), ConsentItem.updated_at.set(now)]
            )

    def consents(self, user_id: str) -> dict[str, int]:
        ensure_bound()
        items = ConsentItem.query(f"WXSUB#{user_id}", ConsentItem.sk.startswith("TEMPLATE#"), consistent_read=True)
        return {i.sk.removeprefix("TEMPLATE#"): int(i.remaining or 0) for i in items}

    def spend_consent(self, user_id: str, template_id: str) -> bool:
        ensure_bound()
        try:
            ConsentItem(f"WXSUB#{user_id}", f"TEMPLATE#{template_id}").update(
                actions=[ConsentItem.remaining.add(-1)], condition=ConsentItem.remaining > 0
            )
        except UpdateError as exc:
            return not _lost(exc)
        return True

    def return_consent(self, user_id: str, template_id: str) -> None:
        ensure_bound()
        ConsentItem(f"WXSUB#{user_id}", f"TEMPLATE#{template_id}").update(actions=[ConsentItem.remaining.add(1)])

    def clear_consents(self, user_id: str, template_id: str) -> None:
        ensure_bound()
        try:
            ConsentItem(f"WXSUB#{user_id}", f"TEMPLATE#{template_id}").update(
                actions=[ConsentItem.remaining.set(0)], condition=ConsentItem.pk.exists()
            )
        except UpdateError as exc:
            _lost(exc)

    def cached_token(self) -> CachedToken | None:
        ensure_bound()
        try:
            item = TokenItem.get(TOKEN_PK, "CURRENT", consistent_read=True)
        except TokenItem.DoesNotExist:
            return None
        if not item.token:
            return None
        return CachedToken(token=item.token, renew_at=float(item.renew_at or 0), expires_at=float(item.expires_at or 0))

    def put_token(self, token: CachedToken) -> None:
        ensure_bound()
        TokenItem(
            TOKEN_PK,
            "CURRENT",
            token=token.token,
            renew_at=token.renew_at,
            expires_at=token.expires_at,
            ttl=int(token.expires_at) + 3600,
        ).save()

    def take_lease(self, owner: str, *, now: float, seconds: float) -> bool:
        ensure_bound()
        try:
            TokenItem(TOKEN_PK, "LEASE", owner=owner, until=now + seconds, ttl=int(now + seconds) + 3600).save(
                condition=TokenItem.pk.does_not_exist() | (TokenItem.until <= now) | (TokenItem.owner == owner)
            )
        except PutError as exc:
            return not _lost(exc)
        return True

    def release_lease(self, owner: str) -> None:
        ensure_bound()
        try:
            TokenItem(TOKEN_PK, "LEASE").delete(condition=TokenItem.owner == owner)
        except DeleteError as exc:
            _lost(exc)

    def add_dead_letter(self, letter: WeChatDeadLetter) -> None:
        ensure_bound()
        try:
            DeadLetterItem(DEAD_PK, f"{letter.at}#{letter.message_id}", **letter.__dict__).save(
                condition=DeadLetterItem.pk.does_not_exist()
            )
        except PutError as exc:
            _lost(exc)  # recorded by an earlier attempt of the same delivery

    def dead_letters(self, limit: int = 50) -> list[WeChatDeadLetter]:
        ensure_bound()
        items = DeadLetterItem.query(DEAD_PK, scan_index_forward=False, limit=limit)
        fields = WeChatDeadLetter.__dataclass_fields__
        return [
            WeChatDeadLetter(
                **{k: (int(v) if k == "errcode" and v is not None else v) for k, v in ((k, getattr(i, k)) for k in fields)}
            )
            for i in items
        ]
