"""The identity store on the single table (its own items below; the shared ones in shared.dal.tables):

  LOGINCODE#<+86…> / CODE           the number's current one-time code (HMAC + salt, tries, expiry; TTL)
  LOGINCODE#<+86…> / COUNT#<day>    codes asked for that number on a Beijing day (TTL)
  REFRESH#<sha-256> / REFRESH       one refresh token: its family, its account, used or not (TTL)
  USER#<user> / SESSION#<family>    a session family: active or revoked, and why (TTL)
  WECHAT#<openid> / ACCOUNT         the account a WeChat user signs in as

Every rule that must hold under parallel requests (the cooldown, the tries, spending a code or a refresh token
once, the daily cap) is a condition of the write itself."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from identity.domain.codes import StoredCode
from identity.domain.records import User
from identity.domain.sessions import Family, FamilyStatus, RefreshToken, RevokedBecause
from identity.store import accounts
from identity.store.accounts import UserItem
from shared.dal import daily_counts
from shared.dal.base import condition_failed, ensure_bound, transaction
from shared.dal.tables import DailyCountItem, SessionFamilyItem, TableItem
from shared.sms import e164


class LoginCodeItem(TableItem):
    """pk LOGINCODE#<+86…>, sk CODE: the number's current one-time sign-in code, as an HMAC with its own salt."""

    salt = UnicodeAttribute()
    code_hash = UnicodeAttribute()
    sent_at = NumberAttribute()
    expires_at = NumberAttribute()
    attempts = NumberAttribute(default=0)
    deliverable = BooleanAttribute(default=True)
    bind_to = UnicodeAttribute(null=True)  # a resident binding the number to their account
    ttl = NumberAttribute()


class RefreshTokenItem(TableItem):
    """pk REFRESH#<sha-256 of the token>, sk REFRESH: one refresh token of a session family, used at most once."""

    family_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    issued_at = NumberAttribute()
    expires_at = NumberAttribute()
    used = BooleanAttribute(default=False)
    ttl = NumberAttribute()


class WeChatLinkItem(TableItem):
    """pk WECHAT#<openid>, sk ACCOUNT: the account this WeChat user signs in as."""

    user_id = UnicodeAttribute()
    unionid = UnicodeAttribute(null=True)
    linked_at = NumberAttribute()


CODE_KEEP_SECONDS = 86400  # a code item stays a day past its expiry (an expired code answers code_expired)
COUNT_KEEP_SECONDS = 2 * 86400


def _code_pk(phone: str) -> str:
    return f"LOGINCODE#{e164(phone)}"


def _lost(exc: Exception) -> bool:
    if condition_failed(exc):
        return True
    raise exc


