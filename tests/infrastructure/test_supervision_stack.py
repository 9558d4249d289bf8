"""Issue 5 on the synthesized template: the documents bucket, its grants, the daily schedule, the new queue."""

from __future__ import annotations

import json

from deploy.catalog import FUNCTIONS, DocumentAccess, Trigger, by_trigger


def _documents_bucket(synthesized) -> tuple[str, dict]:
    buckets = synthesized.of_type("AWS::S3::Bucket")
    [(lid, bucket)] = [(lid, b) for lid, b in buckets.items() if lid.startswith("DocumentsBucket")]
    return lid, bucket["Properties"]


def test_the_documents_bucket_is_private_encrypted_versioned_and_logged(synthesized):
    lid, props = _documents_bucket(synthesized)
    assert (
        props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
        == "AES256"
    )
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    policies = [p for p in synthesized.of_type("AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": lid}]
    statements = policies[0]["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements)


def test_only_the_catalogued_functions_may_put_or_get_documents(synthesized):
    lid, _ = _documents_bucket(synthesized)
    ids = synthesized.function_ids_by_handler()
    for spec in FUNCTIONS:
        role = synthesized.resources[ids[spec.handler]]["Properties"]["Role"]["Fn::GetAtt"][0]
        statements = synthesized.policy_statements_of_role(role)
        on_bucket = [s for s in statements if lid in json.dumps(s.get("Resource"))]
        actions = {a for s in on_bucket for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
        expected = set()
        if DocumentAccess.PUT in spec.documents + spec.photos:
            expected.add("s3:PutObject")
        if DocumentAccess.GET in spec.documents + spec.photos:
            expected |= {"s3:GetObject", "s3:ListBucket"}
        assert actions == expected, spec.name
        env = synthesized.resources[ids[spec.handler]]["Properties"]["Environment"]["Variables"]
        assert ("LINLI_DOCUMENTS_BUCKET" in env) == bool(spec.documents or spec.photos), spec.name


def test_each_scheduled_function_has_its_rule(synthesized):
    ids = synthesized.function_ids_by_handler()
    rules = synthesized.of_type("AWS::Events::Rule")
    for spec in by_trigger(Trigger.SCHEDULE):
        target_arn = {"Fn::GetAtt": [ids[spec.handler], "Arn"]}
        [rule] = [
            r
            for r in rules.values()
            if r["Properties"].get("ScheduleExpression") == spec.schedule
            and any(t["Arn"] == target_arn for t in r["Properties"]["Targets"])
        ]
        [target] = rule["Properties"]["Targets"]
        assert target["Arn"] == target_arn
        assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    assert by_trigger(Trigger.SCHEDULE), "the certificate-expiry job is scheduled"
