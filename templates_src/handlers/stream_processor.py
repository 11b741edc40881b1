"""Scores transactions from the Kinesis stream: records a decision (kept DECISION_TTL_DAYS),
emits FraudDetected on the event bus for risky ones, and reports metrics in the
FraudDetection namespace (CloudWatch embedded metric format). A record that fails is
reported back, so Lambda retries (and bisects) only from that record on."""

import base64
import json
import os
import time

import boto3

DECISIONS = boto3.resource("dynamodb").Table(os.environ["DECISIONS_TABLE"])
EVENTS = boto3.client("events")
RISK_THRESHOLD = float(os.environ.get("RISK_THRESHOLD", "0.8"))
DECISION_TTL_DAYS = int(os.environ.get("DECISION_TTL_DAYS", "365"))


def decide(transaction):
    risk = float(transaction.get("riskScore", 0))
    return ("FRAUD" if risk >= RISK_THRESHOLD else "APPROVE"), risk


def log(level, **fields):
    """One JSON line; the log group's metric filters count on level, decision and environment."""
    environment = os.environ.get("ENVIRONMENT", "unknown")
    print(json.dumps({"level": level, "environment": environment, **fields}, sort_keys=True))


def metrics(**counts):
    """One embedded-metric-format line: CloudWatch turns it into FraudDetection metrics."""
    print(json.dumps({
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": "FraudDetection", "Dimensions": [["Environment"]],
            "Metrics": [{"Name": name, "Unit": "Count"} for name in counts]}]},
        "Environment": os.environ.get("ENVIRONMENT", "unknown"), **counts}, sort_keys=True))


def process(record):
    transaction = json.loads(base64.b64decode(record["kinesis"]["data"]))
    decision, risk = decide(transaction)
    DECISIONS.put_item(Item={
        "decisionId": transaction["transactionId"], "decision": decision, "riskScore": str(risk),
        "expiresAt": int(time.time()) + DECISION_TTL_DAYS * 86400})
    if decision == "FRAUD":
        EVENTS.put_events(Entries=[{
            "EventBusName": os.environ["EVENT_BUS"], "Source": "fraud.platform", "DetailType": "FraudDetected",
            "Detail": json.dumps({"transactionId": transaction["transactionId"], "riskScore": risk})}])
    log("INFO", transactionId=transaction["transactionId"], decision=decision)
    return decision


def handler(event, context):
    failures, decisions = [], []
    for record in event["Records"]:
        try:
            decisions.append(process(record))
        except Exception as error:  # report the record, keep the batch going
            log("ERROR", sequenceNumber=record["kinesis"]["sequenceNumber"], error=str(error))
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
    metrics(TransactionsProcessed=len(decisions), FraudDetected=decisions.count("FRAUD"), RecordsFailed=len(failures))
    return {"batchItemFailures": failures}