class DynamoStore:
    # --- One-time codes ---------------------------------------------------------------------------------
    def get_code(self, phone: str) -> StoredCode | None:
        ensure_bound()
        try:
            item = LoginCodeItem.get(_code_pk(phone), "CODE", consistent_read=True)
        except LoginCodeItem.DoesNotExist:
            return None
        return StoredCode(
            phone=phone,
            salt=item.salt,
            code_hash=item.code_hash,
            sent_at=int(item.sent_at),
            expires_at=int(item.expires_at),
            attempts=int(item.attempts or 0),
            deliverable=bool(item.deliverable),
            bind_to=item.bind_to,
        )

    def put_code(self, code: StoredCode, *, unless_sent_after: int) -> bool:
        ensure_bound()
        item = LoginCodeItem(
            _code_pk(code.phone),
            "CODE",
            salt=code.salt,
            code_hash=code.code_hash,
            sent_at=code.sent_at,
            expires_at=code.expires_at,
            attempts=code.attempts,
            deliverable=code.deliverable,
            bind_to=code.bind_to,
            ttl=code.expires_at + CODE_KEEP_SECONDS,
        )
        try:
            item.save(condition=LoginCodeItem.pk.does_not_exist() | (LoginCodeItem.sent_at <= unless_sent_after))
        except PutError as exc:
            return not _lost(exc)
        return True

    def count_wrong_try(self, phone: str, code_hash: str, *, max_attempts: int) -> bool:
        ensure_bound()
        try:
            LoginCodeItem(_code_pk(phone), "CODE").update(
                actions=[LoginCodeItem.attempts.add(1)],
                condition=(LoginCodeItem.code_hash == code_hash) & (LoginCodeItem.attempts < max_attempts),
            )
        except UpdateError as exc:
            return not _lost(exc)
        return True

    def spend_code(self, phone: str, code_hash: str) -> bool:
        ensure_bound()
        try:
            LoginCodeItem(_code_pk(phone), "CODE").delete(condition=LoginCodeItem.code_hash == code_hash)
        except DeleteError as exc:
            return not _lost(exc)
        return True

    def take_daily(self, phone: str, day: str, *, limit: int, now: int) -> bool:
        counter = DailyCountItem(_code_pk(phone), f"COUNT#{day}")
        return daily_counts.take_one(counter, limit, forget_at=now + COUNT_KEEP_SECONDS)

    # --- Refresh tokens ---------------------------------------------------------------------------------
    @staticmethod
    def _token_item(token: RefreshToken) -> RefreshTokenItem:
        return RefreshTokenItem(
            f"REFRESH#{token.token_hash}",
            "REFRESH",
            family_id=token.family_id,
            user_id=token.user_id,
            issued_at=token.issued_at,
            expires_at=token.expires_at,
            used=token.used,
            ttl=token.expires_at,
        )

    def start_family(self, family: Family, first: RefreshToken) -> None:
        ensure_bound()
        with transaction() as tx:
            tx.save(
                SessionFamilyItem(
                    f"USER#{family.user_id}",
                    f"SESSION#{family.family_id}",
                    family_id=family.family_id,
                    user_id=family.user_id,
                    created_at=family.created_at,
                    expires_at=family.expires_at,
                    status=family.status.value,
                    ttl=family.expires_at,
                ),
                condition=SessionFamilyItem.pk.does_not_exist(),
            )
            tx.save(self._token_item(first), condition=RefreshTokenItem.pk.does_not_exist())

    def get_refresh(self, token_hash: str) -> RefreshToken | None:
        ensure_bound()
        try:
            item = RefreshTokenItem.get(f"REFRESH#{token_hash}", "REFRESH", consistent_read=True)
        except RefreshTokenItem.DoesNotExist:
            return None
        return RefreshToken(
            token_hash=token_hash,
            family_id=item.family_id,
            user_id=item.user_id,
            issued_at=int(item.issued_at),
            expires_at=int(item.expires_at),
            used=bool(item.used),
        )

    @staticmethod
    def _family(item: SessionFamilyItem) -> Family:
        return Family(
            family_id=item.family_id,
            user_id=item.user_id,
            created_at=int(item.created_at),
            expires_at=int(item.expires_at),
            status=FamilyStatus(item.status),
            revoked_because=RevokedBecause(item.revoked_because) if item.revoked_because else None,
            revoked_at=int(item.revoked_at) if item.revoked_at is not None else None,
        )

    def get_family(self, user_id: str, family_id: str) -> Family | None:
        ensure_bound()
        try:
            return self._family(SessionFamilyItem.get(f"USER#{user_id}", f"SESSION#{family_id}", consistent_read=True))
        except SessionFamilyItem.DoesNotExist:
            return None

    def rotate(self, spent: RefreshToken, successor: RefreshToken) -> bool:
        ensure_bound()
        try:
            with transaction() as tx:
                tx.update(
                    RefreshTokenItem(f"REFRESH#{spent.token_hash}", "REFRESH"),
                    actions=[RefreshTokenItem.used.set(True)],
                    condition=RefreshTokenItem.pk.exists() & (RefreshTokenItem.used == False),  # noqa: E712 - a condition
                )
                tx.save(self._token_item(successor), condition=RefreshTokenItem.pk.does_not_exist())
                tx.update(
                    SessionFamilyItem(f"USER#{spent.user_id}", f"SESSION#{spent.family_id}"),
                    actions=[
                        SessionFamilyItem.expires_at.set(successor.expires_at),
                        SessionFamilyItem.ttl.set(successor.expires_at),
                    ],
                    condition=SessionFamilyItem.status == FamilyStatus.ACTIVE.value,
                )
        except TransactWriteError as exc:
            return not _lost(exc)
        return True

    def revoke_family(self, user_id: str, family_id: str, because: RevokedBecause, *, now: int) -> None:
        ensure_bound()
        try:
            SessionFamilyItem(f"USER#{user_id}", f"SESSION#{family_id}").update(
                actions=[
                    SessionFamilyItem.status.set(FamilyStatus.REVOKED.value),
                    SessionFamilyItem.revoked_because.set(because.value),
                    SessionFamilyItem.revoked_at.set(now),
                ],
                condition=SessionFamilyItem.status == FamilyStatus.ACTIVE.value,
            )
        except UpdateError as exc:
            _lost(exc)  # revoked already, or no such family: nothing to do

    def active_families(self, user_id: str) -> list[Family]:
        ensure_bound()
        items = SessionFamilyItem.query(f"USER#{user_id}", SessionFamilyItem.sk.startswith("SESSION#"), consistent_read=True)
        return [f for f in map(self._family, items) if f.status == FamilyStatus.ACTIVE]

    # --- WeChat ------------------------------------------------------------------------------------------
    def account_of_openid(self, openid: str) -> str | None:
        ensure_bound()
        try:
            return WeChatLinkItem.get(f"WECHAT#{openid}", "ACCOUNT").user_id
        except WeChatLinkItem.DoesNotExist:
            return None

    @staticmethod
    def _link(openid: str, user_id: str, unionid: str | None, now: int) -> WeChatLinkItem:
        return WeChatLinkItem(f"WECHAT#{openid}", "ACCOUNT", user_id=user_id, unionid=unionid, linked_at=now)

    def link_openid(self, openid: str, user_id: str, *, unionid: str | None, now: int) -> bool:
        ensure_bound()
        try:
            self._link(openid, user_id, unionid, now).save(condition=WeChatLinkItem.pk.does_not_exist())
        except PutError as exc:
            return not _lost(exc)
        return True

    def create_resident(self, account: User, openid: str, *, unionid: str | None, now: int) -> bool:
        ensure_bound()
        try:
            with transaction() as tx:
                tx.save(self._link(openid, account.user_id, unionid, now), condition=WeChatLinkItem.pk.does_not_exist())
                tx.save(accounts.user_item(account), condition=UserItem.pk.does_not_exist())
        except TransactWriteError as exc:
            return not _lost(exc)
        return True
