"""The workflow's waits for a person's answer: a `Step` is the `step` of a wait's state in the ASL (its Payload),
of its stored task token, of the API answer that resumes it, and of its deadline warning."""

from __future__ import annotations

from enum import StrEnum

from orders.domain.lifecycle import OrderStatus as S


class Step(StrEnum):
    DISPATCH = "dispatch"  # AwaitManualDispatch, AwaitCompanyDispatch: a supervisor or the company dispatches
    COMPLETION = "completion"  # AwaitCompletion: the technician's itemised bill
    APPROVAL = "approval"  # AwaitApproval: the resident's consent to the extra lines
    RATING = "rating"  # AwaitRating: the resident's rating


# A step is satisfied once the order has reached one of these statuses. The API and the wait's registration both
# check this, so whichever comes second resumes the workflow.
SATISFIED_BY: dict[Step, frozenset[S]] = {
    Step.DISPATCH: frozenset({S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, S.COMPLETED, S.RATED, S.CLOSED}),
    Step.COMPLETION: frozenset({S.AWAITING_APPROVAL, S.COMPLETED, S.RATED, S.CLOSED}),
    Step.APPROVAL: frozenset({S.COMPLETED, S.RATED, S.CLOSED}),
    Step.RATING: frozenset({S.RATED, S.CLOSED}),
}
