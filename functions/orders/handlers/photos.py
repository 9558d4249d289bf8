"""Photos: pre-signed uploads, attaching a photo once, and short-lived pre-signed reads for the people
who may see the order. Served by the orders function; the files go straight between the app and S3
(`shared.storage`), the table keeps the record (`orders.store.photos`)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from identity.domain.records import User
from identity.service import accounts
from orders.domain.errors import PhotoInUse, PhotoMismatch, PhotoNotUploaded, PhotoTooLarge, PhotoTypeNotAllowed, UnknownPhoto
from orders.domain.records import Order
from orders.domain.settings import order_settings
from orders.handlers.models.photos import PhotoIn, PhotoLinkView, PhotoUploadView, TechnicianPhotoIn, TechnicianPhotoView
from orders.handlers.views import profile, visible_order
from orders.store import photos
from orders.store.photos import Photo, PhotoPurpose
from shared import clock, ids, storage
from shared.api import current_caller
from shared.auth import Caller, require_role
from shared.errors import Forbidden, NotFound
from shared.roles import Role

router = Router()

# Images only; the key's extension follows the type (browsers and S3 consoles show it right).
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# Who may ask for an upload of each purpose.
UPLOADERS = {
    PhotoPurpose.FAULT: (Role.RESIDENT,),
    PhotoPurpose.WORK: (Role.TECHNICIAN,),
    PhotoPurpose.PROFILE: (Role.TECHNICIAN, Role.DISPATCHER),
}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


@router.post("/photos", status_code=201)
def create_photo(body: PhotoIn) -> tuple[PhotoUploadView, int]:
    """A pre-signed PUT for one image: its type and exact size are signed, so S3 takes nothing else."""
    caller = current_caller(router)
    require_role(caller, *UPLOADERS[body.purpose])
    settings = order_settings()
    content_type = body.content_type.strip().lower()
    if content_type not in PHOTO_TYPES:
        raise PhotoTypeNotAllowed()
    if body.size > settings.photo_max_bytes:
        limit = _megabytes(settings.photo_max_bytes)
        raise PhotoTooLarge(
            f"照片太大（最大 {limit} MB），请换一张或压缩后再试",
            f"The photo is too large ({limit} MB at most); choose a smaller one.",
        )
    photo_id = ids.new_id("pho")
    photo = Photo(
        photo_id=photo_id,
        purpose=body.purpose,
        owner_id=caller.user_id,
        content_type=content_type,
        size=body.size,
        s3_key=f"{storage.PHOTO_PREFIX}{body.purpose.value}/{photo_id}.{PHOTO_TYPES[content_type]}",
        created_at=clock.now_iso(),
    )
    photos.put(photo)
    upload = storage.upload_url(photo.s3_key, content_type, size=body.size, expires_in=settings.photo_upload_seconds)
    return (
        PhotoUploadView(
            photo_id=photo_id,
            upload_url=upload,
            headers={"Content-Type": content_type},
            expires_in=settings.photo_upload_seconds,
            max_bytes=settings.photo_max_bytes,
        ),
        201,
    )


def usable_photo(photo_id: str, caller: Caller, purpose: PhotoPurpose, target: str) -> Photo:
    """A photo the caller uploaded for this purpose, arrived in S3 as declared (≤ the limit, the declared type
    and size), not attached to anything but `target`. Checks only: `photos.attach` marks it once used."""
    photo = photos.get(photo_id)
    if photo is None or photo.owner_id != caller.user_id or photo.purpose != purpose:
        raise UnknownPhoto(f"照片 {photo_id} 不存在，或不能用于这里", f"Photo {photo_id} does not exist or cannot be used here.")
    if photo.attached_to not in (None, target):
        raise PhotoInUse()
    stored = storage.stat(photo.s3_key)
    if stored is None:
        raise PhotoNotUploaded()
    if stored.size != photo.size or stored.size > order_settings().photo_max_bytes or stored.content_type != photo.content_type:
        raise PhotoMismatch()
    return photo


def check_photos(photo_ids: list[str], caller: Caller, purpose: PhotoPurpose, target: str) -> None:
    for photo_id in dict.fromkeys(photo_ids):
        usable_photo(photo_id, caller, purpose, target)


def attach_photos(photo_ids: list[str], target: str) -> None:
    for photo_id in dict.fromkeys(photo_ids):
        photos.attach(photo_id, target)


def detach_photos(photo_ids: list[str], target: str) -> None:
    for photo_id in dict.fromkeys(photo_ids):
        photos.detach(photo_id, target)


def order_photo_refs(order: Order) -> set[str]:
    """Every photo that belongs to the order: the fault's, the bill lines', the completion's, and the assigned
    technician's profile photo."""
    refs = {order.photo_ref, *order.completion_photos}
    refs |= {line.photo_ref for line in [*order.bill, *order.extra_lines]}
    if order.technician_id:
        tech = accounts.get_user(order.technician_id)
        refs.add(tech.photo_ref if tech else None)
    return {r for r in refs if r}


