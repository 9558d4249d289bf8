"""Public-area reports (pure): when a new report is the same problem as an open one of the compound."""

from __future__ import annotations

from orders.domain.lifecycle import OrderStatus
from orders.domain.records import Order

S = OrderStatus
# A report is open (neighbours see it and may add "me too") until it is done or cancelled.
OPEN_REPORT_STATUSES = frozenset({S.SUBMITTED, S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, S.AWAITING_APPROVAL, S.ESCALATED})
# A report found false (nothing broken, or a prank) is closed by the company as unfounded, with this reason prefix:
# it is cancelled, so it counts for nobody's credit. Not once a bill waits for approval (the work was real).
UNFOUNDED = "unfounded"
UNFOUNDED_FROM = frozenset({S.SUBMITTED, S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, S.ESCALATED})


def _normalise(place: str | None) -> str:
    return "".join((place or "").split()).lower()


def same_problem(open_reports: list[Order], category: str, place: str | None) -> Order | None:
    """The open report of the same category at the same place (spaces and case ignored), oldest first."""
    wanted = _normalise(place)
    matches = [o for o in open_reports if o.category == category and _normalise(o.place) == wanted]
    return min(matches, key=lambda o: o.created_at) if matches else None
