"""Public routes of the supervision domain: served without sign-in, cacheable by browsers and shared caches."""

from __future__ import annotations

import hashlib

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from shared import clock, paging
from supervision.service.public_credit import PublicCompanies, public_companies

router = Router()

# A credit score changes after a finished order; five minutes of caching keeps the page cheap and current enough.
MAX_AGE_SECONDS = 300


@router.get(
    "/public/companies",
    responses={
        200: {
            "description": "Admitted companies, best credit first (Cache-Control: public, max-age=300; ETag)",
            "content": {"application/json": {"model": PublicCompanies}},
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
)
def companies(limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None):  # noqa: ANN201 - a raw Response, for its caching headers
    """Admitted companies with their credit score, its parts, the formula, and the last 90 days' record, best
    credit first, `limit` a page."""
    listed = public_companies(clock.now(), limit=limit, cursor=cursor)
    body = listed.model_dump_json(exclude={"generated_at"})  # the same content, the same ETag
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    headers = {"Cache-Control": f"public, max-age={MAX_AGE_SECONDS}", "ETag": etag}
    if etag in (router.current_event.headers or {}).get("if-none-match", ""):
        return Response(304, None, "", headers)
    return Response(200, content_types.APPLICATION_JSON, listed.model_dump_json(), headers)
