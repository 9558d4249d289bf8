"""The real collaborators of the onboarding use cases: the table, the supervision audit chain, the companies."""

from __future__ import annotations

from functools import lru_cache

from compounds.service.onboarding import Onboarding
from compounds.store.dynamodb import DynamoStore
from shared import clock
from supervision.service import company_records


class SupervisionAudit:
    """Appends through the supervision service (its hash chain), not its store."""

    def append(self, chain_id: str, *, source_id: str, kind: str, actor: str, at: str, detail: dict) -> None:
        from supervision.service import operations

        operations.append(chain_id, source_id=source_id, kind=kind, actor=actor, at=at, detail=detail)


class PeopleCompanies:
    def exists(self, company_id: str) -> bool:
        return company_records.get_company(company_id) is not None


@lru_cache(maxsize=1)
def onboarding() -> Onboarding:
    return Onboarding(store=DynamoStore(), audit=SupervisionAudit(), companies=PeopleCompanies(), now=clock.now_iso)
