"""Orders on the single table (`ORDER#<id>` / `ORDER`, indexed by resident, technician, company, status and
compound): creation, reads by each access pattern, conditional status transitions, and the changes of the order that
other domains' transactions carry (orders.service.changes)."""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from orders.domain.lifecycle import ACTIVE_ASSIGNMENT
from orders.domain.records import Order
from shared import acting
from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import Gsi1, Gsi2, Gsi3, Gsi4, Gsi5, TableItem, item_of
from shared.errors import InvalidStatus, NotFound


class TimelineMap(MapAttribute):
    status = UnicodeAttribute()
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    via = UnicodeAttribute(null=True)  # the API key id, when a company's system acted


OrderItem = item_of(
    Order,
    "OrderItem",
    # A List of Maps, not JSON: every status change appends its entry in the same update (status_actions).
    timeline=ListAttribute(of=TimelineMap, null=True),
    offers_open=NumberAttribute(null=True),  # open offers of the current round; the last answer resumes the workflow
    execution_arn=UnicodeAttribute(null=True),
    gsi1pk=UnicodeAttribute(null=True),  # RESIDENT#<id>
    gsi1sk=UnicodeAttribute(null=True),  # <created_at>#<order id>, as every index's sort key
    gsi2pk=UnicodeAttribute(null=True),  # TECH#<id>, once assigned
    gsi2sk=UnicodeAttribute(null=True),
    gsi3pk=UnicodeAttribute(null=True),  # COMPANY#<id>
    gsi3sk=UnicodeAttribute(null=True),
    gsi4pk=UnicodeAttribute(null=True),  # STATUS#<status>
    gsi4sk=UnicodeAttribute(null=True),
    gsi5pk=UnicodeAttribute(null=True),  # COMPOUND#<id>
    gsi5sk=UnicodeAttribute(null=True),
    by_resident=Gsi1(),
    by_technician=Gsi2(),
    by_company=Gsi3(),
    by_status=Gsi4(),
    by_compound=Gsi5(),
)


class MeTooItem(TableItem):
    """pk ORDER#<report>, sk METOO#<resident>: a neighbour reported the same public-area problem."""

    resident_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


ORDER_SK = "ORDER"


SORT_KEY_OF_INDEX = {f"gsi{i}": f"gsi{i}sk" for i in range(1, 6)}


