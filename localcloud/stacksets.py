"""StackSets with CloudFormation's semantics, on top of moto's stacks.

moto's own StackSets update no stacks on UpdateStackSet, keep no parameter overrides,
never fail an instance, ignore caller OperationIds and preferences, and name instance
stacks ``StackSet:<name>`` (the colon breaks every generated physical name). This
engine replaces the StackSet API of moto's CloudFormation responses:

- each instance is a real moto stack ``StackSet-<name>-<uuid>`` in its account and
  region, created/updated with the StackSet's template, parameters and overrides;
- an operation runs at once but stays RUNNING (instances PENDING/RUNNING) for
  ``LOCALCLOUD_OPERATION_SECONDS`` (default 0), so clients really poll; a second
  mutating call meanwhile gets OperationInProgressException, as on AWS without
  ManagedExecution (with it, the call is accepted);
- an instance whose stack fails is FAILED with the stack's reason, the operation
  FAILED once failures exceed the tolerance in a Region (that Region's remaining accounts
  CANCELLED, and every later Region when SEQUENTIAL; PARALLEL Regions go on) and SUCCEEDED
  otherwise, with per-instance results in ListStackSetOperationResults;
- caller OperationIds are honoured (a reused one is OperationIdAlreadyExistsException),
  and every instance remembers its LastOperationId;
- DeleteStackInstances honours RetainStacks; DeleteStackSet refuses a non-empty set;
- DetectStackSetDrift is an operation too; instances and the StackSet carry its drift
  status, and ListStackInstanceResourceDrifts returns each resource's (drift.py).

SELF_MANAGED only: SERVICE_MANAGED StackSets are covered by Stubber tests instead.
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult

from . import permissions
from .drift import HANDLERS as DRIFT_HANDLERS
from .drift import ReadError, checked_records, detect_stack, stack_status
from .responses import ApiError, paged

NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")
OPERATION_ID = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$")
ACTIVE = ("RUNNING", "QUEUED", "STOPPING")
_lock = threading.RLock()


def operation_seconds() -> float:
    return float(os.environ.get("LOCALCLOUD_OPERATION_SECONDS", "0"))


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Result:
    account: str
    region: str
    status: str  # SUCCEEDED | FAILED | CANCELLED
    reason: str = ""


@dataclass
class Operation:
    id: str
    action: str
    preferences: dict
    retain_stacks: bool | None
    started: float
    ends: float
    results: list[Result] = field(default_factory=list)
    final_status: str = "SUCCEEDED"
    reason: str = ""
    created: datetime = field(default_factory=now)
    drift_details: dict | None = None

    @property
    def running(self) -> bool:
        return time.monotonic() < self.ends

    @property
    def status(self) -> str:
        return "RUNNING" if self.running else self.final_status

    def summary(self) -> dict:
        failed = sum(1 for r in self.results if r.status == "FAILED")
        summary = {
            "OperationId": self.id,
            "Action": self.action,
            "Status": self.status,
            "CreationTimestamp": self.created,
            "OperationPreferences": self.preferences,
            "StatusDetails": {"FailedStackInstancesCount": failed},
        }
        if not self.running:
            summary["EndTimestamp"] = self.created + timedelta(seconds=max(0.0, self.ends - self.started))
            if self.reason:
                summary["StatusReason"] = self.reason
        if self.drift_details is not None:
            summary["StackSetDriftDetectionDetails"] = self.visible_drift_details()
        return summary

    def visible_drift_details(self) -> dict:
        """While running: IN_PROGRESS, every instance in progress; after a stop: STOPPED."""
        details = self.drift_details or {}
        if self.running:
            total = details.get("TotalStackInstancesCount", 0)
            return {
                "DriftStatus": "NOT_CHECKED",
                "DriftDetectionStatus": "IN_PROGRESS",
                "TotalStackInstancesCount": total,
                "DriftedStackInstancesCount": 0,
                "InSyncStackInstancesCount": 0,
                "InProgressStackInstancesCount": total,
                "FailedStackInstancesCount": 0,
            }
        if self.final_status == "STOPPED":
            return {**details, "DriftDetectionStatus": "STOPPED"}
        return details


@dataclass
class Instance:
    account: str
    region: str
    overrides: dict[str, str]
    stack_name: str
    stack_id: str = ""
    status: str = "OUTDATED"
    detailed: str = "PENDING"
    reason: str = ""
    last_operation: Operation | None = None
    drift_status: str = "NOT_CHECKED"
    last_drift_check: datetime | None = None
    drift_operation_id: str = ""
    drifts: list = field(default_factory=list)
    previous_drift: tuple[str, datetime | None] = ("NOT_CHECKED", None)  # shown while a detection runs

    def visible_drift(self) -> tuple[str, datetime | None]:
        if self.last_operation and self.last_operation.running and self.last_operation.action == "DETECT_DRIFT":
            return self.previous_drift
        return self.drift_status, self.last_drift_check

    def visible_status(self) -> tuple[str, str]:
        if self.last_operation and self.last_operation.running:
            return "OUTDATED", "RUNNING"
        return self.status, self.detailed

    def summary(self, stackset: StackSet) -> dict:
        status, detailed = self.visible_status()
        summary: dict[str, Any] = {
            "StackSetId": stackset.id,
            "Region": self.region,
            "Account": self.account,
            "StackId": self.stack_id,
            "Status": status,
            "StackInstanceStatus": {"DetailedStatus": detailed},
        }
        summary["DriftStatus"], checked = self.visible_drift()
        if checked:
            summary["LastDriftCheckTimestamp"] = checked
        if self.reason and status != "CURRENT":
            summary["StatusReason"] = self.reason
        if self.last_operation:
            summary["LastOperationId"] = self.last_operation.id
        return summary

    def describe(self, stackset: StackSet) -> dict:
        detail = self.summary(stackset)
        detail["ParameterOverrides"] = [
            {"ParameterKey": k, "ParameterValue": v} for k, v in sorted(self.overrides.items())
        ]
        return detail


@dataclass
class StackSet:
    name: str
    account: str
    region: str
    template: str
    parameters: dict[str, str]
    capabilities: list[str]
    tags: list[dict]
    description: str
    managed_execution: bool
    admin_role: str
    execution_role: str
    id: str = ""
    status: str = "ACTIVE"
    instances: dict[tuple[str, str], Instance] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.id = f"{self.name}:{uuid.uuid4()}"

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudformation:{self.region}:{self.account}:stackset/{self.id}"

    def busy(self) -> Operation | None:
        return next((op for op in self.operations if op.running), None)

    def describe(self) -> dict:
        return {
            "StackSetName": self.name,
            "StackSetId": self.id,
            "Description": self.description,
            "Status": self.status,
            "TemplateBody": self.template,
            "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in self.parameters.items()],
            "Capabilities": self.capabilities,
            "Tags": self.tags,
            "StackSetARN": self.arn,
            "AdministrationRoleARN": self.admin_role,
            "ExecutionRoleName": self.execution_role,
            "PermissionModel": "SELF_MANAGED",
            "ManagedExecution": {"Active": self.managed_execution},
            "Regions": sorted({region for _, region in self.instances}),
            **({"StackSetDriftDetectionDetails": details} if (details := self.completed_drift_details()) else {}),
        }

    def completed_drift_details(self) -> dict | None:
        """The last completed drift detection's (DescribeStackSet shows no running one's)."""
        done = [op for op in self.operations if op.action == "DETECT_DRIFT" and not op.running and op.drift_details]
        return done[-1].visible_drift_details() if done else None


def _registry(response: CloudFormationResponse) -> dict[str, StackSet]:
    """The StackSets of the administrator account and region, kept on moto's own
    backend object so that moto's reset clears them too."""
    backend = cfn_models.cloudformation_backends[response.current_account][response.region]
    return backend.__dict__.setdefault("localcloud_stacksets", {})


