"""What the orders domain's routes share: the caller's profile, who may see or handle an order, and its view."""

from __future__ import annotations

from addresses.domain.records import Address
from addresses.domain.rules import ensure_verified
from addresses.service import address_book
from compounds.domain.records import Compound
from compounds.service import compound_records
from identity.domain.records import User
from identity.service import accounts
from orders.domain import credentials, doorstep, rules, timeline
from orders.domain.records import Order
from orders.handlers.models import MatchView, OrderView, StatusText, TechnicianView, TimelineView
from orders.service import desk
from orders.store import orders, proxy_links
from shared import clock
from shared.auth import Caller, require_role
from shared.errors import Forbidden, ValidationFailed
from shared.roles import Role
from supervision.service import company_records


def profile(caller: Caller):
    user = accounts.get_user(caller.user_id)
    if user is None or user.status != "active":
        raise Forbidden("账号不可用", "This account is not active.")
    return user


def view(order: Order, caller: Caller) -> OrderView:
    technician = None
    if order.technician_id:
        tech = accounts.get_user(order.technician_id)
        company = company_records.get_company(order.company_id) if order.company_id else None
        technician = TechnicianView(
            technician_id=order.technician_id,
            name=tech.name if tech else "",
            company_id=order.company_id,
            company_name=company.name if company else None,
            photo_ref=tech.photo_ref if tech else None,
            credentials=credentials.check(tech, company, order.category, clock.beijing_today()),
        )
    zh, en = rules.STATUS_TEXT[order.status]
    resident = accounts.get_user(order.resident_id) if rules.shows_resident_phone(caller.role, caller.user_id, order) else None
    # Who placed it, for the resident and their proxies (and supervisors); never for the technician or company.
    involved = caller.role in (Role.RESIDENT, Role.SUPERVISOR)
    placer = accounts.get_user(order.placed_by) if involved and order.placed_by not in (None, order.resident_id) else None
    return OrderView(
        order_id=order.order_id,
        type=order.order_type,
        category=order.category,
        description=order.description,
        status=order.status,
        status_text=StatusText(zh=zh, en=en),
        resident_id=order.resident_id if involved else None,
        placed_by=order.placed_by if involved else None,
        placed_by_name=placer.name if placer else None,
        placed_via=order.placed_via if involved else None,
        address_label=order.address_label,
        place=order.place,
        photo_ref=order.photo_ref,
        slot=order.slot,
        quote=order.quote,
        # The resident checks it at the door; the technician says it, once on his way (doorstep.technician_sees_code).
        order_code=order.order_code
        if caller.role in (Role.RESIDENT, Role.SUPERVISOR) or doorstep.technician_sees_code(caller.role, caller.user_id, order)
        else None,
        resident_phone=(resident.phone or None) if resident else None,
        technician=technician,
        escalation_reason=order.escalation_reason,
        cancel_reason=order.cancel_reason,
        bill=order.bill,
        bill_total=order.bill_total,
        extra_lines=order.extra_lines,
        extra_total=order.extra_total,
        approval_outcome=order.approval_outcome,
        completed_at=order.completed_at,
        work_note=order.work_note,
        doorstep=order.doorstep,
        paused_reason=order.paused_reason,
        rework_of=order.rework_of,
        reworked_by=order.reworked_by,
        completion_photos=order.completion_photos,
        dispute=order.dispute,
        rating_stars=order.rating_stars,
        me_too_count=order.me_too_count,
        match=MatchView(round=order.match_round, search_radius_m=order.search_radius_m, reason=order.match_reason)
        if caller.role == Role.SUPERVISOR and order.match_round is not None
        else None,
        timeline=_timeline(order, caller),
        created_at=timeline.instant(order.created_at),
        updated_at=timeline.instant(order.updated_at),
    )


def neighbour_view(order: Order, compound_name: str) -> OrderView:
    """A public-area report as a neighbour who reported the same problem sees it: what, where in the compound and
    how far along, naming nobody (not the reporter, who placed it, the technician), no door code, photo or timeline."""
    kept = {"order_id", "type", "category", "description", "status", "status_text", "place", "quote", "me_too_count"}
    kept |= {"completed_at", "created_at", "updated_at"}
    nobody = Caller(user_id="", role=Role.TECHNICIAN)  # the narrowest view of the order, without its technician
    shown = view(order.model_copy(update={"technician_id": None}), nobody).model_dump(include=kept)
    empty = {"slot": None, "order_code": None, "technician": None, "escalation_reason": None, "cancel_reason": None}
    empty |= {"bill": [], "bill_total": None, "extra_lines": [], "extra_total": None, "approval_outcome": None}
    return OrderView(**shown, **empty, address_label=compound_name, dispute=None, rating_stars=None, timeline=[])


def _timeline(order: Order, caller: Caller) -> list[TimelineView]:
    """Each step with who did it by name; a resident (or her proxy) sees names only, never internal ids."""
    named = accounts.get_users(timeline.ids_in(order.timeline)) if order.timeline else {}
    who = {user_id: (user.name, user.role) for user_id, user in named.items()}
    entries = timeline.view_entries(order.timeline, who, for_resident=caller.role == Role.RESIDENT)
    return [TimelineView(**entry) for entry in entries]


def visible_order(order_id: str, caller: Caller) -> Order:
    order = orders.get_or_404(order_id)
    user = profile(caller)
    is_proxy = (
        caller.role == Role.RESIDENT
        and order.resident_id != caller.user_id
        and proxy_links.is_proxy(order.resident_id, caller.user_id)
    )
    serves = caller.role == Role.DISPATCHER and desk.serves(user.company_id, order)
    rules.ensure_can_view(caller.role, caller.user_id, user.company_id, order, is_proxy=is_proxy, serves_compound=serves)
    return order


def company_order(order_id: str, caller: Caller, *, desk_too: bool = False) -> tuple[Order, User]:
    """An order a supervisor, or the dispatcher of the order's company, may handle; and the caller's profile. With
    `desk_too`, also the dispatcher of the company contracted for the order's compound (its service desk)."""
    require_role(caller, Role.SUPERVISOR, Role.DISPATCHER)
    user = profile(caller)
    order = orders.get_or_404(order_id)
    served = desk_too and desk.serves(user.company_id, order)
    if caller.role == Role.DISPATCHER and order.company_id != user.company_id and not served:
        raise Forbidden("这不是贵公司的订单", "This order does not belong to your company.")
    return order, user


def resident_address(resident_id: str, address_id: str) -> tuple[Address, Compound]:
    """One of the resident's verified addresses and its compound, or a clear 400 (unknown) or 409
    `address_not_verified` (still waiting for the property company, or refused)."""
    address = address_book.get_address(resident_id, address_id)
    if address is None:
        raise ValidationFailed("地址不存在，请从“我的地址”中选择", "Unknown address_id: choose one of your saved addresses.")
    ensure_verified(address)
    compound = compound_records.get_compound(address.compound_id)
    if compound is None:
        raise ValidationFailed("该地址不在服务小区内", "This address is not in a served compound.")
    return address, compound


def ordering_for(caller: Caller, on_behalf_of: str | None) -> str:
    """Whose order (or quote) this is: the caller's own, or that of a resident the caller acts for now."""
    if on_behalf_of is None or on_behalf_of == caller.user_id:
        return caller.user_id
    if not proxy_links.is_proxy(on_behalf_of, caller.user_id):
        raise Forbidden("您没有为这位居民代办的权限", "You do not act for this resident.")
    return on_behalf_of
