"""What CloudFormation refuses in a StackSet's own settings, read from AWS's published
models rather than typed by hand: botocore's CloudFormation service model (lengths, ranges,
the number of tags), the AWS::CloudFormation::StackSet registry schema (the tag key
pattern), and botocore's ECS model for the tag value characters. StackSet tags propagate to
every stack and to the resources in it; ECS services and task definitions, which our
templates create, refuse values outside that pattern.
"""

from __future__ import annotations

from functools import cache

from . import schemas


@cache
def _model(service: str):
    """botocore's published model of a service, read from botocore's own data files.

    Not through a botocore session: a session reads the user's AWS config (AWS_PROFILE
    and friends) first, so an unknown profile would be a traceback here, at import time,
    instead of the one-line error cfnops.core.aws gives once a command needs AWS."""
    import botocore.loaders
    import botocore.model

    loader = botocore.loaders.create_loader()
    return botocore.model.ServiceModel(loader.load_service_model(service, "service-2"), service_name=service)


def service_model(service: str):
    """The service model (botocore.model.ServiceModel) of ``service``, read offline."""
    return _model(service)


def shape(name: str, service: str = "cloudformation") -> dict:
    """A shape's constraints (min, max, pattern) in a service model."""
    return dict(_model(service).shape_for(name).metadata)


@cache
def _pattern(text: str):
    import regex  # \p{L} and friends, as AWS writes its patterns

    return regex.compile(text)


def _tag_key_pattern() -> str:
    return schemas.schema("AWS::CloudFormation::StackSet")["definitions"]["Tag"]["properties"]["Key"]["pattern"]


def max_tags() -> int:
    return shape("Tags")["max"]


def _length_problem(text: str, limits: dict) -> str | None:
    if len(text) < limits.get("min", 0):
        return f"at least {limits['min']} character{'s' if limits['min'] != 1 else ''}"
    if "max" in limits and len(text) > limits["max"]:
        return f"at most {limits['max']} characters, got {len(text)}"
    return None


def tag_key_problem(key: str) -> str | None:
    pattern = _tag_key_pattern()
    if not _pattern(pattern).search(key):
        return f"expected a tag key matching {pattern} (no aws: prefix)"
    length = _length_problem(key, shape("TagKey"))
    return f"expected a tag key of {length}" if length else None


def tag_value_problem(value: str) -> str | None:
    length = _length_problem(value, shape("TagValue"))
    if length:
        return f"expected a tag value of {length}"
    pattern = shape("TagValue", "ecs")["pattern"]
    if not _pattern(pattern).search(value):
        return f"expected a tag value of letters, digits, spaces and _ . : / = + - @ only ({pattern})"
    return None


def description_problem(text: str) -> str | None:
    length = _length_problem(text, shape("Description"))
    return f"expected a description of {length}" if length else None


def preference_range(api_name: str) -> tuple[int, int | None]:
    """(min, max) of an OperationPreferences number (FailureToleranceCount, MaxConcurrentPercentage, ...)."""
    limits = shape(api_name)
    return limits.get("min", 0), limits.get("max")
