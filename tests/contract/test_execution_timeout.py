"""The order execution's overall timeout lies above the longest an order can take with the deployed settings, so
the `OrdersTimedOut` alarm fires only for an execution that went round its loops more than an order can."""

from __future__ import annotations

import json

from matching.domain.settings import MatchingSettings
from orders.domain.settings import OrderSettings
from statemachines import ORDER_LIFECYCLE_ASL as ASL_PATH

ASL = json.loads(ASL_PATH.read_text(encoding="utf-8"))
STATES = ASL["States"]


def _waits() -> dict[str, str]:
    """Every state that waits (a callback's timeout or a Wait), with the execution-input field that sets how long."""
    waits = {}
    for name, state in STATES.items():
        path = state.get("TimeoutSecondsPath") or state.get("SecondsPath")
        if path:
            waits[name] = path.removeprefix("$.timeouts.")
        assert "TimeoutSeconds" not in state and "Seconds" not in state, f"{name}: waits come from the settings"
    return waits


def longest_order_seconds(settings: OrderSettings, matching: MatchingSettings) -> int:
    """An upper bound of an execution's length: each wait at its full timeout, as often as it can be entered.

    Offers: one round after another, `max_offer_rounds` (a round's offers run side by side). Escalations: at most two
    (nobody found or the company did not dispatch; then once more when the completion is overdue), each a manual
    dispatch wait tried again `dispatch_wait_retries` times after a pause. The completion wait: twice (before and
    after that overdue escalation), at the longer of the two deadlines. Approval and rating: once."""
    escalations, completions = 2, 2
    per_escalation = (settings.dispatch_wait_retries + 1) * settings.escalation_seconds + (
        settings.dispatch_wait_retries * settings.dispatch_wait_retry_seconds
    )
    return (
        matching.max_offer_rounds * max(settings.booking_offer_seconds, settings.emergency_offer_seconds)
        + settings.company_dispatch_seconds
        + escalations * per_escalation
        + completions * max(settings.completion_seconds, settings.public_area_resolve_seconds)
        + settings.approval_seconds
        + settings.rating_seconds
    )


def test_the_bound_counts_every_wait_of_the_state_machine():
    assert set(_waits().values()) == {
        "offer_seconds",
        "dispatch_seconds",
        "escalation_seconds",
        "dispatch_wait_retry_seconds",
        "completion_seconds",
        "approval_seconds",
        "rating_seconds",
    }, "a new wait must be counted in longest_order_seconds"


def test_the_execution_times_out_above_the_longest_order():
    timeout = ASL.get("TimeoutSeconds")
    assert isinstance(timeout, int), "an overall TimeoutSeconds, so that OrdersTimedOut can fire"
    # The deployed defaults, not this process's environment (the test sandbox shortens every wait).
    longest = longest_order_seconds(OrderSettings.model_construct(), MatchingSettings.model_construct())
    assert longest < timeout <= 2 * longest, (longest, timeout)
    assert timeout < 365 * 24 * 3600  # a Standard execution's own limit
