"""Every decision of the stream processor is written to the audit-logs bucket (Object Lock,
compliance mode) before it is acted on: the record exists and is locked; without it no
decision is recorded and the whole batch goes back to Kinesis. And the template wires it:
the processor may only put objects under its prefix of that bucket."""

from __future__ import annotations

import base64
import datetime
import importlib
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.conftest import props
from tests.support.handlers import audit_records, create_audit_bucket, create_table, set_environment

RETENTION_DAYS = 30


def record(sequence: str, payload) -> dict:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return {"kinesis": {"sequenceNumber": sequence, "data": base64.b64encode(data).decode()}}


@pytest.fixture
def processor(monkeypatch):
    set_environment(
        monkeypatch,
        {
            "DECISIONS_TABLE": "decisions",
            "EVENT_BUS": "bus",
            "RISK_THRESHOLD": "0.8",
            "ENVIRONMENT": "staging",
            "AUDIT_BUCKET": "audit",
        },
    )
    with mock_aws():
        create_table("decisions", "decisionId")
        create_audit_bucket("audit", RETENTION_DAYS)
        boto3.client("events").create_event_bus(Name="bus")
        import templates_src.handlers.stream_processor as module

        yield importlib.reload(module)


def decisions() -> dict[str, str]:
    items = boto3.client("dynamodb").scan(TableName="decisions")["Items"]
    return {i["decisionId"]["S"]: i["decision"]["S"] for i in items}


class Context:
    aws_request_id = "request-1"


def test_the_batchs_decisions_are_in_one_locked_audit_record(processor):
    batch = [record("1", {"transactionId": "t-1", "riskScore": 0.95}), record("2", {"transactionId": "t-2"})]
    assert processor.handler({"Records": batch}, Context()) == {"batchItemFailures": []}
    [(key, audit)] = audit_records("audit").items()
    assert key.startswith("decisions/scored/")
    assert [(d["transactionId"], d["decision"], d["sequenceNumber"]) for d in audit["body"]["decisions"]] == [
        ("t-1", "FRAUD", "1"),
        ("t-2", "APPROVE", "2"),
    ]
    assert (audit["body"]["requestId"], audit["body"]["riskThreshold"]) == ("request-1", 0.8)
    head = audit["head"]
    assert head["ObjectLockMode"] == "COMPLIANCE"
    until = head["ObjectLockRetainUntilDate"] - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(days=RETENTION_DAYS - 1) < until <= datetime.timedelta(days=RETENTION_DAYS)
    with pytest.raises(ClientError) as refused:
        boto3.client("s3").delete_object(Bucket="audit", Key=key, VersionId=head["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert decisions() == {"t-1": "FRAUD", "t-2": "APPROVE"}


def test_a_record_that_cannot_be_read_is_not_audited_and_goes_back_alone(processor):
    batch = [record("1", b"not json"), record("2", {"transactionId": "t-2", "riskScore": 0.1})]
    assert processor.handler({"Records": batch}, Context()) == {"batchItemFailures": [{"itemIdentifier": "1"}]}
    [audit] = audit_records("audit").values()
    assert [d["transactionId"] for d in audit["body"]["decisions"]] == ["t-2"]


def test_without_the_audit_record_no_decision_is_acted_on_and_the_batch_goes_back(processor, monkeypatch, capsys):
    monkeypatch.setenv("AUDIT_BUCKET", "no-such-audit-bucket")
    batch = [record("1", {"transactionId": "t-1", "riskScore": 0.95}), record("2", {"transactionId": "t-2"})]
    assert processor.handler({"Records": batch}, Context()) == {
        "batchItemFailures": [{"itemIdentifier": "1"}, {"itemIdentifier": "2"}]
    }
    assert decisions() == {} and audit_records("audit") == {}
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(line.get("level") == "ERROR" and "audit record not written" in line["error"] for line in lines)
    assert (lines[-1]["TransactionsProcessed"], lines[-1]["RecordsFailed"]) == (0, 2)


def test_the_processor_may_put_audit_records_under_its_prefix_only(templates):
    agent = templates["fraud-agent"]
    [policy] = props(agent, "ProcessorRole")["Policies"]
    audit = [s for s in policy["PolicyDocument"]["Statement"] if "AuditLogsBucket" in json.dumps(s["Resource"])]
    assert audit == [
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": [
                {"Fn::Sub": ["${Arn}/decisions/scored/*", {"Arn": {"Fn::GetAtt": ["AuditLogsBucket", "Arn"]}}]}
            ],
        }
    ]
    environment = props(agent, "ProcessorFunction")["Environment"]["Variables"]
    assert environment["AUDIT_BUCKET"] == {"Ref": "AuditLogsBucket"}
