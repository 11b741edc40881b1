"""The StackSet model: a StackSet, its instances (one stack each, in an account and
Region), its operations and their per-instance results, each answering in the shape
CloudFormation's APIs return it."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cfnops.awsfacts import statuses

NAME = re.compile(r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$")
OPERATION_ID = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]{0,127}$")
ACTIVE = (statuses.Operation.RUNNING, statuses.Operation.QUEUED, statuses.Operation.STOPPING)
SELF_MANAGED, SERVICE_MANAGED = "SELF_MANAGED", "SERVICE_MANAGED"


def merged_parameters(previous: dict[str, str], given: list[dict]) -> dict[str, str]:
    """The parameters a call gives, as AWS reads them: the list replaces the previous values
    (a key left out is gone), UsePreviousValue keeps a key's previous value."""
    return {
        p["ParameterKey"]: previous.get(p["ParameterKey"], "")
        if p.get("UsePreviousValue")
        else p.get("ParameterValue", "")
        for p in given
    }


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Result:
    account: str
    region: str
    status: str  # SUCCEEDED | FAILED | CANCELLED
    reason: str = ""
    unit: str = ""  # service-managed: the OU (or root) targeted that reached the account

    def summary(self, running: bool) -> dict:
        summary = {
            "Account": self.account,
            "Region": self.region,
            "Status": statuses.Result.RUNNING if running else self.status,
            **({"StatusReason": self.reason} if self.reason and not running else {}),
        }
        if self.unit:
            summary["OrganizationalUnitId"] = self.unit
        return summary


@dataclass
class Operation:
    id: str
    action: str
    preferences: dict
    retain_stacks: bool | None
    started: float
    ends: float
    results: list[Result] = field(default_factory=list)
    final_status: str = statuses.Operation.SUCCEEDED
    reason: str = ""
    created: datetime = field(default_factory=now)
    drift_details: dict | None = None
    deployment_targets: dict | None = None  # service-managed: the DeploymentTargets the call gave
    targets: frozenset[tuple[str, str]] = frozenset()  # the (account, Region) instances it acts on
    begins: float = 0.0  # when it leaves QUEUED (ManagedExecution queues it behind conflicting ones)

    @property
    def running(self) -> bool:
        """Queued or running: the StackSet is busy with it."""
        return time.monotonic() < self.ends

    @property
    def queued(self) -> bool:
        return time.monotonic() < self.begins

    @property
    def status(self) -> str:
        if self.queued:
            return statuses.Operation.QUEUED
        return statuses.Operation.RUNNING if self.running else self.final_status

    def conflicts_with(self, targets: frozenset[tuple[str, str]]) -> bool:
        """Operations conflict when they act on a same stack instance (a drift detection acts
        on every instance: one at a time per StackSet)."""
        return bool(self.targets & targets)

    def summary(self) -> dict:
        failed = sum(1 for r in self.results if r.status == statuses.Result.FAILED)
        summary = {
            "OperationId": self.id,
            "Action": self.action,
            "Status": self.status,
            "CreationTimestamp": self.created,
            "OperationPreferences": self.preferences,
            "StatusDetails": {"FailedStackInstancesCount": failed},
        }
        if self.deployment_targets is not None:
            summary["DeploymentTargets"] = self.deployment_targets
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
                "DriftStatus": statuses.Drift.NOT_CHECKED,
                "DriftDetectionStatus": statuses.StackSetDetection.IN_PROGRESS,
                "TotalStackInstancesCount": total,
                "DriftedStackInstancesCount": 0,
                "InSyncStackInstancesCount": 0,
                "InProgressStackInstancesCount": total,
                "FailedStackInstancesCount": 0,
            }
        if self.final_status == statuses.Operation.STOPPED:
            return {**details, "DriftDetectionStatus": statuses.StackSetDetection.STOPPED}
        return details