def _get(response: CloudFormationResponse, name: str) -> StackSet:
    stackset = _registry(response).get(name)
    if stackset is None or stackset.status == "DELETED":
        raise ApiError("StackSetNotFoundException", f"StackSet {name} not found")
    return stackset


def _params(pairs: list[dict]) -> dict[str, str]:
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in pairs or []}


# --- running instances ---------------------------------------------------------------


def _deploy(stackset: StackSet, instance: Instance) -> Result:
    """Create or update the instance's stack; a failure is the instance's, not the call's."""
    backend = cfn_models.cloudformation_backends[instance.account][instance.region]
    parameters = {**stackset.parameters, **instance.overrides}
    try:
        permissions.run_as(stackset, instance)
        stack = _existing_stack(backend, instance)
        if stack is None:
            stack = backend.create_stack(name=instance.stack_name, template=stackset.template, parameters=parameters)
        else:
            backend.update_stack(
                instance.stack_name,
                stackset.template,
                None,
                [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
                None,
            )
        instance.stack_id = stack.stack_id
        if stack.status.endswith("FAILED") or "ROLLBACK" in stack.status:
            raise stack.__dict__.get("localcloud_failure") or RuntimeError(f"stack {stack.status}")
    except Exception as error:  # noqa: BLE001 - any stack failure fails this instance only
        _discard_failed_stack(backend, instance)
        reason = getattr(error, "message", None) or str(error)  # a ResourceFailure names its resource (failures.py)
        instance.status, instance.detailed, instance.reason = "OUTDATED", "FAILED", reason
        return Result(instance.account, instance.region, "FAILED", instance.reason)
    instance.status, instance.detailed, instance.reason = "CURRENT", "SUCCEEDED", ""
    return Result(instance.account, instance.region, "SUCCEEDED")


def _existing_stack(backend, instance: Instance):
    for stack in backend.stacks.values():
        if stack.name == instance.stack_name and stack.status not in ("DELETE_COMPLETE",):
            return stack
    return None


def _discard_failed_stack(backend, instance: Instance) -> None:
    """A stack that failed to create is rolled back: what it created is deleted again
    (but for DeletionPolicy Retain, as on AWS)."""
    stack = _existing_stack(backend, instance)
    if stack is not None and stack.status.startswith("CREATE"):
        try:
            stack.resource_map.delete(rollback=True)
        except Exception:  # noqa: BLE001 - e.g. deletion protection: the stack stays, as on AWS
            stack.status = "ROLLBACK_FAILED"
            return
        backend.stacks.pop(stack.stack_id, None)
        for export in list(backend.exports.values()):
            if export.exporting_stack_id == stack.stack_id:
                backend.exports.pop(export.name, None)


def _remove(stackset: StackSet, instance: Instance, retain: bool) -> Result:
    if not retain:
        backend = cfn_models.cloudformation_backends[instance.account][instance.region]
        try:
            permissions.run_as(stackset, instance)
            if _existing_stack(backend, instance) is not None:
                backend.delete_stack(instance.stack_name)
        except Exception as error:  # noqa: BLE001 - the instance fails, not the call
            reason = getattr(error, "message", None) or str(error)
            instance.status, instance.detailed, instance.reason = (
                "OUTDATED",
                "FAILED",
                f"Stack deletion failed: {reason}",
            )
            return Result(instance.account, instance.region, "FAILED", instance.reason)
    return Result(instance.account, instance.region, "SUCCEEDED")


def _region_order(preferences: dict, regions: list[str]) -> list[str]:
    order = [r for r in preferences.get("RegionOrder") or [] if r in regions]
    return order + [r for r in regions if r not in order]


def _tolerance(preferences: dict, accounts: int) -> int:
    """Failures tolerated per Region (AWS: FailureToleranceCount, or the percentage of the
    Region's accounts rounded down; 0 by default)."""
    if "FailureToleranceCount" in preferences:
        return int(preferences["FailureToleranceCount"])
    if "FailureTolerancePercentage" in preferences:
        return accounts * int(preferences["FailureTolerancePercentage"]) // 100
    return 0


def _concurrency(preferences: dict, accounts: int, tolerance: int, failures: int) -> int:
    """Accounts acted on at once in a Region: MaxConcurrentCount (default 1), or the
    percentage rounded down but at least 1; STRICT_FAILURE_TOLERANCE (the default) lowers
    it so that failures never exceed the tolerance by more than one."""
    if "MaxConcurrentPercentage" in preferences:
        limit = max(1, accounts * int(preferences["MaxConcurrentPercentage"]) // 100)
    else:
        limit = int(preferences.get("MaxConcurrentCount", 1))
    if preferences.get("ConcurrencyMode") != "SOFT_FAILURE_TOLERANCE":
        limit = min(limit, tolerance + 1 - failures)
    return max(1, limit)


def _run_region(operation: Operation, instances: list, preferences: dict, work, stopped: bool) -> bool:
    """One Region's accounts, batch by batch; True when its failures exceeded the tolerance
    (the rest of the Region is CANCELLED, like everything when ``stopped`` already)."""
    tolerance, failures = _tolerance(preferences, len(instances)), 0
    pending = list(instances)
    while pending:
        batch = pending[: _concurrency(preferences, len(instances), tolerance, failures)]
        del pending[: len(batch)]
        for instance in batch:
            instance.last_operation = operation
            if stopped:
                operation.results.append(
                    Result(
                        instance.account, instance.region, "CANCELLED", "Cancelled since failure tolerance has exceeded"
                    )
                )
                continue
            result = work(instance)
            failures += result.status == "FAILED"
            operation.results.append(result)
        stopped = stopped or failures > tolerance
    return failures > tolerance


def _run(
    stackset: StackSet,
    action: str,
    targets: list[Instance],
    preferences: dict,
    operation_id: str | None,
    work,
    retain: bool | None = None,
) -> Operation:
    """Start an operation over ``targets`` (region by region, in RegionOrder)."""
    busy = stackset.busy()
    if busy and not stackset.managed_execution:
        raise ApiError(
            "OperationInProgressException", f"Another Operation on StackSet {stackset.name} is in progress: {busy.id}"
        )
    operation_id = operation_id or str(uuid.uuid4())
    if not OPERATION_ID.match(operation_id):
        raise ValidationError(message=f"Invalid OperationId {operation_id}")
    if any(op.id == operation_id for op in stackset.operations):
        raise ApiError("OperationIdAlreadyExistsException", f"Operation {operation_id} already exists")
    started = time.monotonic()
    operation = Operation(operation_id, action, preferences, retain, started, started + operation_seconds())
    regions = _region_order(preferences, sorted({i.region for i in targets}))
    # SEQUENTIAL: a Region that exceeds its tolerance stops every later one; PARALLEL: all
    # Regions run (here one after another, each on its own) and a failure stops only its own.
    sequential = preferences.get("RegionConcurrencyType") != "PARALLEL"
    exceeded = False
    for region in regions:
        failed = _run_region(
            operation, [i for i in targets if i.region == region], preferences, work, sequential and exceeded
        )
        exceeded = exceeded or failed
    if exceeded:
        operation.final_status, operation.reason = "FAILED", "The Operation failed: failure tolerance exceeded"
    operation.ends = time.monotonic() + operation_seconds()  # visible RUNNING time starts once the work is done
    stackset.operations.append(operation)
    return operation


# --- API handlers (replace moto's) ------------------------------------------------------


def _preferences(response: CloudFormationResponse) -> dict:
    return response._get_param("OperationPreferences") or {}


def _targets(response: CloudFormationResponse) -> tuple[list[str], list[str]]:
    accounts = response._get_param("Accounts") or (response._get_param("DeploymentTargets") or {}).get("Accounts") or []
    regions = response._get_param("Regions") or []
    if (response._get_param("DeploymentTargets") or {}).get("OrganizationalUnitIds"):
        raise ValidationError(message="localcloud supports SELF_MANAGED StackSets only (no OrganizationalUnitIds)")
    if not accounts or not regions:
        raise ValidationError(message="Accounts and Regions are required")
    return accounts, regions


def create_stack_set(self: CloudFormationResponse) -> ActionResult:
    name = self._get_param("StackSetName")
    if not NAME.match(name or ""):
        raise ValidationError(
            message=f"1 validation error detected: Value '{name}' at 'stackSetName' failed to satisfy constraint"
        )
    if self._get_param("PermissionModel") == "SERVICE_MANAGED":
        raise ValidationError(message="localcloud supports SELF_MANAGED StackSets only")
    with _lock:
        if name in _registry(self) and _registry(self)[name].status == "ACTIVE":
            raise ApiError("NameAlreadyExistsException", f"StackSet {name} already exists")
        body = self._get_param("TemplateBody") or self._get_stack_from_s3_url(self._get_param("TemplateURL"))
        stackset = StackSet(
            name=name,
            account=self.current_account,
            region=self.region,
            template=body,
            parameters=_params(self._get_param("Parameters", [])),
            capabilities=self._get_param("Capabilities", []),
            tags=self._get_param("Tags", []),
            description=self._get_param("Description") or "",
            managed_execution=bool((self._get_param("ManagedExecution") or {}).get("Active")),
            admin_role=self._get_param("AdministrationRoleARN")
            or f"arn:aws:iam::{self.current_account}:role/AWSCloudFormationStackSetAdministrationRole",
            execution_role=self._get_param("ExecutionRoleName") or "AWSCloudFormationStackSetExecutionRole",
        )
        _registry(self)[name] = stackset
    return ActionResult({"StackSetId": stackset.id})


def describe_stack_set(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        return ActionResult({"StackSet": _get(self, self._get_param("StackSetName")).describe()})


def list_stack_sets(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        summaries = [
            {
                "StackSetName": s.name,
                "StackSetId": s.id,
                "Status": s.status,
                "PermissionModel": "SELF_MANAGED",
                "Description": s.description,
            }
            for s in _registry(self).values()
        ]
    return ActionResult({"Summaries": summaries})


def update_stack_set(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        if stackset.busy() and not stackset.managed_execution:
            raise ApiError(
                "OperationInProgressException", f"Another Operation on StackSet {stackset.name} is in progress"
            )
        # UpdateStackSet keeps its changes even when its operation fails.
        if not self._get_param("UsePreviousTemplate"):
            stackset.template = self._get_param("TemplateBody") or self._get_stack_from_s3_url(
                self._get_param("TemplateURL")
            )
        incoming = self._get_param("Parameters", [])
        stackset.parameters = {
            p["ParameterKey"]: stackset.parameters.get(p["ParameterKey"], "")
            if p.get("UsePreviousValue")
            else p.get("ParameterValue", "")
            for p in incoming
        }
        stackset.capabilities = self._get_param("Capabilities", [])
        stackset.tags = self._get_param("Tags", [])
        if self._get_param("Description") is not None:
            stackset.description = self._get_param("Description")
        if self._get_param("ManagedExecution") is not None:
            stackset.managed_execution = bool(self._get_param("ManagedExecution").get("Active"))
        # the roles given are the StackSet's from now on (its operations run with them)
        stackset.admin_role = self._get_param("AdministrationRoleARN") or stackset.admin_role
        stackset.execution_role = self._get_param("ExecutionRoleName") or stackset.execution_role
        targets = list(stackset.instances.values())
        operation = _run(
            stackset,
            "UPDATE",
            targets,
            _preferences(self),
            self._get_param("OperationId"),
            lambda instance: _deploy(stackset, instance),
        )
    return ActionResult({"OperationId": operation.id})


def delete_stack_set(self: CloudFormationResponse) -> EmptyResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        if stackset.instances:
            raise ApiError("StackSetNotEmptyException", f"StackSet {stackset.name} still has stack instances")
        if stackset.busy():
            raise ApiError(
                "OperationInProgressException", f"Another Operation on StackSet {stackset.name} is in progress"
            )
        stackset.status = "DELETED"
        del _registry(self)[stackset.name]
    return EmptyResult()


def create_stack_instances(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        accounts, regions = _targets(self)
        overrides = _params(self._get_param("ParameterOverrides", []))
        targets = []
        for account in accounts:
            for region in regions:
                instance = stackset.instances.get((account, region))
                if instance is None:  # existing instances are left as they are (idempotent)
                    instance = Instance(account, region, dict(overrides), f"StackSet-{stackset.name}-{uuid.uuid4()}")
                    targets.append(instance)
        operation = _run(
            stackset,
            "CREATE",
            targets,
            _preferences(self),
            self._get_param("OperationId"),
            lambda instance: _deploy(stackset, instance),
        )
        for instance in targets:
            stackset.instances[(instance.account, instance.region)] = instance
    return ActionResult({"OperationId": operation.id})


def update_stack_instances(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        accounts, regions = _targets(self)
        missing = [(a, r) for a in accounts for r in regions if (a, r) not in stackset.instances]
        if missing:
            raise ApiError(
                "StackInstanceNotFoundException", f"Stack instance {missing[0][0]}/{missing[0][1]} not found"
            )
        given = self._get_param("ParameterOverrides")
        targets = [stackset.instances[(a, r)] for a in accounts for r in regions]

        def work(instance: Instance) -> Result:
            # AWS: the list replaces the overrides (a key left out reverts to the StackSet's
            # value; UsePreviousValue keeps it); no list at all keeps them as they are.
            if given is not None:
                instance.overrides = {
                    p["ParameterKey"]: instance.overrides.get(p["ParameterKey"], "")
                    if p.get("UsePreviousValue")
                    else p.get("ParameterValue", "")
                    for p in given
                }
            return _deploy(stackset, instance)

        operation = _run(stackset, "UPDATE", targets, _preferences(self), self._get_param("OperationId"), work)
    return ActionResult({"OperationId": operation.id})


def delete_stack_instances(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        accounts, regions = _targets(self)
        retain = bool(self._get_param("RetainStacks"))
        targets = [stackset.instances[(a, r)] for a in accounts for r in regions if (a, r) in stackset.instances]
        operation = _run(
            stackset,
            "DELETE",
            targets,
            _preferences(self),
            self._get_param("OperationId"),
            lambda instance: _remove(stackset, instance, retain),
            retain,
        )
        for result in operation.results:
            if result.status == "SUCCEEDED":
                stackset.instances.pop((result.account, result.region), None)
    return ActionResult({"OperationId": operation.id})


def list_stack_instances(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        summaries = [i.summary(stackset) for i in stackset.instances.values()]
    account, region = self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion")
    summaries = [
        s for s in summaries if (not account or s["Account"] == account) and (not region or s["Region"] == region)
    ]
    for item in self._get_param("Filters") or []:
        field_name = {
            "DETAILED_STATUS": lambda s: s["StackInstanceStatus"]["DetailedStatus"],
            "LAST_OPERATION_ID": lambda s: s.get("LastOperationId"),
            "DRIFT_STATUS": lambda s: s["DriftStatus"],
        }[item["Name"]]
        summaries = [s for s in summaries if field_name(s) == item["Values"]]
    return paged(self, summaries, "Summaries")


def describe_stack_instance(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        key = (self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion"))
        if key not in stackset.instances:
            raise ApiError("StackInstanceNotFoundException", f"Stack instance {key[0]}/{key[1]} not found")
        return ActionResult({"StackInstance": stackset.instances[key].describe(stackset)})


def _operation(self: CloudFormationResponse) -> tuple[StackSet, Operation]:
    stackset = _get(self, self._get_param("StackSetName"))
    operation_id = self._get_param("OperationId")
    for operation in stackset.operations:
        if operation.id == operation_id:
            return stackset, operation
    raise ApiError("OperationNotFoundException", f"Operation {operation_id} not found")


def describe_stack_set_operation(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset, operation = _operation(self)
        detail = {
            **operation.summary(),
            "StackSetId": stackset.id,
            "AdministrationRoleARN": stackset.admin_role,
            "ExecutionRoleName": stackset.execution_role,
        }
        if operation.retain_stacks is not None:
            detail["RetainStacks"] = operation.retain_stacks
    return ActionResult({"StackSetOperation": detail})


def list_stack_set_operations(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        summaries = [op.summary() for op in reversed(stackset.operations)]  # newest first
    return paged(self, summaries, "Summaries")


def list_stack_set_operation_results(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        _, operation = _operation(self)
        running = operation.running
        summaries = [
            {
                "Account": r.account,
                "Region": r.region,
                "Status": "RUNNING" if running else r.status,
                **({"StatusReason": r.reason} if r.reason and not running else {}),
            }
            for r in operation.results
        ]
    return paged(self, summaries, "Summaries")


def stop_stack_set_operation(self: CloudFormationResponse) -> EmptyResult:
    with _lock:
        _, operation = _operation(self)
        if operation.running:
            operation.ends, operation.final_status = time.monotonic(), "STOPPED"
    return EmptyResult()


def _detect_instance(stackset: StackSet, instance: Instance, operation_id: str) -> Result:
    backend = cfn_models.cloudformation_backends[instance.account][instance.region]
    stack = _existing_stack(backend, instance)
    instance.previous_drift = (instance.drift_status, instance.last_drift_check)
    instance.last_drift_check, instance.drift_operation_id = now(), operation_id
    if stack is None:
        instance.drift_status, instance.drifts = "UNKNOWN", []
        return Result(instance.account, instance.region, "FAILED", "Stack instance has no stack to check")
    try:
        instance.drifts = detect_stack(stack)
    except ReadError as error:  # an emulator error, never drift: the instance's detection failed, with it
        instance.drift_status, instance.drifts = "UNKNOWN", []
        return Result(instance.account, instance.region, "FAILED", str(error))
    instance.drift_status = stack_status(instance.drifts)
    return Result(instance.account, instance.region, "SUCCEEDED")


def detect_stack_set_drift(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        running = next((op for op in stackset.operations if op.running and op.action == "DETECT_DRIFT"), None)
        if running:  # "You can only run a single drift detection operation on a given StackSet at one time"
            raise ApiError(
                "OperationInProgressException",
                f"A drift detection on StackSet {stackset.name} is in progress: {running.id}",
            )
        operation_id = self._get_param("OperationId") or str(uuid.uuid4())
        targets = list(stackset.instances.values())
        operation = _run(
            stackset,
            "DETECT_DRIFT",
            targets,
            _preferences(self),
            operation_id,
            lambda instance: _detect_instance(stackset, instance, operation_id),
        )
        statuses = [i.drift_status for i in targets]
        details = {
            "DriftStatus": "DRIFTED"
            if "DRIFTED" in statuses
            else ("IN_SYNC" if targets and "UNKNOWN" not in statuses else "NOT_CHECKED"),
            "DriftDetectionStatus": "COMPLETED"
            if "UNKNOWN" not in statuses
            else ("PARTIAL_SUCCESS" if len(set(statuses)) > 1 else "FAILED"),
            "LastDriftCheckTimestamp": now(),
            "TotalStackInstancesCount": len(targets),
            "DriftedStackInstancesCount": statuses.count("DRIFTED"),
            "InSyncStackInstancesCount": statuses.count("IN_SYNC"),
            "InProgressStackInstancesCount": 0,
            "FailedStackInstancesCount": statuses.count("UNKNOWN"),
        }
        operation.drift_details = details
    return ActionResult({"OperationId": operation.id})


def list_stack_instance_resource_drifts(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        key = (self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion"))
        instance = stackset.instances.get(key)
        if instance is None:
            raise ApiError("StackInstanceNotFoundException", f"Stack instance {key[0]}/{key[1]} not found")
        if instance.drift_operation_id != self._get_param("OperationId"):
            raise ApiError(
                "OperationNotFoundException",
                f"No drift detection {self._get_param('OperationId')} for {key[0]}/{key[1]}",
            )
        statuses = self._get_param("StackInstanceResourceDriftStatuses") or []
        drifts = [d.to_api(instance.stack_id, stackset=True) for d in checked_records(instance.drifts, statuses)]
    return paged(self, drifts, "Summaries")


HANDLERS = {
    "detect_stack_set_drift": detect_stack_set_drift,
    "list_stack_instance_resource_drifts": list_stack_instance_resource_drifts,
    "create_stack_set": create_stack_set,
    "describe_stack_set": describe_stack_set,
    "list_stack_sets": list_stack_sets,
    "update_stack_set": update_stack_set,
    "delete_stack_set": delete_stack_set,
    "create_stack_instances": create_stack_instances,
    "update_stack_instances": update_stack_instances,
    "delete_stack_instances": delete_stack_instances,
    "list_stack_instances": list_stack_instances,
    "describe_stack_instance": describe_stack_instance,
    "describe_stack_set_operation": describe_stack_set_operation,
    "list_stack_set_operations": list_stack_set_operations,
    "list_stack_set_operation_results": list_stack_set_operation_results,
    "stop_stack_set_operation": stop_stack_set_operation,
}


def install() -> None:
    for name, handler in {**HANDLERS, **DRIFT_HANDLERS}.items():
        setattr(CloudFormationResponse, name, handler)
    # moto turns its StackSet's parameter and tag dicts into lists; ours are lists already
    CloudFormationResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER = {
        path: transform
        for path, transform in CloudFormationResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER.items()
        if not path.startswith("DescribeStackSetOutput")
    }
