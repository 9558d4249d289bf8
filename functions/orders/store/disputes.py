"""Bill disputes: one per order, indexed by status (gsi4 `DISPUTE#open`) for the supervisors' queue,
and mirrored on the order, both in one transaction."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import TransactWriteError

from orders.domain.lifecycle import DISPUTABLE
from orders.domain.records import Dispute, Order
from orders.store import orders
from orders.store.orders import OrderItem, TimelineMap
from shared.dal.base import condition_failed, ensure_bound, query_page, transaction
from shared.dal.tables import Gsi4, item_of
from shared.errors import InvalidStatus

DisputeItem = item_of(
    Dispute,
    "DisputeItem",
    gsi4pk=UnicodeAttribute(null=True),
    gsi4sk=UnicodeAttribute(null=True),
    by_status=Gsi4(),
)


SK = "DISPUTE"


def _item(dispute: Dispute) -> DisputeItem:
    return DisputeItem(
        f"ORDER#{dispute.order_id}",
        SK,
        **dispute.model_dump(),
        gsi4pk=f"DISPUTE#{dispute.status}",
        gsi4sk=f"{dispute.opened_at}#{dispute.order_id}",
    )


def _record(item: DisputeItem) -> Dispute:
    return Dispute(**{k: getattr(item, k) for k in Dispute.model_fields})


def with_status(
    status: str, *, after: dict[str, str] | None = None, limit: int = 50
) -> tuple[list[Dispute], dict[str, str] | None]:
    """A page of the disputes in `status`, newest first, and the key to continue after."""
    ensure_bound()
    items, resume = query_page(DisputeItem.by_status, f"DISPUTE#{status}", after=after, limit=limit, scan_index_forward=False)
    return [_record(i) for i in items], resume


def _order_actions(order: Order, dispute: Dispute, actor: str, at: str, note: str) -> list:
    # The order's status does not change (the workflow owns it); the dispute is recorded beside it.
    entry = TimelineMap(status=order.status, at=at, actor=actor, note=note)
    return [
        OrderItem.dispute.set(dispute.model_dump()),
        OrderItem.updated_at.set(at),
        OrderItem.timeline.set((OrderItem.timeline | []).append([entry])),
        OrderItem.version.add(1),
    ]


def open_dispute(order: Order, dispute: Dispute) -> None:
    ensure_bound()
    try:
        with transaction() as tx:
            tx.save(_item(dispute), condition=DisputeItem.pk.does_not_exist())
            tx.update(
                OrderItem(*orders.order_key(order.order_id)),
                actions=_order_actions(order, dispute, dispute.opened_by, dispute.opened_at, "dispute opened"),
                condition=orders.status_condition(DISPUTABLE) & OrderItem.dispute.does_not_exist(),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise InvalidStatus(
                "该订单已有争议或当前不能申诉", "This order already has a dispute or cannot be disputed now."
            ) from exc
        raise


def resolve(order: Order, dispute: Dispute) -> None:
    """Record the supervisor's outcome on the dispute and the order; only an open dispute can be resolved."""
    ensure_bound()
    item = _item(dispute)
    try:
        with transaction() as tx:
            resolution = ("status", "outcome", "refund", "resolution_note", "resolved_by", "resolved_at", "gsi4pk")
            tx.update(
                DisputeItem(f"ORDER#{dispute.order_id}", SK),
                actions=[getattr(DisputeItem, k).set(getattr(item, k)) for k in resolution if getattr(item, k) is not None],
                condition=DisputeItem.status == "open",
            )
            tx.update(
                OrderItem(*orders.order_key(order.order_id)),
                actions=_order_actions(
                    order, dispute, dispute.resolved_by or "supervisor", dispute.resolved_at or "", f"dispute {dispute.outcome}"
                ),
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise InvalidStatus("该争议已处理", "This dispute is already resolved.") from exc
        raise
