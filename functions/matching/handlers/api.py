"""HTTP API of the matching domain: a technician's offers, accept/decline, availability; booking slots."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from addresses.domain.rules import ensure_verified
from addresses.service import address_book
from identity.service import accounts
from matching.domain.booking_hours import hour_blocks
from matching.domain.errors import OfferTaken
from matching.domain.settings import matching_settings
from matching.handlers.models import AvailabilityIn, AvailabilityView, OfferList, OfferView, SlotList
from matching.service import offers as round_of_offers
from matching.service.availability import available_slots
from matching.store import offers
from matching.store.offers import Offer
from orders.domain.lifecycle import Category, OfferStatus, OrderType
from orders.service import proxy_links
from orders.service import queries as orders
from shared import clock, paging, workflow
from shared.api import build_resolver, current_caller, resolve
from shared.auth import Caller, require_role
from shared.errors import Forbidden, ValidationFailed
from shared.observability import logger, tracer
from shared.roles import Role

router = Router()


def _offer_view(offer: Offer) -> OfferView:
    order = orders.get_or_404(offer.order_id)
    return OfferView(
        offer_id=offer.offer_id,
        order_id=offer.order_id,
        status=offer.status,
        created_at=offer.created_at,
        expires_at=offer.expires_at,
        order_type=order.order_type,
        category=order.category,
        description=order.description,
        address_label=order.address_label,
        place=order.place,
        mode=offer.match_reason.mode if offer.match_reason else "single",
    )


def _own_offer(offer_id: str, caller: Caller) -> Offer:
    require_role(caller, Role.TECHNICIAN)
    offer = offers.get_or_404(offer_id)
    if offer.technician_id != caller.user_id:
        raise Forbidden("这不是派给您的单", "This offer was made to someone else.")
    return offer


@router.get("/offers")
def list_offers(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> OfferList:
    """The caller's open offers, oldest first, `limit` a page."""
    caller = current_caller(router)
    require_role(caller, Role.TECHNICIAN)
    found, resume = offers.open_for_technician(caller.user_id, after=paging.decode_key("offers", cursor), limit=limit)
    return OfferList(offers=[_offer_view(o) for o in found], next_cursor=paging.encode_key("offers", resume))


@router.post("/offers/<offer_id>/accept")
def accept_offer(offer_id: str) -> OfferView:
    caller = current_caller(router)
    offer = _own_offer(offer_id, caller)
    technician = accounts.get_user(caller.user_id)
    if technician is None or technician.status != "active" or not technician.company_id:
        raise Forbidden("账号不可接单", "This account cannot take orders.")
    order = orders.get_or_404(offer.order_id)
    hours = hour_blocks(order.slot.start, order.slot.end) if order.order_type == OrderType.BOOKING and order.slot else []
    try:
        # Grab mode: the first accept wins this transaction; every other accept of the round gets 409.
        round_of_offers.accept(offer, order, technician.company_id, at=clock.now_iso(), reserve_hours=hours)
    except OfferTaken:
        offers.withdraw_batch(offer.order_id, offer.batch_id, at=clock.now_iso())
        raise
    # The offer record already says who got the order; a late resume (timed out) changes nothing.
    workflow.resume(offers.task_token(offer.offer_id), {"decision": OfferStatus.ACCEPTED.value})
    return _offer_view(offers.get_or_404(offer_id))


@router.post("/offers/<offer_id>/decline")
def decline_offer(offer_id: str) -> OfferView:
    caller = current_caller(router)
    offer = _own_offer(offer_id, caller)
    # In grab mode the round goes on while others may still accept; the last refusal ends it.
    if round_of_offers.refuse(offer, OfferStatus.DECLINED, actor=caller.user_id, at=clock.now_iso()):
        workflow.resume(offers.task_token(offer.offer_id), {"decision": OfferStatus.DECLINED.value})
    return _offer_view(offers.get_or_404(offer_id))


@router.put("/technicians/me/availability")
def set_availability(body: AvailabilityIn) -> AvailabilityView:
    caller = current_caller(router)
    require_role(caller, Role.TECHNICIAN)
    user = accounts.set_availability(caller.user_id, body.on_duty, body.lat, body.lng)
    return AvailabilityView(technician_id=user.user_id, on_duty=user.on_duty, lat=user.lat, lng=user.lng)


@router.get("/slots")
def list_slots(
    category: Annotated[Category, Query(description="The repair category")],
    address_id: Annotated[str, Query(min_length=1, max_length=64, description="One of the resident's addresses")],
    on_behalf_of: Annotated[
        str | None, Query(pattern=r"^[a-z0-9_]{1,64}$", description="A resident the caller acts for: their address")
    ] = None,
) -> SlotList:
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    resident_id = caller.user_id
    if on_behalf_of and on_behalf_of != caller.user_id:
        if not proxy_links.is_proxy(on_behalf_of, caller.user_id):
            raise Forbidden("您没有为这位居民代办的权限", "You do not act for this resident.")
        resident_id = on_behalf_of
    address = address_book.get_address(resident_id, address_id)
    if address is None:
        raise ValidationFailed("地址不存在，请从“我的地址”中选择", "Unknown address_id: choose one of your saved addresses.")
    ensure_verified(address)
    return SlotList(
        category=category, address_id=address_id, slots=available_slots(category, address.lat, address.lng, matching_settings())
    )


app = build_resolver(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return resolve(app, event, context)
