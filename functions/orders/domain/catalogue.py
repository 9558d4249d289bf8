"""Pure rules for editing the price catalogue: every change makes a new version with its audit record."""

from __future__ import annotations

from orders.store.catalogue import Catalogue, CatalogueChange, CatalogueItem
from shared.errors import ValidationFailed

SEEDED, CREATED, UPDATED = "seeded", "created", "updated"


class CapBelowTypicalPrice(ValidationFailed):
    code = "cap_below_typical_price"


def validate_item(item: CatalogueItem) -> None:
    if item.cap < item.typical_price:
        raise CapBelowTypicalPrice(
            f"市场限价 {item.cap:g} 元低于该项目的常规价格 {item.typical_price:g} 元（人工 + 常用配件）",
            f"The cap (CNY {item.cap:g}) is below the typical price CNY {item.typical_price:g} (labour + typical parts).",
        )
    part_ids = [p.part_id for p in item.parts]
    if len(part_ids) != len(set(part_ids)):
        raise ValidationFailed("配件编号不能重复", "Part ids must be unique within an item.")


def initial(items: list[CatalogueItem], *, by: str, at: str) -> Catalogue:
    for item in items:
        validate_item(item)
    return Catalogue(version=1, items=items, change=CatalogueChange(version=1, changed_by=by, changed_at=at, action=SEEDED))


def upsert(current: Catalogue | None, item: CatalogueItem, *, by: str, at: str) -> Catalogue | None:
    """The next version with `item` created or replaced, or None when nothing would change."""
    validate_item(item)
    items = list(current.items) if current else []
    before = current.item(item.item_id) if current else None
    if before == item:
        return None
    version = (current.version if current else 0) + 1
    if before is None:
        items.append(item)
        fields = sorted(CatalogueItem.model_fields)
    else:
        items = [item if i.item_id == item.item_id else i for i in items]
        old, new = before.model_dump(), item.model_dump()
        fields = sorted(k for k in new if old.get(k) != new[k])
    change = CatalogueChange(
        version=version,
        changed_by=by,
        changed_at=at,
        action=UPDATED if before else CREATED,
        item_id=item.item_id,
        fields=fields,
        before=before.model_dump() if before else None,
        after=item.model_dump(),
    )
    return Catalogue(version=version, items=items, change=change)
