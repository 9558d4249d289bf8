"""Checks a pre-signed S3 URL as S3 does (SigV4 in the query string), for the sandbox's /s3 front: moto's S3 checks
no signature, and the front is on the apps' origin, so without this anyone could read and write the bucket there."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import boto3
from botocore.auth import SIGV4_TIMESTAMP, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest

_AUTH_PARAMS = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"}


class Refused(Exception):
    """Why the request is not S3's to serve: the message is S3's own wording."""


def verify(method: str, path: str, headers: dict[str, str], *, now: datetime | None = None) -> None:
    """Raise Refused unless `path` (with its query) is a pre-signed URL for this method, signed with the sandbox's
    credentials, unexpired, and the signed headers (Content-Type, Content-Length, Host) are the ones sent."""
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if not query.keys() >= _AUTH_PARAMS or query["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        raise Refused("A pre-signed URL is required")
    try:
        signed_at = datetime.strptime(query["X-Amz-Date"], SIGV4_TIMESTAMP).replace(tzinfo=UTC)
        expires = int(query["X-Amz-Expires"])
        _, _, region, service, _ = query["X-Amz-Credential"].split("/")
    except ValueError:
        raise Refused("A pre-signed URL is required") from None
    if (now or datetime.now(UTC)) > signed_at + timedelta(seconds=expires):
        raise Refused("Request has expired")
    sent = {k.lower(): v for k, v in headers.items()}
    signed_names = query["X-Amz-SignedHeaders"].split(";")
    if any(name != "host" and name not in sent for name in signed_names):
        raise Refused("There were headers present in the request which were not signed")
    operation = "&".join(f"{k}={v}" for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _AUTH_PARAMS)
    request = AWSRequest(
        method=method,
        url=f"http://{sent.get('host', '')}{parts.path}" + (f"?{operation}" if operation else ""),
        headers={name: sent[name] for name in signed_names if name != "host"},
    )
    request.context["timestamp"] = query["X-Amz-Date"]
    signer = S3SigV4QueryAuth(boto3.session.Session().get_credentials(), service, region, expires=expires)
    signer._modify_request_before_signing(request)
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    if not hmac.compare_digest(expected, query["X-Amz-Signature"]):
        raise Refused("The request signature we calculated does not match the signature you provided.")
