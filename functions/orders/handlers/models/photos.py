"""API input and output shapes of photos: pre-signed uploads and reads, and a technician's profile photo."""

from __future__ import annotations

from pydantic import BaseModel, Field

from orders.handlers.models.fields import ISSUED_ID, STRICT
from orders.store.photos import PhotoPurpose


class PhotoIn(BaseModel):
    model_config = STRICT
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
    model_config = STRICT
    photo_id: str = Field(pattern=ISSUED_ID, description="A `profile` photo id from POST /photos, uploaded by the caller.")


class TechnicianPhotoView(BaseModel):
    technician_id: str
    photo: PhotoLinkView | None
