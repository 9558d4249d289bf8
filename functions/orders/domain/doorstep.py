"""The door-step check (pure): the technician says the order code at the door; the resident checks it, with his
photo, name, company and today's credentials, before she opens.

Once he is on his way (`en_route`) his app shows the code he will say; the resident confirms what she saw
(`match` true or false) while he is on his way or at the door. A mismatch pauses the order: the technician can
neither report progress nor bill until it is lifted (the resident confirming the right person later, or a supervisor
re-dispatching the escalated order), and the company and the supervisors are told at once.
"""

from __future__ import annotations

from orders.domain.lifecycle import OrderStatus
from orders.domain.records import Order
from shared.roles import Role

CHECKED_WHILE = frozenset({OrderStatus.EN_ROUTE, OrderStatus.ON_SITE})
MATCH, MISMATCH = "match", "mismatch"
PAUSED_BY_MISMATCH = "doorstep_mismatch"


def technician_sees_code(role: str, user_id: str, order: Order) -> bool:
    """The assigned technician, once on his way and while at the door: the code he will say."""
    return role == Role.TECHNICIAN and order.technician_id == user_id and order.status in CHECKED_WHILE


def result_of(match: bool) -> str:
    return MATCH if match else MISMATCH


def paused_reason_after(match: bool) -> str | None:
    """A mismatch pauses the order; a match (the right technician is at the door) lifts the pause."""
    return None if match else PAUSED_BY_MISMATCH


def timeline_note(match: bool, by: str, resident_id: str) -> str:
    who = "" if by == resident_id else f" on behalf of {resident_id}"
    return f"doorstep check: {'the code matched' if match else 'the code did not match, order paused'}{who}"
