"""The qualification documents bucket: pre-signed upload and download URLs (S3 in AWS, moto in the sandbox).

The files never pass through a Lambda: the company's app PUTs the file to the signed URL, a supervisor GETs it
from another. Clients are created lazily (no work at import time)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from shared.settings import get_settings


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("s3", region_name=get_settings().aws_region, config=Config(signature_version="s3v4"))


def reset() -> None:
    _client.cache_clear()


def upload_url(key: str, content_type: str) -> str:
    settings = get_settings()
    return _client().generate_presigned_url(
        "put_object",
        Params={"Bucket": settings.documents_bucket, "Key": key, "ContentType": content_type},
        ExpiresIn=settings.document_url_seconds,
    )


def download_url(key: str) -> str:
    settings = get_settings()
    return _client().generate_presigned_url(
        "get_object", Params={"Bucket": settings.documents_bucket, "Key": key}, ExpiresIn=settings.document_url_seconds
    )


def exists(key: str) -> bool:
    try:
        _client().head_object(Bucket=get_settings().documents_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True
