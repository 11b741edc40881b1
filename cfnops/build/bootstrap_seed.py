"""A bootstrap template over TemplateBody's 51,200 bytes goes in two steps: a first creation
sends only the artifacts bucket and what it needs (its key, its policy, the parameters and
conditions), which fits; the whole template is then written to that bucket and the stack
updated from it by TemplateURL (up to 1 MB,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html),
pinned to the object version just written. The seed's resources keep their logical ids, so
the update only adds the rest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping

from ..awsfacts import cfn_limits

KEY_PREFIX = "bootstrap/"


def _references(value) -> Iterator[str]:
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            yield target[0] if isinstance(target, list) else str(target).split(".")[0]
        if "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            yield from (part.split("}")[0].split(".")[0] for part in text.split("${")[1:])
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _needs(resource: dict) -> set[str]:
    depends = resource.get("DependsOn", [])
    return set(_references(resource.get("Properties") or {})) | set([depends] if isinstance(depends, str) else depends)


def bucket_id(template: Mapping, bucket_name_pattern: str) -> str | None:
    """The logical id of the bucket whose BucketName is the platform's artifacts bucket."""
    wanted = bucket_name_pattern.format(account="${AWS::AccountId}", region="${AWS::Region}")
    for logical_id, resource in (template.get("Resources") or {}).items():
        name = (resource.get("Properties") or {}).get("BucketName")
        if resource.get("Type") == "AWS::S3::Bucket" and isinstance(name, dict) and name.get("Fn::Sub") == wanted:
            return logical_id
    return None


def seed(template: Mapping, bucket: str) -> dict:
    """The bucket, everything it needs, and what is its own (its policy: anything that needs
    the bucket and nothing outside)."""
    resources = template.get("Resources") or {}
    kept: set[str] = set()
    pending = [bucket]
    while pending:
        name = pending.pop()
        if name in resources and name not in kept:
            kept.add(name)
            pending += sorted(_needs(resources[name]))
    for name, resource in resources.items():
        if bucket in _needs(resource) and _needs(resource) <= kept | {
            n for n in _needs(resource) if n not in resources
        }:
            kept.add(name)
    return {
        **{k: v for k, v in template.items() if k not in ("Resources", "Outputs")},
        "Resources": {name: resources[name] for name in resources if name in kept},
    }


def body_or_seed(template_text: str, bucket_name_pattern: str) -> tuple[str, str | None]:
    """(what a first creation sends as TemplateBody, the whole template when that is only a seed)."""
    body = cfn_limits.body_for(template_text)
    if body is not None:
        return body, None
    template = json.loads(template_text)
    bucket = bucket_id(template, bucket_name_pattern)
    if bucket is None:
        return template_text, None  # nothing to stage in: CloudFormation will say what is too long
    return cfn_limits.compact(json.dumps(seed(template, bucket))), cfn_limits.compact(template_text)


def object_key(text: str) -> str:
    return f"{KEY_PREFIX}{hashlib.sha256(text.encode()).hexdigest()}.json"
