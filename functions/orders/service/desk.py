"""Use case: the property service desk's view of orders (the dispatcher role of a compound's contracted company).

The desk sees every order in the compounds its company is contracted to serve (emergency, booking, public-area,
escalated: Query gsi5 `COMPOUND#<compound>` for each; the compounds are those of the listing, gsi3 `COMPOUNDS`, whose
current contract is the company's), and its own company's orders anywhere (gsi3 `COMPANY#<company>`), newest first,
merged page by page (shared.paging).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from addresses.service import address_book
from compounds.service import compound_records
from identity.service import accounts
from orders.domain.records import Order
from orders.store import orders
from shared.errors import Forbidden, ValidationFailed
from shared.roles import Role


def serves(company_id: str | None, order: Order) -> bool:
    """Does this company serve the order's compound (its contracted company)?"""
    if not company_id:
        return False
    compound = compound_records.get_compound(order.compound_id)
    return compound is not None and compound.contracted_company_id == company_id


def desk_sources(company_id: str, compound_id: str | None = None) -> list[Callable[[str | None, int], list[Order]]]:
    """The partitions the desk's list merges: each compound its company serves (or the one asked for, if it serves
    it), and its company's orders anywhere."""
    compounds = [c.compound_id for c in compound_records.compounds_of(company_id)]
    if compound_id is not None:
        if compound_id not in compounds:
            raise Forbidden("这个小区不是贵公司服务的小区", "Your company does not serve this compound.")
        compounds = [compound_id]
    sources = [partial(_of_compound, cid) for cid in compounds]
    if compound_id is None:
        sources.append(partial(_of_company, company_id))
    return sources


def _of_compound(compound_id: str, before: str | None, limit: int) -> list[Order]:
    return orders.for_compound(compound_id, limit, before)


def _of_company(company_id: str, before: str | None, limit: int) -> list[Order]:
    return orders.for_company(company_id, limit, before)


def caller_for(company_id: str | None, resident_id: str | None, address_id: str, channel: str) -> str:
    """The resident a desk may place an order for, on the phone: a verified resident (an active account with a phone
    number) at one of her addresses in a compound the desk's company serves."""
    if channel != "phone" or not resident_id:
        raise Forbidden(
            "服务台替居民下单须注明居民（on_behalf_of）和来电渠道（channel: phone）",
            'The desk places an order for a caller: give on_behalf_of and channel "phone".',
        )
    resident = accounts.get_user(resident_id)
    if resident is None or resident.role != Role.RESIDENT or resident.status != "active" or not resident.phone:
        raise ValidationFailed("找不到这位已核实手机号的居民", "No verified resident (with a phone number) by that id.")
    address = address_book.get_address(resident_id, address_id)
    compound = compound_records.get_compound(address.compound_id) if address else None
    if compound is None or compound.contracted_company_id != company_id:
        raise Forbidden("这位居民的地址不在贵公司服务的小区", "That address is not in a compound your company serves.")
    return resident_id
