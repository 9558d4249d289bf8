"""What the onboarding use cases need from other domains."""

from __future__ import annotations

from typing import Protocol


class AuditTrail(Protocol):
    def append(self, chain_id: str, *, source_id: str, kind: str, actor: str, at: str, detail: dict) -> None: ...


class Companies(Protocol):
    def exists(self, company_id: str) -> bool: ...
