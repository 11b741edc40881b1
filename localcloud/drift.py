"""CloudFormation drift detection for localcloud, which moto does not have.

Expected properties are the deployed template's, with intrinsic functions resolved by
moto against the stack as created; actual properties are read from the emulated
resource by a reader per type (READERS). A property is compared when the template sets
it and the reader can read it; differences carry CloudFormation's PropertyPath,
ExpectedValue, ActualValue and DifferenceType (ADD, REMOVE, NOT_EQUAL). A resource whose
reader cannot find it is DELETED; a type without a reader is NOT_CHECKED, and its record
says why (``not_read``): the gap is localcloud's, never CloudFormation's. The API this
boto3 speaks has no field for that reason, so the README lists the types read.

APIs: DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts,
DetectStackResourceDrift, DetectStackSetDrift (an operation like any other) and
ListStackInstanceResourceDrifts; the StackSet engine shows drift on its instances.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing

from .readers import DEFAULTS, PROJECTIONS, READERS, Missing, Target, Unreadable, expected_group_rules
from .responses import ApiError, paged

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


def not_read(resource_type: str) -> str:
    return (
        f"localcloud does not read {resource_type} resources, so it cannot check them for drift "
        "(on AWS, CloudFormation checks every type that supports drift detection)"
    )


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
        if not stackset and self.status != "NOT_CHECKED":
            drift["ExpectedProperties"] = json.dumps(self.expected, sort_keys=True, default=str)
            drift["ActualProperties"] = json.dumps(self.actual, sort_keys=True, default=str)
        return drift


def detect_resource(stack, logical_id: str) -> StackResourceDrift:
    resource_map = stack.resource_map
    resource_json = resource_map._resource_json_map[logical_id]
    resource = resource_map._parsed_resources.get(logical_id)
    physical_id = getattr(resource, "physical_resource_id", "") or ""
    kind = resource_json["Type"]
    expected = parsing.clean_json(resource_json.get("Properties", {}), resource_map)
    now = datetime.now(UTC)
    reader = READERS.get(kind)
    if reader is None:
        return StackResourceDrift(logical_id, physical_id, kind, "NOT_CHECKED", expected, {}, [], now, not_read(kind))
    if type(resource).__name__ == "Placeholder":
        return StackResourceDrift(
            logical_id,
            physical_id,
            kind,
            "NOT_CHECKED",
            expected,
            {},
            [],
            now,
            f"localcloud cannot read it: it is a placeholder (moto does not model this {kind}), which holds "
            "only its properties (on AWS, CloudFormation checks it)",
        )
    target = Target(stack.account_id, stack.region_name, physical_id, expected, stack)
    try:
        actual = reader(target)
    except Missing:
        return StackResourceDrift(logical_id, physical_id, kind, "DELETED", expected, {}, [], now)
    except Unreadable as error:
        return StackResourceDrift(
            logical_id, physical_id, kind, "NOT_CHECKED", expected, {}, [], now, f"localcloud cannot read it: {error}"
        )
    if kind == "AWS::EC2::SecurityGroup":
        expected = {**expected, **expected_group_rules(target)}
    expected = {**{name: value for (of, name), value in DEFAULTS.items() if of == kind}, **expected}
    expected = {name: PROJECTIONS.get((kind, name), lambda value: value)(value) for name, value in expected.items()}
    found = differences(expected, actual)
    return StackResourceDrift(
        logical_id, physical_id, kind, "MODIFIED" if found else "IN_SYNC", expected, actual, found, now
    )


def detect_stack(stack) -> list[StackResourceDrift]:
    """Every resource the stack created (conditional ones that were not created are skipped)."""
    created = [
        key
        for key, resource in stack.resource_map._parsed_resources.items()
        if key in stack.resource_map._resource_json_map and resource is not None and not isinstance(resource, str)
    ]
    drifts = [detect_resource(stack, logical_id) for logical_id in sorted(created)]
    stack.__dict__["localcloud_drifts"] = drifts  # DescribeStackResourceDrifts answers the latest detection, as on AWS
    return drifts


def stack_status(drifts: list[StackResourceDrift]) -> str:
    return "DRIFTED" if any(d.status in ("MODIFIED", "DELETED") for d in drifts) else "IN_SYNC"


# --- plain-stack APIs -------------------------------------------------------------------


def _stack(response, name: str):
    return cfn_models.cloudformation_backends[response.current_account][response.region].get_stack(name)


def _detections(response) -> dict:
    backend = cfn_models.cloudformation_backends[response.current_account][response.region]
    return backend.__dict__.setdefault("localcloud_drift_detections", {})


def detect_stack_drift(self):
    from moto.core.responses import ActionResult

    stack = _stack(self, self._get_param("StackName"))
    drifts = detect_stack(stack)
    detection_id = str(uuid.uuid4())
    stack.__dict__["localcloud_drifts"] = drifts
    _detections(self)[detection_id] = (stack, drifts, datetime.now(UTC))
    return ActionResult({"StackDriftDetectionId": detection_id})


def describe_stack_drift_detection_status(self):
    from moto.core.responses import ActionResult

    detection = _detections(self).get(self._get_param("StackDriftDetectionId"))
    if detection is None:
        raise ApiError("ValidationError", "StackDriftDetectionId not found")
    stack, drifts, when = detection
    return ActionResult(
        {
            "StackId": stack.stack_id,
            "StackDriftDetectionId": self._get_param("StackDriftDetectionId"),
            "StackDriftStatus": stack_status(drifts),
            "DetectionStatus": "DETECTION_COMPLETE",
            "DriftedStackResourceCount": sum(d.status in ("MODIFIED", "DELETED") for d in drifts),
            "Timestamp": when,
        }
    )


def describe_stack_resource_drifts(self):
    stack = _stack(self, self._get_param("StackName"))
    statuses = self._get_param("StackResourceDriftStatusFilters") or []
    drifts = [
        d.to_api(stack.stack_id)
        for d in stack.__dict__.get("localcloud_drifts", [])
        if not statuses or d.status in statuses
    ]
    return paged(self, drifts, "StackResourceDrifts")


def detect_stack_resource_drift(self):
    from moto.core.responses import ActionResult

    stack = _stack(self, self._get_param("StackName"))
    return ActionResult(
        {"StackResourceDrift": detect_resource(stack, self._get_param("LogicalResourceId")).to_api(stack.stack_id)}
    )


HANDLERS = {
    "detect_stack_drift": detect_stack_drift,
    "describe_stack_drift_detection_status": describe_stack_drift_detection_status,
    "describe_stack_resource_drifts": describe_stack_resource_drifts,
    "detect_stack_resource_drift": detect_stack_resource_drift,
}
