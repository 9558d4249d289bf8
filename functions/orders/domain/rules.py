"""Pure rules of the orders domain: quotes, new orders, who may see what, status wording."""

from __future__ import annotations

from datetime import datetime, timedelta

from addresses.domain.records import Address
from compounds.domain.records import Compound
from orders.domain.lifecycle import ACTIVE_ASSIGNMENT, OrderStatus, OrderType
from orders.domain.records import Order, Quote, Slot, TimelineEntry
from orders.domain.settings import OrderSettings
from shared.clock import BEIJING, iso
from shared.errors import Forbidden, ValidationFailed
from shared.roles import Role

STATUS_TEXT = {
    "submitted": ("已提交，正在处理", "Submitted"),
    "matching": ("正在为您寻找附近的师傅", "Looking for a technician nearby"),
    "offered": ("已通知师傅，等待师傅接单", "Waiting for a technician to accept"),
    "assigned": ("师傅已接单", "A technician has accepted"),
    "en_route": ("师傅正在赶来", "The technician is on the way"),
    "on_site": ("师傅已到达", "The technician has arrived"),
    "awaiting_approval": ("师傅提出了超出报价的项目，请您确认", "The bill goes beyond the quote: your consent is needed"),
    "completed": ("维修已完成，请评价", "Repair done; please rate it"),
    "rated": ("已评价，谢谢", "Rated, thank you"),
    "closed": ("订单已结束", "Order closed"),
    "cancelled": ("订单已取消", "Order cancelled"),
    "escalated": ("正在由监管人员为您安排师傅", "A supervisor is arranging a technician"),
}

MAX_BOOKING_AHEAD = timedelta(days=30)
MAX_SLOT_LENGTH = timedelta(hours=4)


def _parse_time(value: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed(f"{field} 不是有效的时间", f"{field} is not a valid date and time.") from exc
    if moment.tzinfo is None:
        raise ValidationFailed(f"{field} 需要包含时区", f"{field} must include a time zone.")
    return moment


def validate_slot(order_type: str, slot: dict | None, now: datetime) -> Slot | None:
    if order_type != OrderType.BOOKING:
        if slot is not None:
            raise ValidationFailed("只有服务预约可以选择时间段", "Only a booking takes a time slot.")
        return None
    if slot is None:
        raise ValidationFailed("服务预约需要选择时间段", "A booking needs a time slot.")
    start, end = _parse_time(slot["start"], "slot.start"), _parse_time(slot["end"], "slot.end")
    if start <= now:
        raise ValidationFailed("预约时间必须在将来", "The slot must start in the future.")
    if end <= start or end - start > MAX_SLOT_LENGTH:
        raise ValidationFailed("时间段须在 4 小时以内且结束晚于开始", "The slot must end after it starts, within 4 hours.")
    if start - now > MAX_BOOKING_AHEAD:
        raise ValidationFailed("最多可预约 30 天以内", "Bookings can be made at most 30 days ahead.")
    return Slot(start=iso(start), end=iso(end))


def new_order(
    *,
    order_id: str,
    order_code: str,
    resident_id: str,
    placed_by: str | None = None,
    order_type: str,
    category: str,
    description: str,
    address: Address,
    compound: Compound,
    quote: Quote,
    slot: Slot | None,
    place: str | None,
    now: datetime,
) -> Order:
    if order_type == OrderType.PUBLIC_AREA and not place:
        raise ValidationFailed("公区报事请说明具体位置", "A public-area report needs the place in the compound.")
    if order_type != OrderType.PUBLIC_AREA and place:
        raise ValidationFailed("只有公区报事需要填写位置", "Only a public-area report takes a place.")
    at = iso(now)
    return Order(
        order_id=order_id,
        order_type=order_type,
        category=category,
        description=description.strip(),
        status=OrderStatus.SUBMITTED,
        resident_id=resident_id,
        placed_by=placed_by or resident_id,
        compound_id=compound.compound_id,
        address_id=address.address_id,
        address_label=address.label,
        place=place,
        lat=address.lat,
        lng=address.lng,
        slot=slot,
        quote=quote,
        order_code=order_code,
        # Public-area reports belong to the company whose contract covers the day, from the start.
        company_id=compound.company_on(now.astimezone(BEIJING).date()) if order_type == OrderType.PUBLIC_AREA else None,
        timeline=[TimelineEntry(status=OrderStatus.SUBMITTED, at=at, actor=placed_by or resident_id)],
        created_at=at,
        updated_at=at,
    )


def execution_input(order: Order, settings: OrderSettings) -> dict:
    offer_seconds = settings.booking_offer_seconds if order.order_type == OrderType.BOOKING else settings.emergency_offer_seconds
    return {
        "order_id": order.order_id,
        "order_type": order.order_type,
        "timeouts": {
            "offer_seconds": offer_seconds,
            "dispatch_seconds": settings.company_dispatch_seconds,
            "escalation_seconds": settings.escalation_seconds,
            # A public-area report must be resolved within its own deadline once acknowledged.
            "completion_seconds": settings.public_area_resolve_seconds
            if order.order_type == OrderType.PUBLIC_AREA
            else settings.completion_seconds,
            "rating_seconds": settings.rating_seconds,
            "approval_seconds": settings.approval_seconds,
            # A manual-dispatch wait that fails (beyond its Retry) is tried again this many times, this far apart.
            "dispatch_wait_retries": settings.dispatch_wait_retries,
            "dispatch_wait_retry_seconds": settings.dispatch_wait_retry_seconds,
        },
        "dispatch_wait_failures": {"count": 0},
    }


def ensure_can_view(
    role: str, user_id: str, company_id: str | None, order: Order, *, is_proxy: bool = False, serves_compound: bool = False
) -> None:
    """Residents see their own orders (and a family member's they act for), technicians their
    assignments, dispatchers their company's and every order in the compounds their company serves (the desk)."""
    allowed = (
        role == Role.SUPERVISOR
        or (role == Role.RESIDENT and (order.resident_id == user_id or is_proxy))
        or (role == Role.TECHNICIAN and order.technician_id == user_id)
        or (role == Role.DISPATCHER and company_id is not None and (order.company_id == company_id or serves_compound))
    )
    if not allowed:
        raise Forbidden("您无权查看此订单", "You may not see this order.")


# While the work is under way the assigned technician may call the resident; before and after it, nobody may.
PHONE_VISIBLE_WHILE = ACTIVE_ASSIGNMENT | {OrderStatus.AWAITING_APPROVAL}


def shows_resident_phone(role: str, user_id: str, order: Order) -> bool:
    """Only the order's own technician, only while assigned and at work (not once completed or closed)."""
    return role == Role.TECHNICIAN and order.technician_id == user_id and order.status in PHONE_VISIBLE_WHILE
