"""CloudFormation drift detection for localcloud, which moto does not have.

Which types are checked is CloudFormation's rule (coverage.py: a registry read
handler, minus AWS's exclusions); localcloud reads each through a reader (READERS), or
lists it in coverage.CANNOT_READ with why. Expected properties are the deployed
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

from datetime import UTC, datetime
from typing import Any

from moto.cloudformation import parsing

from cfnops.awsfacts import statuses

from ..cloudformation.patches import Placeholder
from ..core.state import State
from . import (
    cluster_readers,
    exclusions,
    more_readers,
    network_readers,
    notification_readers,
    security_readers,
    service_readers,
    tags,
)
from .coverage import not_checked_reason
from .models import SETS, StackDrifts, StackResourceDrift, differences, stack_status
from .readers import PROJECTIONS as BASE_PROJECTIONS
from .readers import READERS as BASE_READERS
from .readers import Missing, Target, Unreadable

DRIFTS: State[StackDrifts] = State("drifts", StackDrifts)  # on the moto stack

MODULES = (more_readers, network_readers, service_readers, notification_readers, cluster_readers, security_readers)
READERS = {**BASE_READERS, **{kind: read for module in MODULES for kind, read in module.READERS.items()}}
PROJECTIONS = {
    **BASE_PROJECTIONS,
    **{key: project for module in MODULES for key, project in module.PROJECTIONS.items()},
}
TAGS = {
    **tags.TAGS,
    **{kind: read for module in MODULES[1:] for kind, read in module.TAGS.items()},
}


class ReadError(Exception):
    """A reader failed for another reason than the resource being gone: the detection fails."""


def _declared(kind: str, expected: dict) -> dict:
    """The properties CloudFormation compares: those the template sets, a security group's
    rule lists only when not empty (AWS reports an empty list IN_SYNC whatever the group has),
    never what AWS's drift does not compare (exclusions.py)."""
    expected = exclusions.compared(kind, expected)
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
    reason = not_checked_reason(kind, reader is not None, placeholder=type(resource) is Placeholder)
    if reason:
        return StackResourceDrift(
            logical_id, physical_id, kind, statuses.ResourceDrift.NOT_CHECKED, expected, {}, [], now, reason
        )
    target = Target(stack.account_id, stack.region_name, physical_id, expected, stack)
    try:
        actual = _read(reader, target, logical_id, kind)
    except Missing:
        return StackResourceDrift(logical_id, physical_id, kind, statuses.ResourceDrift.DELETED, expected, {}, [], now)
    except Unreadable as error:
        return StackResourceDrift(
            logical_id,
            physical_id,
            kind,
            statuses.ResourceDrift.NOT_CHECKED,
            expected,
            {},
            [],
            now,
            f"localcloud cannot read it: {error}",
        )
    declared = _declared(kind, expected)
    compared = {name: PROJECTIONS.get((kind, name), lambda value: value)(value) for name, value in declared.items()}
    found = differences({k: v for k, v in compared.items() if k != "Tags"}, actual)
    if "Tags" in declared and kind in TAGS:
        resource_tags = _read(TAGS[kind], target, logical_id, kind)
        actual = {**actual, "Tags": tags.actual_tags(declared["Tags"], resource_tags)}
        found += tags.differences(declared["Tags"], resource_tags)
    shown = {name: actual[name] for name in compared if name in actual}
    return StackResourceDrift(
        logical_id,
        physical_id,
        kind,
        statuses.ResourceDrift.MODIFIED if found else statuses.ResourceDrift.IN_SYNC,
        compared,
        shown,
        found,
        now,
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
    latest = DRIFTS.of(stack)
    latest.records = drifts
    for drift in drifts:
        latest.resources[drift.logical_id] = {"StackResourceDriftStatus": drift.status, "LastCheckTimestamp": when}
    stack.drift_information = {"StackDriftStatus": stack_status(drifts), "LastCheckTimestamp": when}
