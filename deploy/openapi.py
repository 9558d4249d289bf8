"""The OpenAPI document of the whole HTTP API, generated from every domain's routes at deploy time.

CDK writes it into the functions' asset (infra/bundling.py: `stage_function_code`), the sandbox into a file of its
own (`write_document`); `GET /openapi.json` answers with that file (orders.service.api_document).
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer

from shared.api import API_TITLE, API_VERSION, ERROR_SCHEMA, build_resolver
from shared.inputs import ID_PATTERN
from shared.partner import PARTNER_OPERATIONS, PARTNER_PREFIX

SIGNATURE_HEADERS = ("Linli-Timestamp", "Linli-Nonce", "Linli-Signature", "Linli-On-Behalf-Of")


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    from addresses.handlers.api import router as addresses
    from compounds.handlers.api import router as compounds
    from identity.handlers.api import router as identity
    from matching.handlers.api import router as matching
    from notify.handlers.api import router as notify
    from orders.handlers.api import router as orders
    from orders.handlers.billing import router as billing
    from orders.handlers.fulfilment import router as fulfilment
    from orders.handlers.photos import router as photos
    from orders.handlers.proxies import router as proxies
    from ratings.handlers.api import router as ratings
    from supervision.handlers.admission import router as admission
    from supervision.handlers.api import router as supervision
    from supervision.handlers.credit import router as credit
    from supervision.handlers.exports import router as exports
    from supervision.handlers.public import router as public
    from supervision.handlers.reports import router as reports

    app = build_resolver(
        identity,
        compounds,
        orders,
        fulfilment,
        billing,
        photos,
        proxies,
        addresses,
        matching,
        ratings,
        notify,
        admission,
        credit,
        supervision,
        reports,
        exports,
        public,
    )
    schema = app.get_openapi_json_schema(
        title=API_TITLE,
        version=API_VERSION,
        description="邻里 Linli: 老旧小区上门维修服务平台 API. Door-to-door repair for old residential compounds.",
        security_schemes={
            "jwt": HTTPBearer(bearerFormat="JWT"),
            "companySignature": APIKey(
                name="Linli-Key-Id",
                **{"in": APIKeyIn.header},
                description="A company's API key id; the request is signed with its secret (docs/integrators.md)",
            ),
        },
        security=[{"jwt": []}],
    )
    return with_partner_paths(with_public_paths(with_id_patterns(with_error_responses(json.loads(schema)))))


def write_document(path: Path) -> Path:
    """The document as the function reads it (UTF-8 JSON)."""
    path.write_text(json.dumps(openapi_document(), ensure_ascii=False), encoding="utf-8")
    return path


def with_public_paths(document: dict) -> dict:
    """The public routes (signing in, the keys) take no token: no security requirement on them."""
    from deploy.routes import ROUTES

    for route in ROUTES:
        operation = document["paths"].get(route.path, {}).get(route.method.lower())
        if route.public and operation is not None:
            operation["security"] = []
    return document


def with_error_responses(document: dict) -> dict:
    """Every error this API answers has one shape; say so for every operation (instead of the
    validation error shape Powertools would document, which this API never sends)."""
    document["components"]["schemas"]["Error"] = ERROR_SCHEMA
    document["components"]["schemas"].pop("HTTPValidationError", None)
    document["components"]["schemas"].pop("ValidationError", None)
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in document["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses["422"] = {"description": "The request does not match the schema (validation_error)", **error}
            responses["default"] = {
                "description": "Any other error: 400 rule broken, 401, 403, 404, 409 conflict, 415, 429 (with Retry-After), 503",
                **error,
            }
    return document


def with_id_patterns(document: dict) -> dict:
    """Every id in a path has the one shape `shared.api` enforces (400 `invalid_id` otherwise)."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.setdefault("schema", {})
                if parameter.get("in") == "path" and "pattern" not in schema:  # a narrower one stays
                    schema.update(pattern=ID_PATTERN, maxLength=100)
    return document


def with_partner_paths(document: dict) -> dict:
    """The /partner operations: the same operations as a person's, signed by a company's key instead."""
    for method, path in PARTNER_OPERATIONS:
        operation = copy.deepcopy(document["paths"][path][method.lower()])
        operation["operationId"] = f"partner_{operation.get('operationId', method.lower())}"
        operation["security"] = [{"companySignature": []}]
        operation["parameters"] = operation.get("parameters", []) + [
            {"name": h, "in": "header", "required": True, "schema": {"type": "string"}} for h in SIGNATURE_HEADERS
        ]
        document["paths"].setdefault(PARTNER_PREFIX + path, {})[method.lower()] = operation
    return document
