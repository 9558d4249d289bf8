"""The matching domain's errors: an offer or a technician's hours taken or gone (409)."""

from __future__ import annotations

from shared.errors import Conflict


class OfferNotOpen(Conflict):
    code = "offer_not_open"
    message_zh = "该派单已失效（已超时、已被接单或已撤回）"
    message_en = "This offer is no longer open (expired, taken or withdrawn)."


class SlotTaken(Conflict):
    code = "slot_taken"
    message_zh = "该时间段您已有预约，不能重复接单"
    message_en = "You already hold a booking in this time slot."


class OfferTaken(Conflict):
    code = "offer_taken"
    message_zh = "该订单已被其他师傅抢先接单"
    message_en = "Another technician took this order first."


class RoundNotCreated(Conflict):
    """The offer task's round could not be stored: the order is no longer matching, and no offer of the round is
    open (a bug or a race with a cancel: the workflow's Catch handles it)."""

    code = "round_not_created"
    message_zh = "派单未能创建：订单已不在匹配中"
    message_en = "The offers could not be created: the order is no longer being matched."