def _link(photo: Photo | None) -> PhotoLinkView:
    if photo is None or storage.stat(photo.s3_key) is None:
        raise NotFound("照片不存在或尚未上传", "No such photo, or it was not uploaded yet.")
    seconds = order_settings().photo_url_seconds
    return PhotoLinkView(
        photo_id=photo.photo_id,
        url=storage.download_url(photo.s3_key, expires_in=seconds),
        content_type=photo.content_type,
        expires_in=seconds,
    )


@router.get("/orders/<order_id>/photos/<photo_id>")
def get_order_photo(order_id: str, photo_id: str) -> PhotoLinkView:
    """A short-lived pre-signed GET of one of the order's photos, for those who may see the order."""
    caller = current_caller(router)
    order = visible_order(order_id, caller)
    if photo_id not in order_photo_refs(order):
        raise NotFound("该订单没有这张照片", "This order has no such photo.")
    return _link(photos.get(photo_id))


def _technician_in_reach(user_id: str, caller: Caller, *, supervisor_reads: bool) -> User:
    """The technician himself, his company's dispatcher (and, to read, a supervisor); 403 for anyone else."""
    require_role(caller, Role.TECHNICIAN, Role.DISPATCHER, *((Role.SUPERVISOR,) if supervisor_reads else ()))
    me = profile(caller)
    tech = accounts.get_user(user_id)
    allowed = (
        caller.role == Role.SUPERVISOR
        or (caller.role == Role.TECHNICIAN and user_id == caller.user_id)
        or (caller.role == Role.DISPATCHER and tech is not None and me.company_id and tech.company_id == me.company_id)
    )
    if not allowed:
        raise Forbidden("只能管理本人或本公司师傅的照片", "Only the technician or his company may do this.")
    if tech is None or tech.role != Role.TECHNICIAN:
        raise NotFound("师傅不存在", "No such technician.")
    return tech


@router.put("/technicians/<user_id>/photo")
def set_technician_photo(user_id: str, body: TechnicianPhotoIn) -> TechnicianPhotoView:
    """The technician's profile photo, which residents see on their order: set by him or his company."""
    caller = current_caller(router)
    tech = _technician_in_reach(user_id, caller, supervisor_reads=False)
    target = f"technician:{tech.user_id}"
    photo = usable_photo(body.photo_id, caller, PhotoPurpose.PROFILE, target)
    photos.attach(photo.photo_id, target)
    accounts.set_technician_photo(tech.user_id, photo.photo_id)
    return TechnicianPhotoView(technician_id=tech.user_id, photo=_link(photo))


@router.get("/technicians/<user_id>/photo")
def get_technician_photo(user_id: str) -> TechnicianPhotoView:
    caller = current_caller(router)
    tech = _technician_in_reach(user_id, caller, supervisor_reads=True)
    return TechnicianPhotoView(technician_id=tech.user_id, photo=_link(photos.get(tech.photo_ref)) if tech.photo_ref else None)
