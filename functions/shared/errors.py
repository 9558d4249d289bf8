"""Domain errors. Each carries a machine-readable code, an HTTP status and bilingual text.

Handlers never build error responses themselves: `shared.api` maps these in one place.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message_zh = "请求有误"
    message_en = "The request is not valid."

    def __init__(self, message_zh: str | None = None, message_en: str | None = None) -> None:
        self.message_zh = message_zh or self.message_zh
        self.message_en = message_en or self.message_en
        super().__init__(self.message_en)


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"


class InvalidId(DomainError):
    status = 400
    code = "invalid_id"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    message_zh = "请先登录"
    message_en = "Sign in first."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message_zh = "您没有权限执行此操作"
    message_en = "You are not allowed to do this."


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message_zh = "找不到该记录"
    message_en = "Not found."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message_zh = "状态已变化，请刷新后重试"
    message_en = "The record changed; refresh and try again."


class InvalidStatus(Conflict):
    code = "invalid_status"


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"
    message_zh = "服务暂时不可用，请稍后重试"
    message_en = "The service is temporarily unavailable; try again shortly."


class TransientError(Exception):
    """Raised by workflow tasks for failures worth retrying; the ASL retries this error name."""


# --- Photos ---------------------------------------------------------------------------------


# --- Acting for a resident (family members and community workers) -----------------------------
