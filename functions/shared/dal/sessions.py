"""Whether a sign-in session (a refresh-token family of the identity domain) is still active: every API call whose
token names its session checks it, so a logout or a reuse revocation stops its access tokens at once."""

from __future__ import annotations

from shared.dal.base import ensure_bound
from shared.dal.tables import SessionFamilyItem

ACTIVE = "active"


def is_active(user_id: str, family_id: str) -> bool:
    ensure_bound()
    try:
        item = SessionFamilyItem.get(f"USER#{user_id}", f"SESSION#{family_id}", consistent_read=True)
    except SessionFamilyItem.DoesNotExist:
        return False
    return item.status == ACTIVE