def order_key(order_id: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", ORDER_SK


def to_record(item: OrderItem) -> Order:
    data = {name: getattr(item, name) for name in Order.model_fields if name != "timeline"}
    data["timeline"] = [t.as_dict() for t in (item.timeline or [])]
    data["excluded_technicians"] = list(item.excluded_technicians or [])
    data["bill"] = item.bill or []
    data["extra_lines"] = item.extra_lines or []
    data["completion_photos"] = list(item.completion_photos or [])
    data["match_round"] = int(item.match_round) if item.match_round is not None else None
    data["search_radius_m"] = int(item.search_radius_m) if item.search_radius_m is not None else None
    data["me_too_count"] = int(item.me_too_count or 0)
    return Order(**data)


def _index_keys(order: Order) -> dict:
    stamp = f"{order.created_at}#{order.order_id}"
    keys = {
        "gsi1pk": f"RESIDENT#{order.resident_id}",
        "gsi1sk": stamp,
        "gsi4pk": f"STATUS#{order.status}",
        "gsi4sk": stamp,
        "gsi5pk": f"COMPOUND#{order.compound_id}",
        "gsi5sk": stamp,
    }
    if order.company_id:
        keys |= {"gsi3pk": f"COMPANY#{order.company_id}", "gsi3sk": stamp}
    return keys


def create(order: Order, execution_arn: str) -> None:
    ensure_bound()
    pk, sk = order_key(order.order_id)
    data = order.model_dump(exclude={"timeline"})
    item = OrderItem(pk=pk, sk=sk, execution_arn=execution_arn, **data, **_index_keys(order))
    item.timeline = [TimelineMap(**t.model_dump()) for t in order.timeline]
    try:
        item.save(condition=OrderItem.pk.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
        stored = get(order.order_id)
        if stored is None or (stored.resident_id, stored.created_at) != (order.resident_id, order.created_at):
            raise InvalidStatus("订单已存在", "The order already exists.") from exc
        # Our own write, applied though its answer was lost (the SDK's retry then found the order there).


def delete(order_id: str) -> None:
    ensure_bound()
    OrderItem(*order_key(order_id)).delete()


def get(order_id: str) -> Order | None:
    ensure_bound()
    try:
        return to_record(OrderItem.get(*order_key(order_id), consistent_read=True))
    except OrderItem.DoesNotExist:
        return None


def get_or_404(order_id: str) -> Order:
    order = get(order_id)
    if order is None:
        raise NotFound("订单不存在", "The order does not exist.")
    return order


def execution_arn(order_id: str) -> str | None:
    ensure_bound()
    try:
        return OrderItem.get(*order_key(order_id), attributes_to_get=["execution_arn"]).execution_arn
    except OrderItem.DoesNotExist:
        return None


def _query(index, key: str, limit: int, before: str | None = None) -> list[Order]:
    """Newest first; `before`: only the orders whose `<created_at>#<order_id>` sort key comes before it (paging)."""
    ensure_bound()
    condition = None
    if before is not None:
        condition = getattr(OrderItem, SORT_KEY_OF_INDEX[index.Meta.index_name]) < before
    return [to_record(i) for i in index.query(key, condition, scan_index_forward=False, limit=limit)]


def position(order: Order) -> str:
    """The order's place in every order list: the sort key of each of its index entries."""
    return f"{order.created_at}#{order.order_id}"


def for_resident(resident_id: str, limit: int = 50, before: str | None = None) -> list[Order]:
    return _query(OrderItem.by_resident, f"RESIDENT#{resident_id}", limit, before)


def for_technician(technician_id: str, limit: int = 50, before: str | None = None) -> list[Order]:
    return _query(OrderItem.by_technician, f"TECH#{technician_id}", limit, before)


def for_compound(compound_id: str, limit: int = 50, before: str | None = None) -> list[Order]:
    return _query(OrderItem.by_compound, f"COMPOUND#{compound_id}", limit, before)


def for_company(company_id: str, limit: int = 50, before: str | None = None) -> list[Order]:
    return _query(OrderItem.by_company, f"COMPANY#{company_id}", limit, before)


def with_status(status: str, limit: int = 50, before: str | None = None) -> list[Order]:
    return _query(OrderItem.by_status, f"STATUS#{status}", limit, before)


def technician_load(technician_id: str, window: int) -> tuple[int, str | None]:
    """(active orders, when the latest order was created) from the technician's latest `window` orders:
    one Query of at most `window` items. Active orders older than that window are not counted."""
    ensure_bound()
    items = list(OrderItem.by_technician.query(f"TECH#{technician_id}", scan_index_forward=False, limit=window))
    active = sum(1 for i in items if i.status in ACTIVE_ASSIGNMENT)
    return active, (items[0].created_at if items else None)


def status_actions(status: str, actor: str, at: str, note: str | None = None) -> list[Action]:
    """The writes that accompany every status change: status, its index key, timeline, version."""
    entry = TimelineMap(status=status, at=at, actor=actor, note=note, via=acting.via_key())
    return [
        OrderItem.status.set(status),
        OrderItem.gsi4pk.set(f"STATUS#{status}"),
        OrderItem.updated_at.set(at),
        OrderItem.timeline.set((OrderItem.timeline | []).append([entry])),
        OrderItem.version.add(1),
    ]


def assignment_actions(order: Order, technician_id: str, company_id: str) -> list[Action]:
    stamp = f"{order.created_at}#{order.order_id}"
    return [
        OrderItem.technician_id.set(technician_id),
        OrderItem.company_id.set(company_id),
        OrderItem.gsi2pk.set(f"TECH#{technician_id}"),
        OrderItem.gsi2sk.set(stamp),
        OrderItem.gsi3pk.set(f"COMPANY#{company_id}"),
        OrderItem.gsi3sk.set(stamp),
    ]


def status_condition(from_statuses: Iterable[str]):
    return OrderItem.status.is_in(*from_statuses)


def transition(
    order_id: str,
    to_status: str,
    from_statuses: Iterable[str],
    *,
    actor: str,
    at: str,
    note: str | None = None,
    extra: list[Action] | None = None,
    round_id: str | None = None,
) -> Order:
    """Move the order to `to_status` only if it is in one of `from_statuses` (and, with `round_id`, its current
    offer round is still that one); 409 otherwise."""
    ensure_bound()
    item = OrderItem(*order_key(order_id))
    condition = status_condition(from_statuses)
    if round_id is not None:
        condition = condition & (OrderItem.current_offer_id == round_id)
    try:
        item.update(actions=status_actions(to_status, actor, at, note) + (extra or []), condition=condition)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        stored = get(order_id)
        if stored is not None and applied_last(stored, to_status, actor=actor, at=at, note=note):
            return stored  # our own write, applied though its answer was lost: the SDK's retry found it done
        raise InvalidStatus("订单当前状态不允许此操作", "The order's current status does not allow this.") from exc
    return to_record(item)


def applied_last(order: Order, status: str, *, actor: str, at: str, note: str | None = None) -> bool:
    """True if the order's latest status change is exactly this one (same status, moment, actor and note).

    A conditional write whose answer is lost (a read timeout) is sent again by the SDK; the retry then
    fails its condition against the write's own effect. This tells that case from a real conflict."""
    last = order.timeline[-1] if order.timeline else None
    return last is not None and (last.status, last.at, last.actor, last.note) == (status, at, actor, note)


def set_fields(**values) -> list[Action]:
    """Plain attribute writes to go with a transition (e.g. the bill with `completed`)."""
    return [getattr(OrderItem, name).set(value) for name, value in values.items()]


def claim_rework(order_id: str, rework_id: str) -> bool:
    """Mark the original as re-worked by `rework_id`, once: False if it already has a re-work."""
    ensure_bound()
    try:
        OrderItem(*order_key(order_id)).update(
            actions=[OrderItem.reworked_by.set(rework_id)],
            condition=OrderItem.pk.exists() & OrderItem.reworked_by.does_not_exist(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def release_rework(order_id: str, rework_id: str) -> None:
    """Undo a claim whose re-work could not be stored or started."""
    ensure_bound()
    try:
        OrderItem(*order_key(order_id)).update(
            actions=[OrderItem.reworked_by.remove()], condition=OrderItem.reworked_by == rework_id
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def clear_fields(*names: str) -> list[Action]:
    """Attributes removed with a transition (e.g. a door-step pause lifted by a new dispatch)."""
    return [getattr(OrderItem, name).remove() for name in names]


def exclude_technician_action(technician_id: str) -> Action:
    return OrderItem.excluded_technicians.set((OrderItem.excluded_technicians | []).append([technician_id]))


def import_history(found: list[Order], execution_arn: str = "history") -> None:
    """Write finished orders of the past in batches (demo data); unconditional, so seeding is repeatable."""
    ensure_bound()
    with OrderItem.batch_write() as batch:
        for order in found:
            pk, sk = order_key(order.order_id)
            item = OrderItem(
                pk=pk, sk=sk, execution_arn=execution_arn, **order.model_dump(exclude={"timeline"}), **_index_keys(order)
            )
            item.timeline = [TimelineMap(**t.model_dump()) for t in order.timeline]
            batch.save(item)
