"""Order types, categories and statuses, offer statuses, and which status changes each actor may make (pure rules)."""

from __future__ import annotations

from enum import StrEnum

from shared.roles import Role


class OrderType(StrEnum):
    EMERGENCY = "emergency"
    BOOKING = "booking"
    PUBLIC_AREA = "public_area"


class Category(StrEnum):
    ELECTRICAL = "electrical"
    PLUMBING = "plumbing"
    LOCKS = "locks"
    APPLIANCES = "appliances"
    OTHER = "other"


class OrderStatus(StrEnum):
    SUBMITTED = "submitted"
    MATCHING = "matching"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    AWAITING_APPROVAL = "awaiting_approval"  # the bill goes beyond the quote: the resident must consent
    COMPLETED = "completed"
    RATED = "rated"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    ESCALATED = "escalated"


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


S = OrderStatus


# A resident may cancel until the work is done.
CANCELLABLE = frozenset({S.SUBMITTED, S.MATCHING, S.OFFERED, S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, S.ESCALATED})


# The assigned technician's progress reports, each allowed only from the listed statuses.
PROGRESS_FROM = {
    S.EN_ROUTE: frozenset({S.ASSIGNED}),
    S.ON_SITE: frozenset({S.ASSIGNED, S.EN_ROUTE}),
    S.COMPLETED: frozenset({S.ASSIGNED, S.EN_ROUTE, S.ON_SITE}),
}


# A bill can be disputed once the work is done (within `OrderSettings.dispute_days` of completion).
DISPUTABLE = frozenset({S.COMPLETED, S.RATED, S.CLOSED})


TERMINAL = frozenset({S.CLOSED, S.CANCELLED})


# Orders that count against a technician's workload cap.
ACTIVE_ASSIGNMENT = frozenset({S.ASSIGNED, S.EN_ROUTE, S.ON_SITE})


def can_dispatch(order_type: str, status: str, role: str) -> bool:
    """Supervisors and the compound's service desk (its contracted company's dispatcher) dispatch escalated orders;
    the desk also takes over an order still being offered (matching); a company dispatcher assigns its public-area
    reports. Whether the dispatcher's company serves the order's compound is checked by the caller."""
    if status == S.ESCALATED:
        return role in (Role.SUPERVISOR, Role.DISPATCHER)
    if status == S.OFFERED and order_type != OrderType.PUBLIC_AREA:
        return role == Role.DISPATCHER
    return order_type == OrderType.PUBLIC_AREA and status == S.SUBMITTED and role in (Role.DISPATCHER, Role.SUPERVISOR)
