"""The sign-in errors (each a machine-readable code, an HTTP status, Chinese and English text)."""

from __future__ import annotations

from shared.errors import DomainError


class InvalidCode(DomainError):
    status = 400
    code = "invalid_code"
    message_zh = "微信登录凭证无效或已使用，请重新登录"
    message_en = "The WeChat login code is invalid or was already used; sign in again."


class WrongCode(DomainError):
    status = 400
    code = "wrong_code"
    message_zh = "验证码不对，请核对短信后再输入"
    message_en = "The code is wrong; check the text message and try again."


class CodeExpired(DomainError):
    status = 410
    code = "code_expired"
    message_zh = "验证码已过期，请重新获取"
    message_en = "The code has expired; ask for a new one."


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    message_zh = "验证码输错次数太多，请重新获取验证码"
    message_en = "Too many wrong codes; ask for a new one."


class RequestTooSoon(DomainError):
    status = 429
    code = "request_too_soon"
    message_zh = "验证码刚刚已发送，请一分钟后再试"
    message_en = "A code was sent a moment ago; try again in a minute."


class DailyLimitReached(DomainError):
    status = 429
    code = "daily_limit_reached"
    message_zh = "今天获取验证码的次数已用完，请明天再试"
    message_en = "No more codes can be sent to this number today; try again tomorrow."


class InvalidRefreshToken(DomainError):
    status = 401
    code = "invalid_refresh_token"
    message_zh = "登录已失效，请重新登录"
    message_en = "The session has ended; sign in again."


class TokenReused(DomainError):
    status = 401
    code = "token_reused"
    message_zh = "登录凭证已被使用过，为安全起见已退出所有相关登录，请重新登录"
    message_en = "This refresh token was already used; the session was ended for safety. Sign in again."


class AccountUnavailable(DomainError):
    status = 401
    code = "account_unavailable"
    message_zh = "账号不可用（已停用或不存在），请联系所属单位"
    message_en = "This account is suspended or does not exist; contact your company or the district."


class InvalidToken(DomainError):
    status = 401
    code = "invalid_token"
    message_zh = "登录已失效，请重新登录"
    message_en = "The sign-in token is not valid."


class PhoneTaken(DomainError):
    status = 409
    code = "phone_taken"
    message_zh = "这个手机号已绑定其他账号，请联系社区工作人员"
    message_en = "This phone number belongs to another account; ask your community staff for help."


class NotForThisAccount(DomainError):
    status = 403
    code = "forbidden"
    message_zh = "只有居民账号可以这样绑定手机号"
    message_en = "Only resident accounts bind a phone number this way."


class SignInUnavailable(DomainError):
    status = 503
    code = "service_unavailable"
    message_zh = "登录服务暂时不可用，请稍后重试"
    message_en = "Sign-in is temporarily unavailable; try again shortly."
