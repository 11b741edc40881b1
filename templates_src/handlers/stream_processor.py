"""Scores transactions from the Kinesis stream: records a decision (kept DECISION_TTL_DAYS),
emits FraudDetected on the event bus for risky ones, and reports metrics in the
FraudDetection namespace (CloudWatch embedded metric format). A record that fails is
reported back, so Lambda retries (and bisects) only from that record on.

Metrics, per batch: TransactionsProcessed and FraudDetected (Count), RecordsFailed
(Count), ProcessingLatency (Milliseconds: from the record's arrival on the stream to its
decision, one value per transaction) and ConfidenceScore (None, 0 to 1: how sure the
decision is, the risk score for FRAUD and 1 - risk score for APPROVE, one value each)."""

import base64
import json
import os
import time

import boto3

DECISIONS = boto3.resource("dynamodb").Table(os.environ["DECISIONS_TABLE"])
EVENTS = boto3.client("events")
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
    arrived = float(record["kinesis"].get("approximateArrivalTimestamp", time.time()))
    return decision, confidence(decision, risk), max(0, round((time.time() - arrived) * 1000))


def handler(event, context):
    failures, results = [], []
    for record in event["Records"]:
        try:
            results.append(process(record))
        except Exception as error:  # report the record, keep the batch going
            log("ERROR", sequenceNumber=record["kinesis"]["sequenceNumber"], error=str(error))
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
    decisions = [decision for decision, _, _ in results]
    metrics({"TransactionsProcessed": len(results), "FraudDetected": decisions.count("FRAUD"),
             "RecordsFailed": len(failures), "ConfidenceScore": [score for _, score, _ in results],
             "ProcessingLatency": [latency for _, _, latency in results]})
    return {"batchItemFailures": failures}
