"""API input and output shapes of transparent prices: the catalogue, quotes, the itemised bill of a completed
order, the resident's consent to lines beyond the quote, and disputes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from orders.domain.lifecycle import Category
from orders.domain.records import Dispute
from orders.handlers.models.fields import ISSUED_ID, STRICT
from orders.store.catalogue import CatalogueChange, CatalogueItem, CataloguePart
from shared import paging
from shared.inputs import OptionalText, Text


class BillPartIn(BaseModel):
    model_config = STRICT
    part_id: str = Field(min_length=1, max_length=64)
    quantity: float = Field(default=1, gt=0, le=100)
    unit_price: float | None = Field(default=None, ge=0, le=10000, description="Defaults to the catalogue's reference price.")


class BillLineIn(BaseModel):
    model_config = STRICT
    item_id: str = Field(min_length=1, max_length=64, description="A price-catalogue item of the order's catalogue version.")
    labour: float | None = Field(default=None, ge=0, le=10000, description="Defaults to the catalogue's labour price.")
    parts: list[BillPartIn] = Field(default_factory=list, max_length=20)
    reason: Text | None = Field(default=None, max_length=300, description="Why (required for a line beyond the quote).")
    photo_ref: str | None = Field(
        default=None, pattern=ISSUED_ID, description="A photo of the fault: a `work` photo id from POST /photos, uploaded."
    )


class CompletionIn(BaseModel):
    model_config = STRICT
    lines: list[BillLineIn] = Field(default_factory=list, max_length=30)
    photos: list[Annotated[str, Field(pattern=ISSUED_ID)]] = Field(
        default_factory=list, max_length=6, description="Photos of the finished work: `work` photo ids from POST /photos."
    )
    note: str | None = Field(
        default=None,
        max_length=300,
        description="What was done, in a few words for the resident (e.g. 检查线路，接头松了，已拧紧): required when the bill "
        "has no lines (400 `work_note_required`), so that an empty bill still records the work.",
    )


class LineDecisionIn(BaseModel):
    model_config = STRICT
    line_id: str = Field(min_length=1, max_length=16)
    decision: Literal["approve", "reject"]


class ApprovalIn(BaseModel):
    model_config = STRICT
    decision: Literal["approve", "reject"] | None = Field(default=None, description="One decision for every extra line.")
    lines: list[LineDecisionIn] = Field(default_factory=list, max_length=60, description="Or one decision per extra line.")


class QuoteIn(BaseModel):
    model_config = STRICT
    category: Category
    description: Text = Field(min_length=1, max_length=500)
    address_id: str = Field(min_length=1, max_length=64)
    on_behalf_of: str | None = Field(default=None, pattern=ISSUED_ID, description="As in POST /orders: a resident you act for.")


class DisputeIn(BaseModel):
    model_config = STRICT
    reason: Text = Field(min_length=1, max_length=500)
    kind: Literal["bill", "service"] = Field(
        default="bill",
        description="bill: the charges are wrong; service: a complaint about the work or the technician's conduct.",
    )


class DisputeResolutionIn(BaseModel):
    model_config = STRICT
    outcome: Literal["upheld", "rejected"]
    refund: float = Field(default=0, ge=0, le=100000, description="CNY to refund (upheld disputes; at most the bill total).")
    note: Text = Field(min_length=1, max_length=500)


class CataloguePartIn(BaseModel):
    model_config = STRICT
    part_id: str = Field(pattern=ISSUED_ID)
    name: Text = Field(min_length=1, max_length=100)
    name_en: OptionalText = Field(default="", max_length=100)
    reference_price: float = Field(ge=0, le=10000)
    typical_quantity: float = Field(default=1, gt=0, le=100)


class CatalogueItemIn(BaseModel):
    model_config = STRICT
    category: Category
    name: Text = Field(min_length=1, max_length=100)
    name_en: OptionalText = Field(default="", max_length=100)
    keywords: list[Annotated[Text, Field(max_length=40)]] = Field(default_factory=list, max_length=30)
    labour: float = Field(ge=0, le=10000)
    parts: list[CataloguePartIn] = Field(default_factory=list, max_length=20)
    cap: float = Field(gt=0, le=100000, description="Market-price cap of one bill line for this item (CNY).")
    active: bool = True

    def to_item(self, item_id: str) -> CatalogueItem:
        data = self.model_dump()
        data["parts"] = [CataloguePart(**p) for p in data["parts"]]
        data["keywords"] = [k.strip() for k in data["keywords"] if k.strip()]
        return CatalogueItem(item_id=item_id, **data)


class CatalogueView(BaseModel):
    version: int
    changed_at: str
    items: list[CatalogueItem]


class CatalogueChanges(BaseModel):
    changes: list[CatalogueChange]
    next_cursor: paging.NextCursor = None


class DisputeList(BaseModel):
    disputes: list[Dispute]
    next_cursor: paging.NextCursor = None
