"""Tags of emulated resources, read for drift (TAGS: type -> reader), and how CloudFormation
compares them: the Tags property the template sets, key by key. Keys the template does not
set are not compared (the ``aws:`` keys AWS adds, the StackSet's tags CloudFormation
propagates to every resource); a key whose value changed is NOT_EQUAL at its
``/Tags/<index>/Value``, a key that is gone is REMOVE at ``/Tags/<index>``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .readers import Target, _backend, _bucket_of, _group, _queue_named


def _pairs(tags: Any) -> dict[str, str]:
    """{key: value} from any of moto's shapes: a dict, [{Key, Value}], [{key, value}], [{TagKey, TagValue}]."""
    if isinstance(tags, dict):
        return {k: str(v.get("Value") if isinstance(v, dict) else v) for k, v in tags.items()}
    found: dict[str, str] = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key", tag.get("TagKey")))
        found[key] = str(tag.get("Value", tag.get("value", tag.get("TagValue"))))
    return found


def _ec2(target: Target) -> dict[str, str]:
    backend = _backend("ec2", "ec2_backends", target.account, target.region)
    return dict(backend.tags.get(target.physical_id, {}))


def _security_group(target: Target) -> dict[str, str]:
    group = _group(target.account, target.region, target.physical_id)
    return _pairs(group.get_tags()) if group is not None else {}


def _log_group(target: Target) -> dict[str, str]:
    backend = _backend("logs", "logs_backends", target.account, target.region)
    group = backend.groups.get(target.physical_id)
    return dict(backend.list_tags_for_resource(group.arn)) if group is not None else {}


def _table(target: Target) -> dict[str, str]:
    backend = _backend("dynamodb", "dynamodb_backends", target.account, target.region)
    table = backend.tables.get(target.physical_id)
    return _pairs(backend.list_tags_of_resource(table.table_arn)) if table is not None else {}


def _queue(target: Target) -> dict[str, str]:
    queue = _queue_named(target, target.physical_id)
    return _pairs(queue.tags) if queue is not None else {}


def _topic(target: Target) -> dict[str, str]:
    backend = _backend("sns", "sns_backends", target.account, target.region)
    return dict(backend.list_tags_for_resource(target.physical_id)) if target.physical_id in backend.topics else {}


def _key(target: Target) -> dict[str, str]:
    backend = _backend("kms", "kms_backends", target.account, target.region)
    return _pairs(backend.tagger.list_tags_for_resource(target.physical_id).get("Tags", []))


def _role(target: Target) -> dict[str, str]:
    from moto.iam.models import iam_backends

    role = next((r for r in iam_backends[target.account]["aws"].roles.values() if r.name == target.physical_id), None)
    return _pairs(role.tags) if role is not None else {}


def _bucket(target: Target) -> dict[str, str]:
    from moto.s3.models import s3_backends

    bucket = _bucket_of(target, target.physical_id)
    if bucket is None:
        return {}
    return dict(s3_backends[target.account]["aws"].tagger.get_tag_dict_for_resource(bucket.arn))


def _stream(target: Target) -> dict[str, str]:
    stream = _backend("kinesis", "kinesis_backends", target.account, target.region).streams.get(target.physical_id)
    return _pairs(stream.tags) if stream is not None else {}


def _function(target: Target) -> dict[str, str]:
    from moto.awslambda.exceptions import UnknownFunctionException

    storage = _backend("awslambda", "lambda_backends", target.account, target.region)._lambdas
    try:
        return _pairs(storage.get_function_by_name_forbid_qualifier(target.physical_id).tags)
    except UnknownFunctionException:
        return {}


def _db_instance(target: Target) -> dict[str, str]:
    instance = _backend("rds", "rds_backends", target.account, target.region).databases.get(target.physical_id)
    return _pairs(instance.get_tags()) if instance is not None else {}


TAGS: dict[str, Callable[[Target], dict[str, str]]] = {
    "AWS::DynamoDB::Table": _table,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::EC2::Subnet": _ec2,
    "AWS::EC2::VPC": _ec2,
    "AWS::IAM::Role": _role,
    "AWS::KMS::Key": _key,
    "AWS::Kinesis::Stream": _stream,
    "AWS::Lambda::Function": _function,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::RDS::DBInstance": _db_instance,
    "AWS::S3::Bucket": _bucket,
    "AWS::SNS::Topic": _topic,
    "AWS::SQS::Queue": _queue,
}
"""Types whose tags localcloud reads; another type's Tags are not compared offline (docs/localcloud.md)."""


def differences(expected: Any, actual: dict[str, str]) -> list[dict]:
    """CloudFormation's PropertyDifferences of the template's Tags against the resource's."""
    found = []
    for index, tag in enumerate(expected if isinstance(expected, list) else []):
        key, value = tag.get("Key"), tag.get("Value")
        if key not in actual:
            found.append(
                {
                    "PropertyPath": f"/Tags/{index}",
                    "ExpectedValue": _json({"Key": key, "Value": value}),
                    "ActualValue": "null",
                    "DifferenceType": "REMOVE",
                }
            )
        elif str(actual[key]) != str(value):
            found.append(
                {
                    "PropertyPath": f"/Tags/{index}/Value",
                    "ExpectedValue": str(value),
                    "ActualValue": str(actual[key]),
                    "DifferenceType": "NOT_EQUAL",
                }
            )
    return found


def actual_tags(expected: Any, actual: dict[str, str]) -> list[dict]:
    """The resource's tags in the template's order, the template's keys only (ActualProperties)."""
    keys = [t.get("Key") for t in expected] if isinstance(expected, list) else []
    return [{"Key": k, "Value": actual[k]} for k in keys if k in actual]


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
