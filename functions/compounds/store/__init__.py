"""What the compounds domain keeps: each compound's profile (the item every reader of a compound reads), its
households, and the versions of its terms (contract, free-service period). `CompoundStore` is the port;
`dynamodb.DynamoStore` keeps it in the single table, `memory.MemoryStore` in dicts (unit tests). Both pass
tests/contract/test_compound_store.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from compounds.domain.keys import Household
from compounds.domain.records import Compound
from shared.errors import Conflict

# One DynamoDB transaction takes at most 100 items: households and their compound's profile.
CHUNK = 100


class ImportRaced(Conflict):
    code = "import_conflict"
    message_zh = "同一小区正在被另一次导入写入，请稍后再导入一次（已导入的不会重复）"
    message_en = "Another import is writing the same compound; import the file again shortly (nothing is stored twice)."


@dataclass(frozen=True)
class TermsVersion:
    compound_id: str
    version: int
    kind: str  # contract | free_service
    value: dict
    changed_by: str
    changed_at: str


@dataclass(frozen=True)
class CompoundChange:
    """What an import writes for one compound: its profile as the file gives it and its new households."""

    compound: Compound  # name, name_en, district, street, lat, lng from the file
    new_households: list[Household]
    is_new: bool  # no profile yet


class CompoundStore(Protocol):
    def get(self, compound_id: str) -> Compound | None: ...

    def all(self) -> list[Compound]:
        """Every imported compound, by district and name."""
        ...

    def households(self, compound_id: str) -> list[Household]: ...

    def write_import(self, changes: list[CompoundChange]) -> None:
        """Store the changes in transactions of at most CHUNK items, each a compound's profile (created, or its
        file fields updated, its household count raised by the households of the same transaction) with up to
        CHUNK - 1 of its new households: the count always equals the households stored. A household or a new
        profile that exists already (a parallel import) fails its transaction: `ImportRaced`, a 409; the import
        is then run again (it is idempotent)."""
        ...

    def save_terms(self, version: TermsVersion, *, expected_version: int) -> bool:
        """In one transaction: the version item, and the profile's current contract or free period with its
        `terms_version`, only if the profile is still at `expected_version`. False, nothing written, otherwise."""
        ...

    def versions(self, compound_id: str) -> list[TermsVersion]:
        """Every version of the compound's terms, oldest first."""
        ...
