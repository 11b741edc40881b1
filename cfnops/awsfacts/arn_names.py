"""Which property names a resource in its ARN: the resource types of IAM's catalogue
(service, type) whose ARN format ends in the name a template gives, and the property that
gives it (the CloudFormation resource reference's return values name the same ARNs:
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html).
localcloud checks a StackSet's execution role on these ARNs, as IAM does."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from . import iam_catalog
from .partitions import partition

# CloudFormation type -> (IAM service, IAM resource type, the property that names it)
NAMED_BY: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "AWS::CloudWatch::Alarm": ("cloudwatch", "alarm", "AlarmName"),
        "AWS::CloudWatch::Dashboard": ("cloudwatch", "dashboard", "DashboardName"),
        "AWS::DynamoDB::GlobalTable": ("dynamodb", "table", "TableName"),
        "AWS::DynamoDB::Table": ("dynamodb", "table", "TableName"),
        "AWS::Events::EventBus": ("events", "event-bus", "Name"),
        "AWS::Kinesis::Stream": ("kinesis", "stream", "Name"),
        "AWS::Lambda::Function": ("lambda", "function", "FunctionName"),
        "AWS::Logs::LogGroup": ("logs", "log-group", "LogGroupName"),
        "AWS::S3::Bucket": ("s3", "bucket", "BucketName"),
        "AWS::SNS::Topic": ("sns", "topic", "TopicName"),
        "AWS::SQS::Queue": ("sqs", "queue", "QueueName"),
        # Secrets Manager appends "-" and six random characters to the name in the ARN
        "AWS::SecretsManager::Secret": ("secretsmanager", "secret", "Name"),
    }
)
_OWN_PART = re.compile(r"\$\{([A-Za-z]+)\}")
SECRET_SUFFIX = "-AbCdEf"  # the shape of Secrets Manager's suffix, for an ARN before creation


def arn_format(service: str, kind: str) -> str | None:
    return iam_catalog.resource_type(service, kind)


def arn(resource_type: str, name: str, account: str, region: str) -> str | None:
    """The ARN IAM authorises a request on the named resource with, or None for a type not here."""
    if resource_type not in NAMED_BY:
        return None
    service, kind, _ = NAMED_BY[resource_type]
    pattern = arn_format(service, kind)
    if pattern is None:
        return None
    values = {"Partition": partition(region), "Region": region, "Account": account}
    if service == "secretsmanager":
        name += SECRET_SUFFIX
    return _OWN_PART.sub(lambda match: values.get(match.group(1), name), pattern)


def takes(action: str, resource_type: str) -> bool:
    """Does the action act on this CloudFormation type's IAM resource type?"""
    service, kind, _ = NAMED_BY[resource_type]
    pattern = arn_format(service, kind)
    return iam_catalog.split(action)[0] == service and pattern in iam_catalog.resource_arns(action)
