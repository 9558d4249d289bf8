"""Issue 7 on the synthesized template: the deadline-warning job's schedule and least privilege, and the webhook
queue's rule taking the company's supervision events."""

from __future__ import annotations

import json

import pytest

from deploy.catalog import FUNCTIONS, Trigger, by_trigger, queue
from shared.events import COMPANY_EVENTS, EventType

DEADLINE_JOB = next(f for f in FUNCTIONS if f.name == "DeadlineWarnings")
REALERT_JOB = next(f for f in FUNCTIONS if f.name == "EscalationRealerts")
TABLE_READS = {
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:Query",
    "dynamodb:Scan",
}


def _actions(statement: dict) -> set[str]:
    return {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])


@pytest.mark.parametrize("job", [DEADLINE_JOB, REALERT_JOB], ids=lambda j: j.name)
def test_the_five_minute_jobs_run_every_five_minutes_and_a_late_run_is_dropped(synthesized, job):
    function_id = synthesized.function_ids_by_handler()[job.handler]
    assert job in by_trigger(Trigger.SCHEDULE)
    [(rule_id, rule)] = [
        (lid, r)
        for lid, r in synthesized.of_type("AWS::Events::Rule").items()
        if r["Properties"].get("ScheduleExpression") == "rate(5 minutes)"
        and r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert rule["Properties"]["State"] == "ENABLED" and "EventBusName" not in rule["Properties"], "the default bus"
    [target] = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 300}, "not after the next run"
    [permission] = [
        p["Properties"]
        for p in synthesized.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": [rule_id, "Arn"]}, "only its own rule may invoke it"


def test_the_deadline_job_may_read_the_table_update_waits_and_publish_events_nothing_else(synthesized):
    function_id = synthesized.function_ids_by_handler()[DEADLINE_JOB.handler]
    role = synthesized.resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = synthesized.policy_statements_of_role(role)
    actions = set().union(*(_actions(s) for s in statements))
    (table_id,) = synthesized.of_type("AWS::DynamoDB::Table")
    (bus_id,) = synthesized.of_type("AWS::Events::EventBus")
    # Reads and UpdateItem (claiming a warning) on the table only: no puts, no deletes, no other table
    assert {a for a in actions if a.startswith("dynamodb:")} == TABLE_READS | {"dynamodb:UpdateItem"}
    for statement in statements:
        if _actions(statement) & (TABLE_READS | {"dynamodb:UpdateItem"}):
            assert table_id in json.dumps(statement["Resource"])
    # PutEvents on the platform's bus; no workflow, queue, SMS or Lambda access
    [put] = [s for s in statements if "events:PutEvents" in _actions(s)]
    assert put["Resource"] == {"Fn::GetAtt": [bus_id, "Arn"]}
    assert not {a for a in actions if a.split(":")[0] in ("states", "sqs", "sns", "lambda", "s3")}
    env = synthesized.resources[function_id]["Properties"]["Environment"]["Variables"]
    assert "LINLI_STATE_MACHINE_ARN" not in env and "LINLI_EVENT_BUS_NAME" in env


def test_the_webhook_queue_takes_deadline_warnings_and_the_companys_supervision_events(synthesized):
    pattern = queue("webhooks").rule_pattern()
    rules = [r["Properties"] for r in synthesized.of_type("AWS::Events::Rule").values() if "EventPattern" in r["Properties"]]
    assert pattern in [r["EventPattern"] for r in rules]
    wanted = {
        EventType.ORDER_DEADLINE_APPROACHING,
        EventType.CREDIT_CHANGED,
        EventType.COMPANY_ADMISSION_DECIDED,
        EventType.TECHNICIAN_ADMISSION_DECIDED,
        EventType.CERTIFICATE_EXPIRING,
        EventType.CERTIFICATE_EXPIRED,
        EventType.CREDIT_SUSPENDED,
    }
    assert wanted <= COMPANY_EVENTS and {e.value for e in wanted} <= set(pattern["detail-type"])
    assert pattern["detail"] == {"company_id": [{"exists": True}]}, "only events that name a company"
