"""API input and output shapes of the orders domain."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from orders.logic.credentials import Credentials
from shared import paging
from shared.inputs import OptionalText, Text
from shared.lifecycle import Category, OrderType
from shared.records import (
    BillLine,
    CatalogueChange,
    CatalogueItem,
    CataloguePart,
    Dispute,
    Doorstep,
    MatchReason,
    PhotoPurpose,
    Quote,
    Slot,
)

_STRICT = ConfigDict(extra="forbid")
_ID = r"^[a-z0-9_]{1,64}$"


class SlotIn(BaseModel):
    model_config = _STRICT
    start: str = Field(max_length=40, description="ISO 8601 start, e.g. 2026-11-25T09:00:00+08:00")
    end: str = Field(max_length=40)


class CreateOrderIn(BaseModel):
    model_config = _STRICT
    type: OrderType
    category: Category
    description: Text = Field(min_length=1, max_length=500)
    address_id: str = Field(min_length=1, max_length=64)
    slot: SlotIn | None = None
    place: Text | None = Field(
        default=None, min_length=1, max_length=200, description="Public-area reports: where in the compound (e.g. 3号楼楼道)."
    )
    photo_ref: str | None = Field(
        default=None, pattern=_ID, description="Optional photo of the fault: a `fault` photo id from POST /photos, uploaded."
    )
    on_behalf_of: str | None = Field(
        default=None,
        pattern=_ID,
        description="The resident the order is for, when the caller acts for them (GET /me `acting_for`); the address "
        "must be one of that resident's. Omitted: the caller's own order.",
    )
    channel: Literal["app", "phone"] = Field(
        default="app",
        description="How the order came in: the resident's app, or a phone call to the property service desk (a dispatcher "
        "placing it `on_behalf_of` a verified resident of its compounds; she is told by SMS).",
    )


class ProgressIn(BaseModel):
    model_config = _STRICT
    status: Literal["en_route", "on_site"]


class BillPartIn(BaseModel):
    model_config = _STRICT
    part_id: str = Field(min_length=1, max_length=64)
    quantity: float = Field(default=1, gt=0, le=100)
    unit_price: float | None = Field(default=None, ge=0, le=10000, description="Defaults to the catalogue's reference price.")


class BillLineIn(BaseModel):
    model_config = _STRICT
    item_id: str = Field(min_length=1, max_length=64, description="A price-catalogue item of the order's catalogue version.")
    labour: float | None = Field(default=None, ge=0, le=10000, description="Defaults to the catalogue's labour price.")
    parts: list[BillPartIn] = Field(default_factory=list, max_length=20)
    reason: Text | None = Field(default=None, max_length=300, description="Why (required for a line beyond the quote).")
    photo_ref: str | None = Field(
        default=None, pattern=_ID, description="A photo of the fault: a `work` photo id from POST /photos, uploaded."
    )


class ReworkIn(BaseModel):
    model_config = _STRICT
    description: str = Field(min_length=1, max_length=500, description="What is wrong again, in the resident's words")


class DoorstepIn(BaseModel):
    model_config = _STRICT
    match: StrictBool = Field(description="Did the code the technician said at the door match the resident's order code?")


class CompletionIn(BaseModel):
    model_config = _STRICT
    lines: list[BillLineIn] = Field(default_factory=list, max_length=30)
    photos: list[Annotated[str, Field(pattern=_ID)]] = Field(
        default_factory=list, max_length=6, description="Photos of the finished work: `work` photo ids from POST /photos."
    )
    note: str | None = Field(
        default=None,
        max_length=300,
        description="What was done, in a few words for the resident (e.g. 检查线路，接头松了，已拧紧): required when the bill "
        "has no lines (400 `work_note_required`), so that an empty bill still records the work.",
    )


class PhotoIn(BaseModel):
    model_config = _STRICT
    purpose: PhotoPurpose = Field(
        description="fault (a resident, when ordering), work (a technician: bill lines, completion), profile "
        "(a technician's profile photo: the technician or the company's dispatcher)"
    )
    content_type: str = Field(min_length=1, max_length=100, description="image/jpeg, image/png or image/webp")
    size: int = Field(gt=0, le=2**40, description="The file's size in bytes (at most 5 MB); S3 takes no other length.")


class PhotoUploadView(BaseModel):
    photo_id: str
    method: str = "PUT"
    upload_url: str
    headers: dict[str, str] = Field(description="Send exactly these headers with the PUT.")
    expires_in: int
    max_bytes: int


class PhotoLinkView(BaseModel):
    photo_id: str
    url: str = Field(description="A pre-signed GET, valid `expires_in` seconds.")
    content_type: str
    expires_in: int


class TechnicianPhotoIn(BaseModel):
    model_config = _STRICT
    photo_id: str = Field(pattern=_ID, description="A `profile` photo id from POST /photos, uploaded by the caller.")


class TechnicianPhotoView(BaseModel):
    technician_id: str
    photo: PhotoLinkView | None


class LineDecisionIn(BaseModel):
    model_config = _STRICT
    line_id: str = Field(min_length=1, max_length=16)
    decision: Literal["approve", "reject"]


class ApprovalIn(BaseModel):
    model_config = _STRICT
    decision: Literal["approve", "reject"] | None = Field(default=None, description="One decision for every extra line.")
    lines: list[LineDecisionIn] = Field(default_factory=list, max_length=60, description="Or one decision per extra line.")


class QuoteIn(BaseModel):
    model_config = _STRICT
    category: Category
    description: Text = Field(min_length=1, max_length=500)
    address_id: str = Field(min_length=1, max_length=64)
    on_behalf_of: str | None = Field(default=None, pattern=_ID, description="As in POST /orders: a resident you act for.")


class DisputeIn(BaseModel):
    model_config = _STRICT
    reason: Text = Field(min_length=1, max_length=500)
    kind: Literal["bill", "service"] = Field(
        default="bill",
        description="bill: the charges are wrong; service: a complaint about the work or the technician's conduct.",
    )


class DisputeResolutionIn(BaseModel):
    model_config = _STRICT
    outcome: Literal["upheld", "rejected"]
    refund: float = Field(default=0, ge=0, le=100000, description="CNY to refund (upheld disputes; at most the bill total).")
    note: Text = Field(min_length=1, max_length=500)


class CataloguePartIn(BaseModel):
    model_config = _STRICT
    part_id: str = Field(pattern=_ID)
    name: Text = Field(min_length=1, max_length=100)
    name_en: OptionalText = Field(default="", max_length=100)
    reference_price: float = Field(ge=0, le=10000)
    typical_quantity: float = Field(default=1, gt=0, le=100)


class CatalogueItemIn(BaseModel):
    model_config = _STRICT
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


class DispatchIn(BaseModel):
    model_config = _STRICT
    technician_id: str = Field(min_length=1, max_length=64)


class CancelIn(BaseModel):
    model_config = _STRICT
    reason: Text | None = Field(default=None, max_length=200)


class UnfoundedIn(BaseModel):
    model_config = _STRICT
    reason: Text = Field(min_length=1, max_length=200, description="What was found: why the report is unfounded.")


class StatusText(BaseModel):
    zh: str
    en: str


class TechnicianView(BaseModel):
    technician_id: str
    name: str
    company_id: str | None
    company_name: str | None
    photo_ref: str | None = Field(default=None, description="The technician's profile photo (GET /orders/{id}/photos/{ref}).")
    credentials: Credentials | None = Field(
        default=None, description="Today's vetting and certificate status, for the resident to check at the door."
    )


class MatchView(BaseModel):
    round: int | None
    search_radius_m: int | None
    reason: MatchReason | None = Field(description="Why this technician was offered the order: each score term and the total.")


class TimelineView(BaseModel):
    status: str
    at: str = Field(description="ISO 8601 in UTC with milliseconds and the offset `Z`, like every instant of the API")
    actor: str | None = Field(
        default=None, description="Who did it: a user id, or `workflow` (the platform). Staff only; residents see names."
    )
    actor_name: str = Field(description="Who did it, by name (邻里平台 for the platform's own steps)")
    actor_role: str | None = Field(default=None, description="resident, technician, dispatcher, supervisor, or platform")
    note: str | None = None


class OrderView(BaseModel):
    order_id: str
    type: str
    category: str
    description: str
    status: str
    status_text: StatusText
    resident_id: str | None = Field(
        default=None, description="Residents and supervisors: whose order it is (the resident, also when a proxy placed it)."
    )
    placed_by: str | None = Field(default=None, description="Residents and supervisors: who placed it (a proxy or the resident).")
    placed_by_name: str | None = Field(default=None, description="When a proxy (or the service desk) placed it: their name.")
    placed_via: str | None = Field(default=None, description="`phone`: placed by the property service desk for a caller.")
    address_label: str
    place: str | None
    photo_ref: str | None = Field(default=None, description="The resident's photo of the fault (GET /orders/{id}/photos/{ref}).")
    slot: Slot | None
    quote: Quote
    order_code: str | None = Field(
        description="Shown to the resident, to check the technician at the door, and to the assigned technician once on "
        "his way (the code he says at the door)."
    )
    resident_phone: str | None = Field(
        default=None,
        description="The resident's phone number: shown only to the order's technician while the work is under way "
        "(assigned, en route, on site, awaiting approval), never before or after.",
    )
    technician: TechnicianView | None
    escalation_reason: str | None
    cancel_reason: str | None
    bill: list[BillLine]
    bill_total: float | None
    extra_lines: list[BillLine] = Field(description="Lines beyond the quote, each with its reason, photo and decision.")
    extra_total: float | None
    approval_outcome: str | None
    completed_at: str | None
    work_note: str | None = Field(default=None, description="The technician's words on what was done.")
    doorstep: Doorstep | None = Field(default=None, description="The resident's latest door-step check: match or mismatch.")
    paused_reason: str | None = Field(
        default=None, description="`doorstep_mismatch`: paused, the technician may not go on until it is lifted."
    )
    rework_of: str | None = Field(default=None, description="A re-work under warranty: the original order.")
    reworked_by: str | None = Field(default=None, description="The original: its re-work order.")
    completion_photos: list[str] = Field(default_factory=list, description="Photos of the finished work.")
    dispute: Dispute | None
    rating_stars: int | None
    me_too_count: int = Field(default=0, description="Public-area reports: neighbours who reported the same problem.")
    match: MatchView | None = Field(default=None, description="Supervisors only: the matching round and its reason.")
    timeline: list[TimelineView]
    created_at: str
    updated_at: str


class OrderList(BaseModel):
    orders: list[OrderView]
    next_cursor: paging.NextCursor = None


class AddressView(BaseModel):
    address_id: str
    compound_id: str
    label: str
    label_en: str
    status: str = Field(default="verified", description="pending | verified | rejected: only a verified one takes orders")
    status_reason: str | None = None


class ActingForView(BaseModel):
    resident_id: str
    name: str
    relation: str
    relation_en: str
    addresses: list[AddressView] = Field(description="Where an order for this resident may be placed.")


class MeView(BaseModel):
    user_id: str
    role: str
    name: str
    company_id: str | None = None
    addresses: list[AddressView] | None = None
    acting_for: list[ActingForView] | None = Field(
        default=None, description="Residents: the residents the caller acts for (linked with their consent)."
    )
    skills: list[str] | None = None
    on_duty: bool | None = None


class HistoryEvent(BaseModel):
    id: int
    previous_event_id: int | None
    timestamp: str
    type: str
    state: str | None
    details: dict


class HistoryView(BaseModel):
    order_id: str
    execution_arn: str
    execution_status: str
    source: Literal["live", "archive"] = Field(
        default="live",
        description="live: read from Step Functions; archive: from the history archive, once Step Functions no longer "
        "keeps the execution (90 days after its end)",
    )
    events: list[HistoryEvent]


# --- acting for a resident ---------------------------------------------------------------


class ProxyRequestIn(BaseModel):
    model_config = _STRICT
    phone: str = Field(
        pattern=r"^\+?[0-9][0-9 -]{6,18}$", description="The resident's mobile number (11 digits; +86 and spaces allowed)."
    )
    relation: str = Field(
        min_length=1,
        max_length=20,
        description="What you are to them, one of 儿子, 女儿, 配偶, 其他家人, 亲属, 社区工作者, 邻居, 其他 (or the same in "
        "English: son, daughter, spouse, family member, relative, community worker, neighbour, other); anything else is "
        "a 400 invalid_relation.",
    )
    relation_en: str = Field(default="", max_length=40, description="Ignored: the English follows from `relation`.")


class ProxyRequestView(BaseModel):
    request_id: str
    phone_masked: str
    expires_at: str
    attempts_allowed: int
    message_zh: str
    message_en: str


class ProxyConfirmIn(BaseModel):
    model_config = _STRICT
    code: str = Field(min_length=6, max_length=12, pattern=r"^[0-9 ]+$", description="The 6 digits the resident was sent.")


class ProxyLinkView(BaseModel):
    resident_id: str
    resident_name: str
    proxy_id: str
    proxy_name: str
    relation: str
    relation_en: str
    linked_at: str | None


class ProxyLinks(BaseModel):
    acting_for: list[ProxyLinkView] = Field(description="The residents the caller acts for.")
    proxies: list[ProxyLinkView] = Field(description="The people who act for the caller.")
