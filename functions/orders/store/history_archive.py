"""The history archive: an ended order's execution history, kept after Step Functions drops it (90 days).

Two parts, written in this order: the object `histories/<order>.json.gz` in the history archive bucket (gzip of
compact JSON, SSE-KMS, written with S3's conditional put so that an object once written is never replaced), then the
record `ORDER#<order>` / `HISTORY_ARCHIVE` (where the object is, its size and digest, the execution's end status). The
record says the archive is complete: readers look for it first, so a missing object is never guessed from S3's 403
(the readers have no ListBucket), and an archiver that finds it has nothing left to do.
"""

from __future__ import annotations

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist

from orders.domain.settings import order_settings
from shared import storage
from shared.dal.base import ensure_bound
from shared.dal.tables import item_of

PREFIX = "histories/"
SORT_KEY = "HISTORY_ARCHIVE"


class ArchivedHistory(BaseModel):
    order_id: str
    key: str  # the object's key in the history archive bucket
    execution_arn: str
    execution_status: str  # SUCCEEDED | FAILED | ABORTED | TIMED_OUT
    events: int
    size: int  # bytes, compressed
    sha256: str  # of the compressed object
    archived_at: str


ArchivedHistoryItem = item_of(
    ArchivedHistory,
    "ArchivedHistoryItem",
)


def object_key(order_id: str) -> str:
    return f"{PREFIX}{order_id}.json.gz"


def _key(order_id: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", SORT_KEY


def find(order_id: str) -> ArchivedHistory | None:
    """The order's archive record, or None while its history is not (completely) archived."""
    ensure_bound()
    try:
        item = ArchivedHistoryItem.get(*_key(order_id), consistent_read=True)
    except DoesNotExist:
        return None
    return ArchivedHistory(
        order_id=item.order_id,
        key=item.key,
        execution_arn=item.execution_arn,
        execution_status=item.execution_status,
        events=int(item.events),
        size=int(item.size),
        sha256=item.sha256,
        archived_at=item.archived_at,
    )


def write_object(order_id: str, body: bytes) -> bool:
    """Store the compressed history; False when it was stored before (the stored object is kept)."""
    settings = order_settings()
    return storage.put_new(
        settings.history_archive_bucket,
        object_key(order_id),
        body,
        content_type="application/json",
        content_encoding="gzip",
        kms_key_id=settings.history_archive_key_id,
    )


def record(archived: ArchivedHistory) -> None:
    """Write the archive record, after the object: a retry whose record was lost writes it then."""
    ensure_bound()
    ArchivedHistoryItem(*_key(archived.order_id), **archived.model_dump(exclude={"order_id"}), order_id=archived.order_id).save()


def read_object(archived: ArchivedHistory) -> bytes:
    return storage.read(order_settings().history_archive_bucket, archived.key)
