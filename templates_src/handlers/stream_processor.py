"""Scores transactions from the Kinesis stream: writes the batch's decisions to the audit-logs
bucket first (one object per batch, locked by the bucket's Object Lock default retention),
then records each decision (kept DECISION_TTL_DAYS) and emits FraudDetected on the event bus
for risky ones, and reports metrics in the FraudDetection namespace (CloudWatch embedded
metric format). A record that fails is reported back, so Lambda retries (and bisects) only
from that record on; when the audit record cannot be written, no decision is acted on and
the whole batch is reported back.

Metrics, per batch: TransactionsProcessed and FraudDetected (Count), RecordsFailed
(Count), ProcessingLatency (Milliseconds: from the record's arrival on the stream to its
decision, one value per transaction) and ConfidenceScore (None, 0 to 1: how sure the
decision is, the risk score for FRAUD and 1 - risk score for APPROVE, one value each)."""

import base64
import json
import os
import time
import uuid

import boto3

DECISIONS = boto3.resource("dynamodb").Table(os.environ["DECISIONS_TABLE"])
EVENTS = boto3.client("events")
S3 = boto3.client("s3")
AUDIT_PREFIX = "decisions/scored/"
RISK_THRESHOLD = float(os.environ.get("RISK_THRESHOLD", "0.8"))
DECISION_TTL_DAYS = int(os.environ.get("DECISION_TTL_DAYS", "365"))
UNITS = {"TransactionsProcessed": "Count", "FraudDetected": "Count", "RecordsFailed": "Count",
         "ProcessingLatency": "Milliseconds", "ConfidenceScore": "None"}


def decide(transaction):
    risk = float(transaction.get("riskScore", 0))
    return ("FRAUD" if risk >= RISK_THRESHOLD else "APPROVE"), risk


def confidence(decision, risk):
    return round(risk if decision == "FRAUD" else 1 - risk, 4)


def log(level, **fields):
    """One JSON line; the log group's metric filters count on level, decision and environment."""
    environment = os.environ.get("ENVIRONMENT", "unknown")
    print(json.dumps({"level": level, "environment": environment, **fields}, sort_keys=True))


def metrics(values):
    """One embedded-metric-format line: CloudWatch turns it into FraudDetection metrics.
    A list is one value per transaction (at most 100, the batch size); an empty one is left out."""
    values = {name: value for name, value in values.items() if value != []}
    print(json.dumps({
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": "FraudDetection", "Dimensions": [["Environment"]],
            "Metrics": [{"Name": name, "Unit": UNITS[name]} for name in values]}]},
        "Environment": os.environ.get("ENVIRONMENT", "unknown"), **values}, sort_keys=True))


def score(record):
    """The record's transaction and its decision, without side effects."""
    transaction = json.loads(base64.b64decode(record["kinesis"]["data"]))
    decision, risk = decide(transaction)
    return {"transactionId": transaction["transactionId"], "decision": decision, "riskScore": risk,
            "sequenceNumber": record["kinesis"]["sequenceNumber"],
            "arrived": float(record["kinesis"].get("approximateArrivalTimestamp", time.time()))}


def write_audit(scored, request_id):
    """The batch's decisions as one object in the audit-logs bucket, locked by its default
    retention. S3 requires a checksum on uploads to a bucket with Object Lock retention
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html)."""
    decided_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    key = f"{AUDIT_PREFIX}{decided_at[:10].replace('-', '/')}/{decided_at}-{uuid.uuid4()}.json"
    record = {"decidedAt": decided_at, "requestId": request_id, "riskThreshold": RISK_THRESHOLD,
              "environment": os.environ.get("ENVIRONMENT", "unknown"),
              "decisions": [{k: v for k, v in s.items() if k != "arrived"} for s in scored]}
    S3.put_object(Bucket=os.environ["AUDIT_BUCKET"], Key=key, Body=json.dumps(record, sort_keys=True).encode(),
                  ContentType="application/json", ChecksumAlgorithm="SHA256")
    return key


def act(scored):
    DECISIONS.put_item(Item={
        "decisionId": scored["transactionId"], "decision": scored["decision"], "riskScore": str(scored["riskScore"]),
        "expiresAt": int(time.time()) + DECISION_TTL_DAYS * 86400})
    if scored["decision"] == "FRAUD":
        EVENTS.put_events(Entries=[{
            "EventBusName": os.environ["EVENT_BUS"], "Source": "fraud.platform", "DetailType": "FraudDetected",
            "Detail": json.dumps({"transactionId": scored["transactionId"], "riskScore": scored["riskScore"]})}])
    log("INFO", transactionId=scored["transactionId"], decision=scored["decision"])
    latency = max(0, round((time.time() - scored["arrived"]) * 1000))
    return scored["decision"], confidence(scored["decision"], scored["riskScore"]), latency


def failed(record, error, failures):
    log("ERROR", sequenceNumber=record["kinesis"]["sequenceNumber"], error=str(error))
    failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})


def handler(event, context):
    failures, scored, results = [], [], []
    for record in event["Records"]:
        try:
            scored.append(score(record))
        except Exception as error:  # report the record, keep the batch going
            failed(record, error, failures)
    try:
        if scored:
            write_audit(scored, getattr(context, "aws_request_id", None))
    except Exception as error:  # no decision is acted on without its audit record: retry them all
        log("ERROR", error=f"audit record not written: {error}")
        failures = [{"itemIdentifier": record["kinesis"]["sequenceNumber"]} for record in event["Records"]]
        scored = []
    records = {record["kinesis"]["sequenceNumber"]: record for record in event["Records"]}
    for decision in scored:
        try:
            results.append(act(decision))
        except Exception as error:
            failed(records[decision["sequenceNumber"]], error, failures)
    decisions = [decision for decision, _, _ in results]
    metrics({"TransactionsProcessed": len(results), "FraudDetected": decisions.count("FRAUD"),
             "RecordsFailed": len(failures), "ConfidenceScore": [value for _, value, _ in results],
             "ProcessingLatency": [latency for _, _, latency in results]})
    return {"batchItemFailures": failures}
