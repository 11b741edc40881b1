"""What a drift detection finds, as CloudFormation records it: one StackResourceDrift per
resource, the property differences between the template's values and the resource's
(PropertyPath, ExpectedValue, ActualValue, DifferenceType), and the stack's status."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cfnops.awsfacts import statuses

SETS = ("SecurityGroupIngress", "SecurityGroupEgress")  # compared as sets: one ADD or REMOVE per rule


def _normal(value: Any) -> Any:
    """String booleans ("true", "False", ...) as booleans, at any depth: CloudFormation
    compares a template's "false" and a service's false as the same value."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return value


def _text(value: Any) -> str:
    """Values as CloudFormation shows them: scalars plain, structures as JSON."""
    value = _normal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _set_differences(where: str, expected: list, actual: list) -> list[dict]:
    expected_texts, actual_texts = [_text(e) for e in expected], [_text(a) for a in actual]
    found = [
        {"PropertyPath": f"{where}/{index}", "ExpectedValue": "null", "ActualValue": text, "DifferenceType": "ADD"}
        for index, text in enumerate(actual_texts)
        if text not in expected_texts
    ]
    return found + [
        {"PropertyPath": f"{where}/{index}", "ExpectedValue": text, "ActualValue": "null", "DifferenceType": "REMOVE"}
        for index, text in enumerate(expected_texts)
        if text not in actual_texts
    ]


def differences(expected: dict, actual: dict, path: str = "") -> list[dict]:
    """Property differences for what the template sets and the reader reads. A policy
    document (a mapping with Statement) is compared whole, as its JSON."""
    found = []
    for name, actual_value in actual.items():
        if name not in expected:
            continue
        expected_value, where = expected[name], f"{path}/{name}"
        if not path and name in SETS and isinstance(expected_value, list) and isinstance(actual_value, list):
            found += _set_differences(where, expected_value, actual_value)
        elif isinstance(actual_value, dict) and isinstance(expected_value, dict) and "Statement" not in expected_value:
            found += differences(expected_value, actual_value, where)
        elif actual_value is None:
            found.append(
                {
                    "PropertyPath": where,
                    "ExpectedValue": _text(expected_value),
                    "ActualValue": "null",
                    "DifferenceType": "REMOVE",
                }
            )
        elif _text(expected_value) != _text(actual_value):
            found.append(
                {
                    "PropertyPath": where,
                    "ExpectedValue": _text(expected_value),
                    "ActualValue": _text(actual_value),
                    "DifferenceType": "NOT_EQUAL",
                }
            )
    return found


@dataclass
class StackResourceDrift:
    """One resource's result of a detection, as CloudFormation's StackResourceDrift record
    (the tool's own, read back from the API, is cfnops.drift.detect.ResourceDrift)."""

    logical_id: str
    physical_id: str
    resource_type: str
    status: str  # IN_SYNC | MODIFIED | DELETED | NOT_CHECKED
    expected: dict
    actual: dict
    differences: list[dict]
    timestamp: datetime
    reason: str = ""

    def to_api(self, stack_id: str, stackset: bool = False) -> dict:
        drift = {
            "StackId": stack_id,
            "LogicalResourceId": self.logical_id,
            "PhysicalResourceId": self.physical_id,
            "ResourceType": self.resource_type,
            "StackResourceDriftStatus": self.status,
            "PropertyDifferences": self.differences,
            "Timestamp": self.timestamp,
        }
        if not stackset:  # typed both sides: a template's "true" is the boolean true, as AWS shows it
            drift["ExpectedProperties"] = json.dumps(_normal(self.expected), sort_keys=True, default=str)
            if self.status != statuses.ResourceDrift.DELETED:
                drift["ActualProperties"] = json.dumps(_normal(self.actual), sort_keys=True, default=str)
        return drift


@dataclass
class StackDrifts:
    """A stack's latest detection: its records (DescribeStackResourceDrifts) and each
    resource's DriftInformation (ListStackResources)."""

    records: list[StackResourceDrift] = field(default_factory=list)
    resources: dict[str, dict] = field(default_factory=dict)


def stack_status(drifts: list[StackResourceDrift]) -> str:
    return (
        statuses.Drift.DRIFTED if any(d.status in statuses.DRIFTED_RESOURCE for d in drifts) else statuses.Drift.IN_SYNC
    )


def checked_records(drifts: list[StackResourceDrift], wanted: list[str]) -> list[StackResourceDrift]:
    """What the drift APIs return: never NOT_CHECKED ("CloudFormation doesn't currently
    return this value"), filtered by the statuses asked for (``wanted``)."""
    return [d for d in drifts if d.status != statuses.ResourceDrift.NOT_CHECKED and (not wanted or d.status in wanted)]
