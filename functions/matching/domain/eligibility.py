"""The hard filters: who may be offered an order at all. Pure; the handler supplies what it read.

Cheap checks on the technician's own record (`prefilter`) run first, on everyone the spatial index
returned; the checks that need one more read per technician (workload, the booked slot) run only on
those that passed (`rejection`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from identity.domain.records import User
from matching.domain.geo import distance_m
from orders.domain.lifecycle import OrderType
from orders.domain.records import Order
from shared.roles import Role
from supervision.domain.qualifications import certificate_valid
from supervision.domain.records import Company

ACTIVE = "active"
ADMITTED = "admitted"


class Rejection(StrEnum):
    NOT_TECHNICIAN = "not_technician"
    TECHNICIAN_SUSPENDED = "technician_suspended"
    COMPANY_NOT_ADMITTED = "company_not_admitted"
    NO_SKILL = "no_skill"
    CERTIFICATE_INVALID = "certificate_invalid"
    OFF_DUTY = "off_duty"
    NO_LOCATION = "no_location"
    OUT_OF_RADIUS = "out_of_radius"
    ALREADY_ASKED = "already_asked"
    WORKLOAD_CAP = "workload_cap"
    SLOT_BUSY = "slot_busy"
    UNREADABLE_RECORD = "unreadable_record"  # the technician's record could not be judged: skipped, reported


@dataclass(frozen=True)
class TechLoad:
    """What one more read tells about a technician: active orders, last order, booked hours."""

    active_orders: int = 0
    last_order_at: str | None = None
    busy: bool = False  # already holds a booking overlapping the order's slot


@dataclass(frozen=True)
class Criteria:
    order: Order
    service_date: date
    radius_m: float
    companies: dict[str, Company]
    asked: frozenset[str] = field(default_factory=frozenset)  # declined, let time out, or offered already
    workload_cap: int = 3


def qualification(tech: User, category: str, companies: dict[str, Company], service_date: date) -> Rejection | None:
    """Vetting, skill and certificate: may this technician do this kind of work on that day at all?"""
    if tech.role != Role.TECHNICIAN:
        return Rejection.NOT_TECHNICIAN
    if tech.status != ACTIVE:
        return Rejection.TECHNICIAN_SUSPENDED
    company = companies.get(tech.company_id or "")
    if company is None or company.status != ADMITTED:
        return Rejection.COMPANY_NOT_ADMITTED
    if category not in tech.skills:
        return Rejection.NO_SKILL
    if not certificate_valid(tech, category, service_date):
        return Rejection.CERTIFICATE_INVALID
    return None


def prefilter(tech: User, c: Criteria) -> Rejection | None:
    """The filters decidable from the technician's own record, the company and the order."""
    order = c.order
    unqualified = qualification(tech, order.category, c.companies, c.service_date)
    if unqualified is not None:
        return unqualified
    if order.order_type == OrderType.EMERGENCY and not tech.on_duty:
        return Rejection.OFF_DUTY
    if tech.lat is None or tech.lng is None:
        return Rejection.NO_LOCATION
    if tech.user_id in c.asked or tech.user_id in order.excluded_technicians:
        return Rejection.ALREADY_ASKED
    if distance_m(order.lat, order.lng, tech.lat, tech.lng) > c.radius_m:
        return Rejection.OUT_OF_RADIUS
    return None


def rejection(tech: User, load: TechLoad, c: Criteria) -> Rejection | None:
    """Every hard filter; `load` is the technician's workload and slot as read for this match."""
    early = prefilter(tech, c)
    if early is not None:
        return early
    if load.active_orders >= c.workload_cap:
        return Rejection.WORKLOAD_CAP
    if c.order.order_type == OrderType.BOOKING and load.busy:
        return Rejection.SLOT_BUSY
    return None
