"""Issue 6 on the synthesized template: photos share the documents bucket, each grant on its own prefix only."""

from __future__ import annotations

import json

from deploy.catalog import FUNCTIONS, DocumentAccess
from tests.infrastructure.test_supervision_stack import _documents_bucket


def _object_grants(synthesized, spec, bucket_id: str) -> dict[str, set[str]]:
    """action → the key patterns (after the bucket ARN) it is granted on, for one function's role."""
    ids = synthesized.function_ids_by_handler()
    role = synthesized.resources[ids[spec.handler]]["Properties"]["Role"]["Fn::GetAtt"][0]
    grants: dict[str, set[str]] = {}
    for statement in synthesized.policy_statements_of_role(role):
        if bucket_id not in json.dumps(statement.get("Resource")) or statement["Effect"] != "Allow":
            continue
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions:
            for resource in resources:
                parts = resource.get("Fn::Join", ["", [resource]])[1]
                suffix = "".join(p for p in parts if isinstance(p, str))
                grants.setdefault(action, set()).add(suffix)
    return grants


def test_photo_uploads_and_reads_are_granted_on_the_photos_prefix_only(synthesized):
    bucket_id, _ = _documents_bucket(synthesized)
    [orders_api] = [s for s in FUNCTIONS if s.name == "OrdersApi"]
    assert set(orders_api.photos) == {DocumentAccess.PUT, DocumentAccess.GET} and not orders_api.documents
    grants = _object_grants(synthesized, orders_api, bucket_id)
    assert grants["s3:PutObject"] == {"/photos/*"}
    assert grants["s3:GetObject"] == {"/photos/*"}
    assert grants["s3:ListBucket"] == {""}  # the bucket itself: a missing photo reads as 404, not 403
    assert set(grants) == {"s3:PutObject", "s3:GetObject", "s3:ListBucket"}  # no delete, no ACLs, no wildcard


def test_no_function_may_write_both_prefixes_or_the_whole_bucket(synthesized):
    bucket_id, _ = _documents_bucket(synthesized)
    for spec in FUNCTIONS:
        grants = _object_grants(synthesized, spec, bucket_id)
        for action, keys in grants.items():
            assert "/*" not in keys, (spec.name, action)
        put = grants.get("s3:PutObject", set())
        assert put == ({"/companies/*"} if DocumentAccess.PUT in spec.documents else set()) | (
            {"/photos/*"} if DocumentAccess.PUT in spec.photos else set()
        ), spec.name
