"""The history archive on the synthesized template (both targets): its own bucket and KMS key, and each function's
access exactly as the catalogue declares it, on `histories/*` only."""

from __future__ import annotations

import json

from deploy.catalog import FUNCTIONS, DocumentAccess, queue
from tests.infrastructure.test_photos_stack import _object_grants


def _archive_bucket(synthesized) -> tuple[str, dict]:
    buckets = synthesized.of_type("AWS::S3::Bucket")
    [(lid, bucket)] = [(lid, b) for lid, b in buckets.items() if lid.startswith("HistoryArchiveBucket")]
    return lid, bucket["Properties"]


def _archive_key(synthesized) -> tuple[str, dict]:
    keys = synthesized.of_type("AWS::KMS::Key")
    [(lid, key)] = [(lid, k) for lid, k in keys.items() if lid.startswith("HistoryArchiveKey")]
    return lid, key


def test_the_archive_bucket_is_private_versioned_logged_and_encrypted_with_its_own_rotated_key(synthesized):
    _, props = _archive_bucket(synthesized)
    key_id, key = _archive_key(synthesized)
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert rule["BucketKeyEnabled"] is True
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain" and key["Properties"].get("PendingWindowInDays") is None
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "histories/"
    # Records that must last: current objects never expire nor change class; only overwritten versions go.
    for lifecycle in props["LifecycleConfiguration"]["Rules"]:
        assert "ExpirationInDays" not in lifecycle and "Transitions" not in lifecycle
    assert synthesized.resources[_archive_bucket(synthesized)[0]]["DeletionPolicy"] == "Retain"


def test_the_archive_bucket_refuses_plain_http(synthesized):
    bucket_id, _ = _archive_bucket(synthesized)
    [policy] = [
        p["Properties"]
        for p in synthesized.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    denials = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denials)


def test_each_function_reads_or_writes_archives_exactly_as_the_catalogue_declares(synthesized):
    bucket_id, _ = _archive_bucket(synthesized)
    key_id, _ = _archive_key(synthesized)
    ids = synthesized.function_ids_by_handler()
    writers = [s.name for s in FUNCTIONS if DocumentAccess.PUT in s.histories]
    readers = [s.name for s in FUNCTIONS if DocumentAccess.GET in s.histories]
    assert writers == ["HistoryArchive"] and readers == ["OrdersApi"]
    for spec in FUNCTIONS:
        grants = _object_grants(synthesized, spec, bucket_id)
        expected = {"s3:PutObject": {"/histories/*"}} if DocumentAccess.PUT in spec.histories else {}
        expected |= {"s3:GetObject": {"/histories/*"}} if DocumentAccess.GET in spec.histories else {}
        assert grants == expected, spec.name  # no ListBucket, no delete, nothing beyond the prefix
        role = synthesized.resources[ids[spec.handler]]["Properties"]["Role"]["Fn::GetAtt"][0]
        on_key = {
            action
            for statement in synthesized.policy_statements_of_role(role)
            if json.dumps(statement.get("Resource")) == json.dumps({"Fn::GetAtt": [key_id, "Arn"]})
            for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
        }
        assert on_key == ({"kms:GenerateDataKey"} if spec.name in writers else set()) | (
            {"kms:Decrypt"} if spec.name in readers else set()
        ), spec.name
        env = synthesized.resources[ids[spec.handler]]["Properties"]["Environment"]["Variables"]
        assert ("LINLI_HISTORY_ARCHIVE_BUCKET" in env) == bool(spec.histories), spec.name


def test_the_archiver_consumes_the_ended_orders_queue_and_reads_only_execution_histories(synthesized):
    assert set(queue("history-archive").event_types) == {"order.cancelled", "order.closed"}
    assert queue("history-archive").dead_letter == "history-archive-dlq"
    ids = synthesized.function_ids_by_handler()
    [archiver] = [s for s in FUNCTIONS if s.name == "HistoryArchive"]
    role = synthesized.resources[ids[archiver.handler]]["Properties"]["Role"]["Fn::GetAtt"][0]
    states = [s for s in synthesized.policy_statements_of_role(role) if "states:" in json.dumps(s["Action"])]
    assert [s["Action"] for s in states] == ["states:GetExecutionHistory"]
    assert ":execution:" in json.dumps(states[0]["Resource"])


def test_the_china_target_has_the_same_archive(synthesized_china):
    _, props = _archive_bucket(synthesized_china)
    key_id, _ = _archive_key(synthesized_china)
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": [key_id, "Arn"]}
