"""The price catalogue: one immutable snapshot per version, each carrying the change (who, when, what)
that produced it. The newest version is the current catalogue; old versions stay readable, so an order
quoted with version n is billed against version n."""

from __future__ import annotations

from pydantic import BaseModel, Field
from pynamodb.exceptions import PutError

from shared.dal.base import condition_failed, ensure_bound, query_page
from shared.dal.tables import item_of
from shared.errors import Conflict


class CataloguePart(BaseModel):
    """A part a service item typically needs, with its reference (market) price in CNY."""

    part_id: str
    name: str
    name_en: str = ""
    reference_price: float
    typical_quantity: float = 1


class CatalogueItem(BaseModel):
    """One service of the price catalogue: labour, typical parts, and the market-price cap of a bill line."""

    item_id: str
    category: str
    name: str
    name_en: str = ""
    keywords: list[str] = Field(default_factory=list)
    labour: float
    parts: list[CataloguePart] = Field(default_factory=list)
    cap: float
    active: bool = True

    @property
    def typical_price(self) -> float:
        return round(self.labour + sum(p.reference_price * p.typical_quantity for p in self.parts), 2)


class CatalogueChange(BaseModel):
    """The audit record of one catalogue version: who changed what, when."""

    version: int
    changed_by: str
    changed_at: str
    action: str  # seeded | created | updated
    item_id: str | None = None
    fields: list[str] = Field(default_factory=list)
    before: dict | None = None
    after: dict | None = None


class Catalogue(BaseModel):
    version: int
    items: list[CatalogueItem]
    change: CatalogueChange | None = None  # None only for the empty catalogue (version 0)

    def item(self, item_id: str) -> CatalogueItem | None:
        return next((i for i in self.items if i.item_id == item_id), None)


CatalogueVersionItem = item_of(
    Catalogue,
    "CatalogueVersionItem",
    "One immutable version of the price catalogue (a full snapshot) with the change that made it.",
)


CATALOGUE_PK = "CATALOGUE"


def _sk(version: int) -> str:
    return f"VERSION#{version:08d}"


def _record(item: CatalogueVersionItem) -> Catalogue:
    return Catalogue(
        version=int(item.version),
        items=[CatalogueItem(**i) for i in item.items],
        change=CatalogueChange(**item.change),
    )


def current() -> Catalogue | None:
    ensure_bound()
    found = CatalogueVersionItem.query(
        CATALOGUE_PK, CatalogueVersionItem.sk.startswith("VERSION#"), scan_index_forward=False, limit=1, consistent_read=True
    )
    return next((_record(i) for i in found), None)


def version(number: int) -> Catalogue | None:
    ensure_bound()
    try:
        return _record(CatalogueVersionItem.get(CATALOGUE_PK, _sk(number), consistent_read=True))
    except CatalogueVersionItem.DoesNotExist:
        return None


def changes(*, after: dict[str, str] | None = None, limit: int = 50) -> tuple[list[CatalogueChange], dict[str, str] | None]:
    """A page of the audit trail, newest first (only the change records, not the snapshots)."""
    ensure_bound()
    found, resume = query_page(
        CatalogueVersionItem,
        CATALOGUE_PK,
        CatalogueVersionItem.sk.startswith("VERSION#"),
        after=after,
        limit=limit,
        scan_index_forward=False,
        attributes_to_get=["change", "pk", "sk"],
    )
    return [CatalogueChange(**i.change) for i in found], resume


def publish(catalogue: Catalogue) -> None:
    """Store a new version; the conditional put is the optimistic lock against a concurrent edit."""
    ensure_bound()
    item = CatalogueVersionItem(
        CATALOGUE_PK,
        _sk(catalogue.version),
        version=catalogue.version,
        items=[i.model_dump() for i in catalogue.items],
        change=catalogue.change.model_dump(),
    )
    try:
        item.save(condition=CatalogueVersionItem.pk.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            raise Conflict(
                "价格目录刚被他人修改，请刷新后重试", "The catalogue was just changed by someone else; refresh and retry."
            ) from exc
        raise
