"""The real collaborators of the sign-in use cases: the table, the accounts, the KMS key(s), WeChat and SMS (the
kernel's ports shared.wechat and shared.sms, imported when first used)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import boto3

from identity.domain.codes import CodePolicy
from identity.domain.records import User
from identity.domain.settings import identity_settings
from identity.service.ports import WeChatCodeInvalid, WeChatSession, WeChatUnavailable
from identity.service.signer import KmsSigner
from identity.service.signin import SignIn, TokenPolicy
from identity.store import accounts
from identity.store.dynamodb import DynamoStore

LOGIN_CODE_TEMPLATE = "login_code"


class PeopleAccounts:
    def get(self, user_id: str) -> User | None:
        return accounts.get_user(user_id)

    def with_phone(self, phone: str) -> list[User]:
        return accounts.accounts_with_phone(phone)

    def save(self, account: User) -> None:
        accounts.put_user(account)


class KernelWeChat:
    """shared.wechat, its errors as the use cases name them."""

    @staticmethod
    @contextmanager
    def _port() -> Iterator[Any]:
        from shared import wechat

        try:
            yield wechat
        except wechat.WeChatCodeInvalid as exc:
            raise WeChatCodeInvalid() from exc
        except wechat.WeChatUnavailable as exc:
            raise WeChatUnavailable() from exc

    def code_to_session(self, code: str) -> WeChatSession:
        with self._port() as wechat:
            found = wechat.code_to_session(code)
        return WeChatSession(found.openid, found.unionid)

    def phone_number(self, code: str) -> str:
        with self._port() as wechat:
            return wechat.phone_number(code)


class KernelSms:
    def send_login_code(self, phone: str, code: str) -> None:
        from notify.domain.sms import template as sms_template
        from shared import sms

        sms.send_template(phone, sms_template(LOGIN_CODE_TEMPLATE), {"code": code})


@lru_cache(maxsize=1)
def _kms() -> Any:
    return boto3.client("kms", region_name=identity_settings().aws_region)


@lru_cache(maxsize=1)
def sign_in() -> SignIn:
    settings = identity_settings()
    return SignIn(
        store=DynamoStore(),
        accounts=PeopleAccounts(),
        signer=KmsSigner(_kms(), settings.signing_key_ids),
        # Without the kernel's WeChat port in the package, WeChat sign-in answers 503 rather than failing inside.
        wechat=KernelWeChat() if importlib.util.find_spec("shared.wechat") is not None else None,
        sms=KernelSms(),
        tokens=TokenPolicy(
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            access_seconds=settings.access_token_seconds,
            refresh_seconds=settings.refresh_token_seconds,
        ),
        codes=CodePolicy(
            lifetime_seconds=settings.login_code_seconds,
            max_attempts=settings.login_code_attempts,
            cooldown_seconds=settings.login_code_cooldown_seconds,
            per_day=settings.login_codes_per_day,
        ),
    )


def reset() -> None:
    sign_in.cache_clear()
    _kms.cache_clear()


def revoke_sessions(user_id: str) -> int:
    """Ends every session of the account (its suspension): its refresh tokens stop working at once."""
    return sign_in().revoke_all(user_id)
