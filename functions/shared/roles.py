"""The roles of accounts, and the account statuses that may use the API."""

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    TECHNICIAN = "technician"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"


# Accounts in these statuses may use the API (anything else: suspended, rejected, … is refused).
USABLE_ACCOUNT_STATUSES = frozenset({"active"})
