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
