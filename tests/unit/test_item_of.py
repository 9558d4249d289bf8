"""A record's item class is declared once (`shared.dal.tables.item_of`): its attributes follow the record's fields
(nested records as JSON), and an item written from a record reads back as the same record."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, Field
from pynamodb.attributes import BooleanAttribute, JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from notify.store.messages import Message, MessageItem
from notify.store.webhooks import Webhook, WebhookItem
from shared.dal.tables import item_of


def _shape(item: type) -> dict[str, tuple[type, bool]]:
    return {name: (type(a), a.null) for name, a in item.get_attributes().items()}


def test_the_item_has_an_attribute_of_each_fields_type_nullable_where_the_field_may_be_none():
    # Given the outbox's record, When its item class is made from it, Then each field is an attribute of its type
    assert _shape(MessageItem) == {
        "pk": (UnicodeAttribute, False),
        "sk": (UnicodeAttribute, False),
        "message_id": (UnicodeAttribute, False),
        "recipient_id": (UnicodeAttribute, False),
        "channel": (UnicodeAttribute, False),
        "order_id": (UnicodeAttribute, True),
        "kind": (UnicodeAttribute, False),
        "text_zh": (UnicodeAttribute, False),
        "text_en": (UnicodeAttribute, False),
        "created_at": (UnicodeAttribute, False),
        "template": (UnicodeAttribute, True),
    }


def test_lists_and_defaults_follow_the_record():
    attributes = WebhookItem.get_attributes()
    assert isinstance(attributes["events"], ListAttribute) and attributes["events"].element_type is UnicodeAttribute
    assert isinstance(attributes["enabled"], BooleanAttribute) and attributes["enabled"].default is True


def test_an_item_written_from_a_record_reads_back_as_the_same_record():
    message = Message(
        message_id="e1.u1.sms", recipient_id="u1", channel="sms", kind="order.assigned", text_zh="师傅已接单",
        text_en="A technician accepted", created_at="2026-12-07T10:00:00.000+08:00",
    )  # fmt: skip
    stored = MessageItem("USER#u1", "MSG#1", **message.model_dump()).serialize()
    read = MessageItem.from_raw_data(stored)
    assert Message(**{k: getattr(read, k) for k in Message.model_fields}) == message
    webhook = Webhook(company_id="c1", url="https://example.com/h", events=["order.completed"], updated_at="t")
    read = WebhookItem.from_raw_data(WebhookItem("COMPANY#c1", "WEBHOOK", **webhook.model_dump()).serialize())
    assert Webhook(**{k: getattr(read, k) for k in Webhook.model_fields}) == webhook


def test_numbers_and_literals_have_their_attributes():
    class Reading(BaseModel):
        value: float
        count: int = 0
        unit: Literal["kWh", "m3"] = "kWh"

    attributes = item_of(Reading, "ReadingItem").get_attributes()
    assert isinstance(attributes["value"], NumberAttribute) and isinstance(attributes["count"], NumberAttribute)
    assert attributes["count"].default == 0
    assert isinstance(attributes["unit"], UnicodeAttribute) and attributes["unit"].default == "kWh"


def test_nested_records_are_json_and_a_field_of_another_kind_is_refused_with_its_name():
    class Part(BaseModel):
        name: str
        price: float

    class Bill(BaseModel):
        lines: list[Part] = Field(default_factory=list)
        main: Part | None = None
        counts: dict[str, int] = Field(default_factory=dict)
        tags: list[str] = Field(default_factory=list)

    item = item_of(Bill, "BillItem")
    attributes = item.get_attributes()
    assert all(isinstance(attributes[name], JSONAttribute) for name in ("lines", "main", "counts"))
    # an empty list is the default, and None may be stored too (an item written before the field had a value)
    assert (attributes["lines"].default, attributes["lines"].null, attributes["tags"].null) == (list, True, True)
    bill = Bill(lines=[Part(name="灯泡", price=12.5)], main=Part(name="人工", price=50), counts={"visits": 1})
    read = item.from_raw_data(item("BILL#1", "BILL", **bill.model_dump()).serialize())
    assert Bill(**{k: getattr(read, k) for k in Bill.model_fields}) == bill

    class Odd(BaseModel):
        parts: list[dict]

    with pytest.raises(TypeError, match=r"Odd\.parts"):
        item_of(Odd, "OddItem")


def test_a_field_given_in_more_is_stored_as_more_says():
    from orders.store.orders import OrderItem, TimelineMap

    timeline = OrderItem.get_attributes()["timeline"]
    assert isinstance(timeline, ListAttribute) and timeline.element_type is TimelineMap
