"""CloudFormation drift detection for localcloud, which moto does not have.

Which types are checked is CloudFormation's rule (drift_coverage.py: a registry read
handler, minus AWS's exclusions); localcloud reads each through a reader (READERS), or
lists it in drift_coverage.CANNOT_READ with why. Expected properties are the deployed
template's, intrinsics resolved by moto; only the properties the template sets are
compared, as AWS documents, tags key by key (tags.py); a security group's rules only as
far as the group itself declares them inline (a separate rule resource is its own
resource) and not when the template's list is empty (as AWS: coverage-roadmap#2091).
Differences carry CloudFormation's PropertyPath, ExpectedValue, ActualValue and
DifferenceType (ADD, REMOVE, NOT_EQUAL). A resource whose reader finds it gone is DELETED;
any other error of a reader fails the detection with that error, it is never drift.
The drift APIs never return NOT_CHECKED records ("CloudFormation doesn't currently return
this value"); ListStackResources carries each resource's DriftInformation, DescribeStacks
the stack's.

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
from moto.cloudformation.responses import CloudFormationResponse

from . import more_readers, tags
from .drift_coverage import not_checked_reason
from .readers import PROJECTIONS as BASE_PROJECTIONS
from .readers import READERS as BASE_READERS
from .readers import Missing, Target, Unreadable
from .responses import ApiError, paged

READERS = {**BASE_READERS, **more_readers.READERS}
PROJECTIONS = {**BASE_PROJECTIONS, **more_readers.PROJECTIONS}

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
            if self.status != "DELETED":
                drift["ActualProperties"] = json.dumps(_normal(self.actual), sort_keys=True, default=str)
        return drift


class ReadError(Exception):
    """A reader failed for another reason than the resource being gone: the detection fails."""


def _declared(kind: str, expected: dict) -> dict:
    """The properties CloudFormation compares: those the template sets, a security group's
    rule lists only when not empty (AWS reports an empty list IN_SYNC whatever the group has)."""
    if kind == "AWS::EC2::SecurityGroup":
        return {k: v for k, v in expected.items() if k not in SETS or v}
    return expected


def _read(reader, target: Target, logical_id: str, kind: str) -> Any:
    try:
        return reader(target)
    except (Missing, Unreadable):
        raise
    except Exception as error:  # any emulator error but "not found" fails the detection, named
        raise ReadError(f"localcloud could not read {logical_id} ({kind}): {type(error).__name__}: {error}") from error


def detect_resource(stack, logical_id: str) -> StackResourceDrift:
    resource_map = stack.resource_map
    resource_json = resource_map._resource_json_map[logical_id]
    resource = resource_map._parsed_resources.get(logical_id)
    physical_id = getattr(resource, "physical_resource_id", "") or ""
    kind = resource_json["Type"]
    expected = parsing.clean_json(resource_json.get("Properties", {}), resource_map)
    now = datetime.now(UTC)
    reader = READERS.get(kind)
    reason = not_checked_reason(kind, reader is not None, placeholder=type(resource).__name__ == "Placeholder")
    if reason:
        return StackResourceDrift(logical_id, physical_id, kind, "NOT_CHECKED", expected, {}, [], now, reason)
    target = Target(stack.account_id, stack.region_name, physical_id, expected, stack)
    try:
        actual = _read(reader, target, logical_id, kind)
    except Missing:
        return StackResourceDrift(logical_id, physical_id, kind, "DELETED", expected, {}, [], now)
    except Unreadable as error:
        return StackResourceDrift(
            logical_id, physical_id, kind, "NOT_CHECKED", expected, {}, [], now, f"localcloud cannot read it: {error}"
        )
    declared = _declared(kind, expected)
    compared = {name: PROJECTIONS.get((kind, name), lambda value: value)(value) for name, value in declared.items()}
    found = differences({k: v for k, v in compared.items() if k != "Tags"}, actual)
    if "Tags" in declared and kind in tags.TAGS:
        resource_tags = _read(tags.TAGS[kind], target, logical_id, kind)
        actual = {**actual, "Tags": tags.actual_tags(declared["Tags"], resource_tags)}
        found += tags.differences(declared["Tags"], resource_tags)
    shown = {name: actual[name] for name in compared if name in actual}
    return StackResourceDrift(
        logical_id, physical_id, kind, "MODIFIED" if found else "IN_SYNC", compared, shown, found, now
    )


def created(stack) -> list[str]:
    """The logical ids of the resources the stack created (conditional ones not created are not)."""
    return sorted(
        key
        for key, resource in stack.resource_map._parsed_resources.items()
        if key in stack.resource_map._resource_json_map and resource is not None and not isinstance(resource, str)
    )


def detect_stack(stack, logical_ids: list[str] | None = None) -> list[StackResourceDrift]:
    """Every created resource, or only ``logical_ids`` (DetectStackDrift's LogicalResourceIds).
    Raises ReadError when a reader fails for another reason than the resource being gone."""
    wanted = [key for key in created(stack) if not logical_ids or key in logical_ids]
    drifts = [detect_resource(stack, logical_id) for logical_id in wanted]
    record(stack, drifts)
    return drifts


def record(stack, drifts: list[StackResourceDrift]) -> None:
    """The latest detection, as the stack shows it: DescribeStackResourceDrifts answers it,
    each resource's DriftInformation (ListStackResources) and the stack's (DescribeStacks)."""
    when = datetime.now(UTC)
    stack.__dict__["localcloud_drifts"] = drifts
    resources = stack.__dict__.setdefault("localcloud_resource_drift", {})
    for drift in drifts:
        resources[drift.logical_id] = {"StackResourceDriftStatus": drift.status, "LastCheckTimestamp": when}
    stack.__dict__["drift_information"] = {"StackDriftStatus": stack_status(drifts), "LastCheckTimestamp": when}


def stack_status(drifts: list[StackResourceDrift]) -> str:
    return "DRIFTED" if any(d.status in ("MODIFIED", "DELETED") for d in drifts) else "IN_SYNC"


# --- plain-stack APIs -------------------------------------------------------------------


def _stack(response, name: str):
    return cfn_models.cloudformation_backends[response.current_account][response.region].get_stack(name)


def _detections(response) -> dict:
    backend = cfn_models.cloudformation_backends[response.current_account][response.region]
    return backend.__dict__.setdefault("localcloud_drift_detections", {})


def detect_stack_drift(self):
    """Synchronous offline: the detection is complete, or failed with the reader's error."""
    from moto.core.responses import ActionResult

    stack = _stack(self, self._get_param("StackName"))
    logical_ids = self._get_param("LogicalResourceIds") or []
    unknown = [key for key in logical_ids if key not in stack.resource_map._resource_json_map]
    if unknown:
        raise ApiError("ValidationError", f"Resources [{', '.join(unknown)}] do not exist in stack {stack.name}")
    detection_id = str(uuid.uuid4())
    try:
        drifts, failure = detect_stack(stack, logical_ids), ""
    except ReadError as error:
        drifts, failure = [], str(error)
    _detections(self)[detection_id] = (stack, drifts, datetime.now(UTC), failure)
    return ActionResult({"StackDriftDetectionId": detection_id})


def describe_stack_drift_detection_status(self):
    from moto.core.responses import ActionResult

    detection = _detections(self).get(self._get_param("StackDriftDetectionId"))
    if detection is None:
        raise ApiError("ValidationError", "StackDriftDetectionId not found")
    stack, drifts, when, failure = detection
    status = {
        "StackId": stack.stack_id,
        "StackDriftDetectionId": self._get_param("StackDriftDetectionId"),
        "DetectionStatus": "DETECTION_FAILED" if failure else "DETECTION_COMPLETE",
        "Timestamp": when,
    }
    if failure:
        status.update(StackDriftStatus="UNKNOWN", DetectionStatusReason=failure)
    else:
        status.update(
            StackDriftStatus=stack_status(drifts),
            DriftedStackResourceCount=sum(d.status in ("MODIFIED", "DELETED") for d in drifts),
        )
    return ActionResult(status)


def checked_records(drifts: list[StackResourceDrift], statuses: list[str]) -> list[StackResourceDrift]:
    """What the drift APIs return: never NOT_CHECKED ("CloudFormation doesn't currently
    return this value"), filtered by the statuses asked for."""
    return [d for d in drifts if d.status != "NOT_CHECKED" and (not statuses or d.status in statuses)]


def describe_stack_resource_drifts(self):
    stack = _stack(self, self._get_param("StackName"))
    statuses = self._get_param("StackResourceDriftStatusFilters") or []
    drifts = [d.to_api(stack.stack_id) for d in checked_records(stack.__dict__.get("localcloud_drifts", []), statuses)]
    return paged(self, drifts, "StackResourceDrifts")


def detect_stack_resource_drift(self):
    from moto.core.responses import ActionResult

    stack = _stack(self, self._get_param("StackName"))
    logical_id = self._get_param("LogicalResourceId")
    if logical_id not in stack.resource_map._resource_json_map:
        raise ApiError("ValidationError", f"Resource {logical_id} does not exist in stack {stack.name}")
    try:
        drift = detect_resource(stack, logical_id)
    except ReadError as error:
        raise ApiError("InternalFailure", str(error)) from error
    return ActionResult({"StackResourceDrift": drift.to_api(stack.stack_id)})


def list_stack_resources(self):
    """moto's answer, with each resource's DriftInformation (NOT_CHECKED until a detection checks it)."""
    result = ORIGINAL["list_stack_resources"](self)
    stack = _stack(self, self._get_param("StackName"))
    known = stack.__dict__.get("localcloud_resource_drift", {})
    for summary in result.result["StackResourceSummaries"]:
        summary["DriftInformation"] = known.get(
            summary["LogicalResourceId"], {"StackResourceDriftStatus": "NOT_CHECKED"}
        )
    return result


ORIGINAL = {"list_stack_resources": CloudFormationResponse.list_stack_resources}

HANDLERS = {
    "detect_stack_drift": detect_stack_drift,
    "describe_stack_drift_detection_status": describe_stack_drift_detection_status,
    "describe_stack_resource_drifts": describe_stack_resource_drifts,
    "detect_stack_resource_drift": detect_stack_resource_drift,
    "list_stack_resources": list_stack_resources,
}

# a stack never checked shows NOT_CHECKED (record() sets a checked stack's own, on the instance)
cfn_models.Stack.drift_information = {"StackDriftStatus": "NOT_CHECKED"}  # type: ignore[attr-defined]  # moto's Stack has no drift fields; the serializer reads this one
