"""Turns a FraudDetected event into a notification on the alert topic."""

import json
import os

import boto3

SNS = boto3.client("sns")


def handler(event, context):
    detail = event["detail"]
    SNS.publish(
        TopicArn=os.environ["ALERT_TOPIC_ARN"],
        Subject=f"Fraud detected: transaction {detail['transactionId']}",
        Message=json.dumps({"transactionId": detail["transactionId"], "riskScore": detail.get("riskScore"),
                            "environment": os.environ.get("ENVIRONMENT", "unknown")}, sort_keys=True),
    )
    print(json.dumps({"level": "INFO", "alerted": detail["transactionId"]}))
    return {"alerted": detail["transactionId"]}