@dataclass
class Instance:
    account: str
    region: str
    overrides: dict[str, str]
    stack_name: str
    stack_id: str = ""
    status: str = statuses.Instance.OUTDATED
    detailed: str = statuses.InstanceDetail.PENDING
    reason: str = ""
    last_operation: Operation | None = None
    drift_status: str = statuses.Drift.NOT_CHECKED
    last_drift_check: datetime | None = None
    drift_operation_id: str = ""
    drifts: list = field(default_factory=list)
    previous_drift: tuple[str, datetime | None] = (statuses.Drift.NOT_CHECKED, None)  # shown while a detection runs
    unit: str = ""  # service-managed: "The organization root ID or organizational unit (OU) IDs that you specified for DeploymentTargets"

    def visible_drift(self) -> tuple[str, datetime | None]:
        if (
            self.last_operation
            and self.last_operation.running
            and self.last_operation.action == statuses.OperationAction.DETECT_DRIFT
        ):
            return self.previous_drift
        return self.drift_status, self.last_drift_check

    def visible_status(self) -> tuple[str, str]:
        if self.last_operation and self.last_operation.queued:
            return statuses.Instance.OUTDATED, statuses.InstanceDetail.PENDING
        if self.last_operation and self.last_operation.running:
            return statuses.Instance.OUTDATED, statuses.InstanceDetail.RUNNING
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
        if self.reason and status != statuses.Instance.CURRENT:
            summary["StatusReason"] = self.reason
        if self.last_operation:
            summary["LastOperationId"] = self.last_operation.id
        if self.unit:
            summary["OrganizationalUnitId"] = self.unit
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
    permission_model: str = SELF_MANAGED
    auto_deployment: dict = field(default_factory=dict)  # service-managed: Enabled, RetainStacksOnAccountRemoval
    targets: dict[str, set[str]] = field(default_factory=dict)  # service-managed: OU (or root) -> its Regions
    id: str = ""
    status: str = statuses.StackSet.ACTIVE
    instances: dict[tuple[str, str], Instance] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.id = f"{self.name}:{uuid.uuid4()}"

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudformation:{self.region}:{self.account}:stackset/{self.id}"

    def busy(self) -> Operation | None:
        return next((op for op in self.operations if op.running), None)

    @property
    def service_managed(self) -> bool:
        return self.permission_model == SERVICE_MANAGED

    def auto_deploys(self) -> bool:
        return self.service_managed and bool(self.auto_deployment.get("Enabled"))

    def roles(self) -> dict:
        """Self-managed: the roles its operations run with; service-managed: StackSets' own,
        which DescribeStackSet does not show."""
        if self.service_managed:
            return {}
        return {"AdministrationRoleARN": self.admin_role, "ExecutionRoleName": self.execution_role}

    def organization_fields(self) -> dict:
        if not self.service_managed:
            return {}
        return {"AutoDeployment": self.auto_deployment, "OrganizationalUnitIds": sorted(self.targets)}

    def summary(self) -> dict:
        summary = {
            "StackSetName": self.name,
            "StackSetId": self.id,
            "Status": self.status,
            "PermissionModel": self.permission_model,
            "Description": self.description,
            "ManagedExecution": {"Active": self.managed_execution},
        }
        if self.service_managed:
            summary["AutoDeployment"] = self.auto_deployment
        return summary

    def queued_until(self, targets: frozenset[tuple[str, str]], at: float) -> float:
        """When a new operation may start under ManagedExecution: once every queued or
        running operation it conflicts with has ended (request order); at once otherwise."""
        return max((op.ends for op in self.operations if op.running and op.conflicts_with(targets)), default=at)

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
            **self.roles(),
            **self.organization_fields(),
            "PermissionModel": self.permission_model,
            "ManagedExecution": {"Active": self.managed_execution},
            "Regions": sorted({region for _, region in self.instances}),
            **({"StackSetDriftDetectionDetails": details} if (details := self.completed_drift_details()) else {}),
        }

    def completed_drift_details(self) -> dict | None:
        """The last completed drift detection's (DescribeStackSet shows no running one's)."""
        done = [
            op
            for op in self.operations
            if op.action == statuses.OperationAction.DETECT_DRIFT and not op.running and op.drift_details
        ]
        return done[-1].visible_drift_details() if done else None
