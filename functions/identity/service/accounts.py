"""What the other domains read and write of accounts: they never use the identity store itself. The writes are the
account's own (a technician's vetting status, skills, photo, duty and location); where another domain's use case
writes an account with its own items in one transaction, it takes the account's changes from here."""

from __future__ import annotations

from identity.store.accounts import (
    Nearby,
    accounts_with_phone,
    credentials_changes,
    get_user,
    get_users,
    new_account_changes,
    residents_with_phone,
    set_availability,
    set_skills,
    set_technician_photo,
    set_technician_status,
    staff_of,
    technicians_by_vetting_status,
    technicians_near,
    technicians_with_certificates_expiring,
    users_with_role,
)

__all__ = [
    "Nearby",
    "accounts_with_phone",
    "credentials_changes",
    "get_user",
    "get_users",
    "new_account_changes",
    "residents_with_phone",
    "set_availability",
    "set_skills",
    "set_technician_photo",
    "set_technician_status",
    "staff_of",
    "technicians_by_vetting_status",
    "technicians_near",
    "technicians_with_certificates_expiring",
    "users_with_role",
]
