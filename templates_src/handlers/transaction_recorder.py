"""Consumes the events stream (EventBridge puts TransactionReceived and FraudDetected on it)
and keeps each transaction's history in the transactions table: one item per event, keyed
by the transaction and ``createdAt`` (the event's time and id, so two events of one second
stay apart and sort by time), kept TRANSACTION_TTL_DAYS. A TransactionReceived with a
userId also updates that user's behaviour profile (count, total amount, last seen).
A record that fails is reported back, so Lambda retries only from that record on."""

import base64
import json
import os
import time
from decimal import Decimal

import boto3

DYNAMODB = boto3.resource("dynamodb")
TRANSACTIONS = DYNAMODB.Table(os.environ["TRANSACTIONS_TABLE"])
PROFILES = DYNAMODB.Table(os.environ["USER_PROFILES_TABLE"])
TRANSACTION_TTL_DAYS = int(os.environ.get("TRANSACTION_TTL_DAYS", "365"))


def log(level, **fields):
    print(json.dumps({"level": level, "environment": os.environ.get("ENVIRONMENT", "unknown"), **fields}, sort_keys=True))


def record_event(event):
    detail = event["detail"]
    item = {**detail, "transactionId": detail["transactionId"], "createdAt": f"{event['time']}#{event['id']}",
            "eventType": event["detail-type"], "expiresAt": int(time.time()) + TRANSACTION_TTL_DAYS * 86400}
    TRANSACTIONS.put_item(Item=item)
    if event["detail-type"] == "TransactionReceived" and detail.get("userId"):
        PROFILES.update_item(
            Key={"userId": detail["userId"]},
            UpdateExpression="ADD transactionCount :one, totalAmount :amount SET lastTransactionAt = :at, "
                             "lastTransactionId = :id",
            ExpressionAttributeValues={":one": 1, ":amount": Decimal(str(detail.get("amount", 0))),
                                       ":at": event["time"], ":id": detail["transactionId"]})
    return item["transactionId"]


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            routed = json.loads(base64.b64decode(record["kinesis"]["data"]), parse_float=Decimal)
            log("INFO", recorded=record_event(routed), eventType=routed["detail-type"])
        except Exception as error:  # report the record, keep the batch going
            log("ERROR", sequenceNumber=record["kinesis"]["sequenceNumber"], error=str(error))
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
    return {"batchItemFailures": failures}
