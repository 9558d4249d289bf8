"""PynamoDB models of the single table: the kernel's entities, the base of every domain store's items, and `item_of`.
Only stores import this module.

Keys (see docs/data-model.md for the access patterns they serve):
  pk / sk              the item itself
  gsi1pk / gsi1sk      a resident's orders; technicians by geohash cell
  gsi2pk / gsi2sk      a technician's assigned orders; a technician's open offers (sparse)
  gsi3pk / gsi3sk      a company's orders; whom a proxy acts for (ACTSFOR#<proxy>)
  gsi4pk / gsi4sk      orders by status (supervisors' queues); disputes by status (DISPUTE#open);
                       vetting queues (VETTING#<kind>#<status>); certificates by expiry day (CERTEXP#<date>);
                       workflow waits by the hour of their deadline (DEADLINE#<yyyy-mm-ddThh>);
                       residents by phone number (PHONE#<+86…>)
  gsi5pk / gsi5sk      orders by compound (public-area reports, statistics); accounts by phone number for
                       signing in (LOGIN#<+86…>)
  (users: gsi3 STAFF#<company> / ROLE#<role> lists a company's staff and the residents and supervisors;
   addresses: gsi3 RESIDENTS#<compound> lists the residents of a compound)
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from shared.records import ApiKey


def _index(name: str, hash_attr: str, range_attr: str) -> type[GlobalSecondaryIndex]:
    meta = type("Meta", (), {"index_name": name, "projection": AllProjection()})
    attrs = {
        "Meta": meta,
        hash_attr: UnicodeAttribute(hash_key=True),
        range_attr: UnicodeAttribute(range_key=True),
    }
    return type(f"Index_{name}", (GlobalSecondaryIndex,), attrs)


Gsi1, Gsi2, Gsi3, Gsi4, Gsi5 = (_index(f"gsi{i}", f"gsi{i}pk", f"gsi{i}sk") for i in range(1, 6))
INDEX_NAMES = ("gsi1", "gsi2", "gsi3", "gsi4", "gsi5")


class TableItem(Model):
    class Meta:
        table_name = "linli"  # replaced by bind()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


def item_of(record: type[BaseModel], name: str, doc: str = "", **more: Any) -> type[TableItem]:
    """The item class of a record, declared once: an attribute per field of the record, of the field's type (str,
    a str enum or Literal: Unicode; int or float: Number; bool: Boolean; a list of those: a List of Unicode; a nested
    record, a list of them or a dict: JSON), nullable where the field may be None or defaults to an empty list or dict, with
    the field's default; `more`: the item's attributes and indexes that are not the record's fields (index keys, a
    TTL), or one that stores a field otherwise (a List of Maps that updates append to)."""
    attributes: dict[str, Attribute] = {}
    for field_name, field in record.model_fields.items():
        if field_name in more:
            continue
        kind, nullable = _unwrap_optional(field.annotation)
        options: dict[str, Any] = {"null": True} if nullable else {}
        if field.default_factory is not None:  # an empty list or dict
            options |= {"default": field.default_factory, "null": True}
        elif not field.is_required() and field.default is not None:
            options["default"] = field.default
        attributes[field_name] = _attribute_for(kind, record, field_name)(**options)
    namespace = {"__module__": record.__module__, "__doc__": doc or f"The item of a {record.__name__}."}
    return type(name, (TableItem,), {**namespace, **attributes, **more})


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else Union[tuple(rest)]), True  # noqa: UP007 - built from a tuple
    return annotation, False


def _is_text(kind: Any) -> bool:
    return kind is str or get_origin(kind) is Literal or (isinstance(kind, type) and issubclass(kind, StrEnum))


def _is_record(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _attribute_for(kind: Any, record: type, field_name: str) -> Callable[..., Attribute]:
    if kind is bool:
        return BooleanAttribute
    if kind in (int, float):
        return NumberAttribute
    if _is_text(kind):
        return UnicodeAttribute
    if get_origin(kind) is list and all(_is_text(a) for a in get_args(kind)):
        return lambda **options: ListAttribute(of=UnicodeAttribute, **options)
    records = _is_record(kind) or (get_origin(kind) is list and all(_is_record(a) for a in get_args(kind)))
    if records or dict in (kind, get_origin(kind)):
        return JSONAttribute
    raise TypeError(f"{record.__name__}.{field_name}: no attribute for {kind!r}; declare this item by hand")


class DailyCountItem(TableItem):
    """pk USER#<user>, sk COUNT#<what>#<yyyy-mm-dd> (or pk LOGINCODE#<+86…>, sk COUNT#<yyyy-mm-dd>: sign-in codes
    sent to a number): how many times something was done on a Beijing day (daily limits); gone after its TTL."""

    count = NumberAttribute(default=0)
    ttl = NumberAttribute()


ApiKeyItem = item_of(
    ApiKey,
    "ApiKeyItem",
    enrolled=UnicodeSetAttribute(null=True),  # staff who enrolled the key themselves (added and removed atomically)
)


class SeenSignatureItem(TableItem):
    ttl = NumberAttribute()  # forgotten once the signature would be stale anyway


class SessionFamilyItem(TableItem):
    """pk USER#<user>, sk SESSION#<family>: a sign-in and the refresh tokens descended from it."""

    family_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    status = UnicodeAttribute()
    revoked_because = UnicodeAttribute(null=True)
    revoked_at = NumberAttribute(null=True)
    ttl = NumberAttribute()


def all_models() -> list[type[TableItem]]:
    """Every item class on the table, wherever it is declared (a domain's store may declare its own)."""
    found, pending = [], list(TableItem.__subclasses__())
    while pending:
        model = pending.pop()
        found.append(model)
        pending.extend(model.__subclasses__())
    return found


def bind(table_name: str, region: str) -> None:
    """Point every model at the configured table (done once, lazily, by the data layer)."""
    for model in all_models():
        model.Meta.table_name = table_name
        model.Meta.region = region
        model._connection = None
