"""Photos: the record of each uploaded image, and attaching it (once) to an order or a technician."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel
from pynamodb.exceptions import UpdateError

from orders.domain.errors import PhotoInUse
from shared.dal.base import condition_failed, ensure_bound
from shared.dal.tables import item_of


class PhotoPurpose(StrEnum):
    FAULT = "fault"  # the resident's photo of the fault, when ordering
    WORK = "work"  # the technician's: a bill line's, or the finished work's at completion
    PROFILE = "profile"  # a technician's profile photo (set by the technician or the company's dispatcher)


class Photo(BaseModel):
    """An image uploaded to S3 through a pre-signed URL (`photos/<purpose>/<photo id>`); the table keeps its key,
    the size and type it was declared with, and what it was attached to (once, to one thing)."""

    photo_id: str
    purpose: PhotoPurpose
    owner_id: str  # who asked for the upload: only they may attach it
    content_type: str
    size: int
    s3_key: str
    created_at: str
    attached_to: str | None = None  # order:<id> | technician:<id>


# pk PHOTO#<photo id>, sk PHOTO: an uploaded image's S3 key, declared size and type, and what it is attached to.
PhotoItem = item_of(Photo, "PhotoItem")


PHOTO_SK = "PHOTO"


def put(photo: Photo) -> None:
    ensure_bound()
    PhotoItem(f"PHOTO#{photo.photo_id}", PHOTO_SK, **photo.model_dump()).save()


def get(photo_id: str) -> Photo | None:
    ensure_bound()
    try:
        item = PhotoItem.get(f"PHOTO#{photo_id}", PHOTO_SK, consistent_read=True)
    except PhotoItem.DoesNotExist:
        return None
    data = {name: getattr(item, name) for name in Photo.model_fields}
    return Photo(**data | {"size": int(item.size)})


def attach(photo_id: str, target: str) -> None:
    """Marks the photo as attached to `target` (`order:<id>`, `technician:<id>`); attaching it to the same
    target again is a no-op (a retried request), to anything else a 409."""
    ensure_bound()
    try:
        PhotoItem(f"PHOTO#{photo_id}", PHOTO_SK).update(
            actions=[PhotoItem.attached_to.set(target)],
            condition=PhotoItem.pk.exists() & (PhotoItem.attached_to.does_not_exist() | (PhotoItem.attached_to == target)),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise PhotoInUse() from exc
        raise


def detach(photo_id: str, target: str) -> None:
    """Undoes `attach` when what the photo was attached to was not stored after all (only if still attached there)."""
    ensure_bound()
    try:
        PhotoItem(f"PHOTO#{photo_id}", PHOTO_SK).update(
            actions=[PhotoItem.attached_to.remove()], condition=PhotoItem.attached_to == target
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
