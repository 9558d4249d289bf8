"""A compound, the company contracted for it and its free-service period."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class Contract(BaseModel):
    """The company contracted for a compound's public areas and dispatch, from one day through another (Beijing
    days, inclusive; `ends_on` None: open-ended)."""

    company_id: str
    starts_on: str
    ends_on: str | None = None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day.isoformat() and (self.ends_on is None or day.isoformat() <= self.ends_on)


class FreePeriod(BaseModel):
    """A period in which repairs in a compound are free to its residents, and who pays for them."""

    starts_on: str
    ends_on: str
    funded_by: str

    def covers(self, day: date) -> bool:
        return self.starts_on <= day.isoformat() <= self.ends_on


class Compound(BaseModel):
    compound_id: str
    name: str
    name_en: str = ""
    district: str = ""
    street: str = ""
    lat: float  # GCJ-02, as every stored position
    lng: float
    # The company of the current contract (what readers of "the compound's contracted company" use); the
    # contract's days are in `contract`.
    contracted_company_id: str | None = None
    contract: Contract | None = None
    free_period: FreePeriod | None = None  # None: charged normally
    terms_version: int = 0  # one more with every change of the contract or the free period
    household_count: int = 0

    def company_on(self, day: date) -> str | None:
        """The contracted company on that Beijing day (a compound without dated contract: its company)."""
        if self.contract is None:
            return self.contracted_company_id
        return self.contract.company_id if self.contract.covers(day) else None

    def free_period_on(self, day: date) -> FreePeriod | None:
        """The free-service period covering that Beijing day, if any (else the compound is charged normally)."""
        return self.free_period if self.free_period and self.free_period.covers(day) else None
