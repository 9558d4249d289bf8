"""The orders domain's errors: order quotas, photos, and acting for a resident (proxy links and their consent codes)."""

from __future__ import annotations

from shared.errors import Conflict, DomainError


class TooManyOrders(DomainError):
    """Over a quota of new orders; the answer carries `Retry-After` (seconds)."""

    status = 429
    code = "too_many_orders"
    message_zh = "下单太频繁了，请稍后再试"
    message_en = "Too many orders placed just now; try again later."

    def __init__(self, retry_after: int, message_zh: str | None = None, message_en: str | None = None) -> None:
        super().__init__(message_zh, message_en)
        self.retry_after = retry_after


class PhotoTooLarge(DomainError):
    status = 413
    code = "photo_too_large"
    message_zh = "照片太大（最大 5 MB），请换一张或压缩后再试"
    message_en = "The photo is too large (5 MB at most); choose a smaller one."


class PhotoTypeNotAllowed(DomainError):
    status = 415
    code = "photo_type_not_allowed"
    message_zh = "只能上传 JPEG、PNG 或 WebP 格式的照片"
    message_en = "Only JPEG, PNG or WebP photos can be uploaded."


class UnknownPhoto(DomainError):
    status = 400
    code = "unknown_photo"
    message_zh = "照片不存在，或不能用于这里"
    message_en = "No such photo, or it cannot be used here."


class PhotoNotUploaded(DomainError):
    status = 400
    code = "photo_not_uploaded"
    message_zh = "照片尚未上传完成，请重新上传"
    message_en = "The photo was not uploaded yet; upload it again."


class PhotoMismatch(DomainError):
    status = 400
    code = "photo_mismatch"
    message_zh = "上传的文件与申请时声明的大小或格式不符，请重新上传"
    message_en = "The uploaded file differs from the declared size or type; upload it again."


class PhotoInUse(Conflict):
    code = "photo_in_use"
    message_zh = "这张照片已用于其他地方"
    message_en = "This photo is already attached elsewhere."


class WrongCode(DomainError):
    status = 400
    code = "wrong_code"
    message_zh = "验证码不对，请核对老人收到的短信后再输入"
    message_en = "The code is wrong; check the text message the resident received and try again."


class RequestExpired(DomainError):
    status = 410
    code = "request_expired"
    message_zh = "这次申请已过期或已用过，请重新申请"
    message_en = "This request has expired or was already used; ask again."


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    message_zh = "验证码输错次数太多，这次申请已作废，请稍后重新申请"
    message_en = "Too many wrong codes: this request is void. Ask again a little later."


class RequestTooSoon(DomainError):
    status = 429
    code = "request_too_soon"
    message_zh = "刚刚已经发过验证码，请一分钟后再试"
    message_en = "A code was sent a moment ago; try again in a minute."


class DailyLimitReached(DomainError):
    status = 429
    code = "daily_limit_reached"
    message_zh = "今天申请的次数已经用完，请明天再试"
    message_en = "You have asked as many times as allowed today; try again tomorrow."


class InvalidRelation(DomainError):
    status = 400
    code = "invalid_relation"
    message_zh = "请从列表中选择您和老人的关系：儿子、女儿、配偶、其他家人、亲属、社区工作者、邻居、其他"
    message_en = (
        "Choose what you are to the resident from the list: son, daughter, spouse, family member, relative, "
        "community worker, neighbour, other."
    )


class AlreadyLinked(Conflict):
    code = "already_linked"
    message_zh = "您已经在为这位居民代办了"
    message_en = "You already act for this resident."


class CannotLinkSelf(DomainError):
    status = 400
    code = "cannot_link_self"
    message_zh = "不能为自己代办，请输入家人的手机号"
    message_en = "You cannot act for yourself; enter your family member's phone number."


class NotLinked(DomainError):
    status = 404
    code = "not_linked"
    message_zh = "没有这个代办关系（可能已经取消）"
    message_en = "No such link (it may have been revoked already)."
