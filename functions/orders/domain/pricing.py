"""Pure price rules: the quote at submission, the itemised bill at completion, what goes
beyond the quote and needs the resident's consent, the resident's decisions, and the dispute window.

No AWS here: the handlers load the catalogue version and the order, these functions decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from compounds.domain.records import Compound
from orders.domain.records import BillLine, BillPart, Quote, QuoteItem
from orders.store.catalogue import Catalogue, CatalogueItem
from shared import clock
from shared.errors import DomainError, InvalidStatus, ValidationFailed

# Why a bill line needs the resident's consent.
NOT_IN_QUOTE = "not_in_quote"  # a service the quote did not include (or the same one a second time)
MORE_PARTS = "more_parts"  # more parts than the quoted service typically needs
OVER_QUOTE_TOTAL = "over_quote_total"  # a quoted service, but the bill would pass the quote's upper value

APPROVE, REJECT = "approve", "reject"
APPROVED, REJECTED = "approved", "rejected"


class LineAboveCap(DomainError):
    status = 422
    code = "line_above_cap"


class UnknownCatalogueItem(ValidationFailed):
    code = "unknown_catalogue_item"


class ExtraReasonRequired(ValidationFailed):
    code = "extra_reason_required"


class DecisionsIncomplete(ValidationFailed):
    code = "decisions_incomplete"


class DisputeWindowClosed(InvalidStatus):
    code = "dispute_window_closed"


def _money(value: float) -> float:
    return round(value + 0.0, 2)


# --- quote -------------------------------------------------------------------------------------


def match_items(catalogue: Catalogue, category: str, description: str) -> tuple[list[CatalogueItem], bool]:
    """The category's active items whose keywords occur in the description; all of the category's
    items when none does (the quote is then the category's whole range). The flag says which."""
    in_category = [i for i in catalogue.items if i.category == category and i.active]
    text = description.lower()
    matched = [i for i in in_category if any(k.lower() in text for k in i.keywords if k.strip())]
    return (matched, True) if matched else (in_category, False)


def price_range(low: float, high: float) -> tuple[str, str]:
    """A price or a range, in words: "85 元" when both ends are the same, "60–85 元" otherwise."""
    figures = f"{low:g}" if low == high else f"{low:g}–{high:g}"
    return f"{figures} 元", f"CNY {figures}"


def quote(catalogue: Catalogue | None, category: str, description: str, compound: Compound, on: date | None = None) -> Quote:
    """A range (the cheapest to the dearest likely service) and a cap, before the resident confirms. The repair
    is free when a free-service period of the compound covers the order's Beijing date `on` (default: today);
    otherwise it is charged normally."""
    version = catalogue.version if catalogue else 0
    period = compound.free_period_on(on or clock.beijing_today())
    free = period is not None
    which = {"funded_by": period.funded_by, "free_period": {"from": period.starts_on, "to": period.ends_on}} if period else {}
    items, matched = match_items(catalogue, category, description) if catalogue else ([], False)
    quoted = [
        QuoteItem(item_id=i.item_id, name=i.name, name_en=i.name_en, typical_price=i.typical_price, cap=i.cap) for i in items
    ]
    if not items:
        return Quote(
            low=0,
            high=0,
            cap=0,
            free_service=free,
            **which,
            catalogue_version=version,
            note_zh="价格目录中暂无此类服务，师傅报价的每一项都需要您确认",
            note_en="The catalogue has no such service yet: you will be asked to approve every line of the bill.",
        )
    low = min(q.typical_price for q in quoted)
    high = max(q.typical_price for q in quoted)
    cap = max(q.cap for q in quoted)
    names_zh = "、".join(q.name for q in quoted)
    names_en = ", ".join(q.name_en or q.name for q in quoted)
    scope_zh = f"可能的项目：{names_zh}" if matched else f"该类服务：{names_zh}"
    scope_en = f"likely: {names_en}" if matched else f"this kind of service: {names_en}"
    range_zh, range_en = price_range(low, high)
    if free:
        note_zh = f"试点小区，上门维修免费（{scope_zh}；市场参考价 {range_zh}）"
        note_en = f"Pilot compound: the repair is free ({scope_en}; market reference {range_en})."
    else:
        note_zh = f"参考价 {range_zh}，单项最高不超过 {cap:g} 元；超出报价的项目须经您同意（{scope_zh}）"
        note_en = f"Estimated {range_en}, no line above CNY {cap:g}; anything beyond needs your consent ({scope_en})."
    payable = 0 if free else 1  # a free compound's resident pays nothing, whatever the range
    return Quote(
        low=low * payable,
        high=high * payable,
        cap=cap * payable,
        free_service=free,
        **which,
        catalogue_version=version,
        items=quoted,
        list_high=high,
        note_zh=note_zh,
        note_en=note_en,
    )


# --- bill --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartIn:
    part_id: str
    quantity: float
    unit_price: float | None = None


@dataclass(frozen=True)
class LineIn:
    item_id: str
    parts: tuple[PartIn, ...] = ()
    labour: float | None = None
    reason: str | None = None
    photo_ref: str | None = None


@dataclass(frozen=True)
class PricedBill:
    lines: list[BillLine]  # within the quote: charged without asking
    extra_lines: list[BillLine]  # beyond the quote: charged only with the resident's consent
    total: float  # what the resident pays for `lines` (0 in a free compound)
    extra_total: float  # what the extra lines would add (0 in a free compound)

    @property
    def needs_approval(self) -> bool:
        return bool(self.extra_lines)


def charge(lines: list[BillLine], free_service: bool) -> float:
    """What the resident pays for these lines: their amounts, or nothing in a free compound."""
    return 0.0 if free_service else _money(sum(line.amount for line in lines))


def _price_line(item: CatalogueItem, line: LineIn, line_id: str) -> BillLine:
    if line.labour is not None and line.labour > item.labour:
        raise LineAboveCap(
            f"“{item.name}”的人工费 {line.labour:g} 元高于目录价 {item.labour:g} 元",
            f"Labour for '{item.name_en or item.name}' (CNY {line.labour:g}) is above the catalogue's CNY {item.labour:g}.",
        )
    parts = []
    for p in line.parts:
        ref = next((c for c in item.parts if c.part_id == p.part_id), None)
        if ref is None:
            raise UnknownCatalogueItem(
                f"“{item.name}”没有配件 {p.part_id}", f"'{item.name_en or item.name}' has no part {p.part_id}."
            )
        price = ref.reference_price if p.unit_price is None else p.unit_price
        parts.append(BillPart(part_id=ref.part_id, name=ref.name, name_en=ref.name_en, quantity=p.quantity, unit_price=price))
    labour = item.labour if line.labour is None else line.labour
    amount = _money(labour + sum(p.quantity * p.unit_price for p in parts))
    if amount > item.cap:
        raise LineAboveCap(
            f"“{item.name}”合计 {amount:g} 元，超过市场限价 {item.cap:g} 元，不能收取",
            f"'{item.name_en or item.name}' comes to CNY {amount:g}, above its market-price cap of CNY {item.cap:g}.",
        )
    return BillLine(
        line_id=line_id,
        item_id=item.item_id,
        name=item.name,
        name_en=item.name_en,
        labour=labour,
        parts=parts,
        amount=amount,
        cap=item.cap,
        reason=line.reason,
        photo_ref=line.photo_ref,
    )


def _split_excess_parts(item: CatalogueItem, line: BillLine) -> tuple[BillLine, BillLine | None]:
    """A quoted service with more parts than it typically needs: the typical quantities stay in the
    quote, the excess becomes its own line for the resident to approve."""
    typical = {p.part_id: p.typical_quantity for p in item.parts}
    used: dict[str, float] = {}
    kept, excess = [], []
    for part in line.parts:
        allowed = max(typical[part.part_id] - used.get(part.part_id, 0), 0)
        within = min(part.quantity, allowed)
        used[part.part_id] = used.get(part.part_id, 0) + within
        if within:
            kept.append(part.model_copy(update={"quantity": within}))
        if part.quantity > within:
            excess.append(part.model_copy(update={"quantity": _money(part.quantity - within)}))
    if not excess:
        return line, None
    base = line.model_copy(update={"parts": kept, "amount": _money(line.labour + sum(p.quantity * p.unit_price for p in kept))})
    extra = line.model_copy(
        update={
            "line_id": f"{line.line_id}+",
            "labour": 0,
            "parts": excess,
            "amount": _money(sum(p.quantity * p.unit_price for p in excess)),
            "beyond_quote": MORE_PARTS,
        }
    )
    return base, extra


def price_bill(catalogue: Catalogue, quote: Quote, lines: list[LineIn]) -> PricedBill:
    """Price each line at the order's catalogue version, refuse lines above their cap, and sort the
    lines into those within the quote and those that need the resident's consent."""
    if (quote.catalogue_version or 0) != catalogue.version:  # orders quoted before the catalogue: version 0
        raise ValueError(f"the order was quoted with catalogue v{quote.catalogue_version}, not v{catalogue.version}")
    quoted_ids = {q.item_id for q in quote.items}
    seen: set[str] = set()
    within: list[BillLine] = []
    extra: list[BillLine] = []
    running = 0.0
    for n, line in enumerate(lines, start=1):
        item = catalogue.item(line.item_id)
        if item is None:
            raise UnknownCatalogueItem(
                f"价格目录（第 {catalogue.version} 版）中没有项目 {line.item_id}",
                f"Catalogue version {catalogue.version} has no item {line.item_id}.",
            )
        priced = _price_line(item, line, f"L{n}")
        if item.item_id not in quoted_ids or item.item_id in seen:
            extra.append(priced.model_copy(update={"beyond_quote": NOT_IN_QUOTE}))
            continue
        seen.add(item.item_id)
        base, excess = _split_excess_parts(item, priced)
        if running + base.amount > quote.list_high:
            extra.append(base.model_copy(update={"beyond_quote": OVER_QUOTE_TOTAL}))
        else:
            within.append(base)
            running += base.amount
        if excess is not None:
            extra.append(excess)
    missing = [e.name for e in extra if not (e.reason and e.reason.strip())]
    if missing:
        raise ExtraReasonRequired(
            f"超出报价的项目须说明原因：{'、'.join(missing)}",
            f"Lines beyond the quote need a reason for the resident: {', '.join(missing)}.",
        )
    return PricedBill(
        lines=within,
        extra_lines=extra,
        total=charge(within, quote.free_service),
        extra_total=charge(extra, quote.free_service),
    )


# --- the resident's consent --------------------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    lines: list[BillLine]  # everything charged
    extra_lines: list[BillLine]  # the extra lines, each with the resident's decision
    total: float
    outcome: str  # approved | rejected | partly_approved


def settle(
    bill: list[BillLine], extra_lines: list[BillLine], free_service: bool, *, all_: str | None, per_line: dict[str, str]
) -> Settlement:
    """Apply the resident's decision (one for all lines, or one per extra line) to the proposed bill."""
    ids = [e.line_id for e in extra_lines]
    if all_ is not None and per_line:
        raise ValidationFailed(
            "请只选择“全部”或“逐项”中的一种", "Give either one decision for all lines or one per line, not both."
        )
    if all_ is None:
        unknown = sorted(set(per_line) - set(ids))
        missing = [i for i in ids if i not in per_line]
        if unknown or missing:
            raise DecisionsIncomplete(
                f"请对每一项超出报价的项目作出选择（缺少：{'、'.join(missing) or '无'}；未知：{'、'.join(unknown) or '无'}）",
                f"Decide on every extra line (missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'}).",
            )
    decided = [
        e.model_copy(update={"decision": APPROVED if (all_ or per_line[e.line_id]) == APPROVE else REJECTED}) for e in extra_lines
    ]
    approved = [e for e in decided if e.decision == APPROVED]
    outcome = APPROVED if len(approved) == len(decided) else REJECTED if not approved else "partly_approved"
    charged = bill + approved
    return Settlement(lines=charged, extra_lines=decided, total=charge(charged, free_service), outcome=outcome)


# --- disputes ----------------------------------------------------------------------------------


def ensure_dispute_window_open(completed_at: datetime | None, now: datetime, days: int) -> None:
    if completed_at is None:
        raise InvalidStatus("订单尚未完成，不能对账单提出争议", "The order is not completed; there is no bill to dispute yet.")
    if now - completed_at > timedelta(days=days):
        raise DisputeWindowClosed(
            f"账单争议须在完成后 {days} 天内提出", f"A bill can be disputed within {days} days of completion only."
        )
