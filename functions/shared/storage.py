"""S3 (moto in the sandbox): the documents bucket's pre-signed upload and download URLs, and the history archive's
objects. The only code that touches S3.

Two kinds of objects live in the documents bucket: the companies' qualification documents (`companies/…`) and photos
(`photos/…`: the fault, bill lines, completion, technicians' profiles). Those files never pass through a
Lambda: the app PUTs the file to a signed URL, readers GET it from another. The history archive's objects (`put_new`,
`read`) are written and read by the functions themselves. Clients are created lazily (no work at import time)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from shared.settings import get_settings

PHOTO_PREFIX = "photos/"


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("s3", region_name=get_settings().aws_region, config=Config(signature_version="s3v4"))


@lru_cache(maxsize=1)
def _signer() -> Any:
    """Signs URLs for the apps: on the public endpoint when one is set (the sandbox's /s3 front, path-style)."""
    settings = get_settings()
    if not settings.storage_public_endpoint:
        return _client()
    return boto3.client(
        "s3",
        region_name=settings.aws_region,
        endpoint_url=settings.storage_public_endpoint,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def reset() -> None:
    _client.cache_clear()
    _signer.cache_clear()


def upload_url(key: str, content_type: str, *, size: int | None = None, expires_in: int | None = None) -> str:
    """A pre-signed PUT. With `size`, Content-Length is signed too: S3 refuses a body of any other length."""
    settings = get_settings()
    params: dict[str, Any] = {"Bucket": settings.documents_bucket, "Key": key, "ContentType": content_type}
    if size is not None:
        params["ContentLength"] = size
    return _signer().generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in or settings.document_url_seconds)


def download_url(key: str, *, expires_in: int | None = None) -> str:
    settings = get_settings()
    return _signer().generate_presigned_url(
        "get_object",
        Params={"Bucket": settings.documents_bucket, "Key": key},
        ExpiresIn=expires_in or settings.document_url_seconds,
    )


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str


def stat(key: str) -> StoredObject | None:
    """The uploaded object's size and type, or None when nothing was uploaded under the key."""
    try:
        head = _client().head_object(Bucket=get_settings().documents_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return StoredObject(size=int(head.get("ContentLength") or 0), content_type=head.get("ContentType") or "")


def exists(key: str) -> bool:
    return stat(key) is not None


def put_new(bucket: str, key: str, body: bytes, *, content_type: str, content_encoding: str, kms_key_id: str) -> bool:
    """Write the object unless one exists under the key (S3's conditional write, `If-None-Match: *`), encrypted with
    the KMS key (its ARN; empty: the bucket's default key). False when an object was there already: it is kept."""
    params: dict[str, Any] = {
        "Bucket": bucket,
        "Key": key,
        "Body": body,
        "ContentType": content_type,
        "ContentEncoding": content_encoding,
        "IfNoneMatch": "*",
        "ServerSideEncryption": "aws:kms",
    }
    if kms_key_id:
        params["SSEKMSKeyId"] = kms_key_id
    try:
        _client().put_object(**params)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "PreconditionFailed":
            return False
        raise  # ConditionalRequestConflict (a concurrent write of the same key) and outages: the caller retries
    return True


def read(bucket: str, key: str) -> bytes:
    """The object's bytes (as stored: no decoding)."""
    return _client().get_object(Bucket=bucket, Key=key)["Body"].read()
