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
  status, and ListStackInstanceResourceDrifts returns each resource's (drift/).

SELF_MANAGED only: SERVICE_MANAGED StackSets are covered by Stubber tests instead.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult

from cfnops.awsfacts import statuses

from ..cloudformation import limits
from ..core.registry import document, patch, replace
from ..core.responses import ApiError, paged
from ..core.state import State
from ..core.values import flag
from ..drift.models import checked_records
from ..organizations import tree
from . import callas, engine, exceptions, roles, targets
from .models import (
    NAME,
    SELF_MANAGED,
    SERVICE_MANAGED,
    Instance,
    Operation,
    Result,
    StackSet,
    merged_parameters,
    now,
)
from .targets import Target

_lock = threading.RLock()


# the StackSets of the administrator account and Region, on its moto CloudFormation backend
# (service-managed ones: the management account's, including those a delegated administrator creates)
STACKSETS: State[dict[str, StackSet]] = State("stacksets", dict)


def _caller(response: CloudFormationResponse) -> callas.Caller:
    return callas.caller(response.current_account, response._get_param("CallAs"))


def registry_of(account: str, region: str) -> dict[str, StackSet]:
    return STACKSETS.of(cfn_models.cloudformation_backends[account][region])


def _registry(response: CloudFormationResponse) -> dict[str, StackSet]:
    return registry_of(_caller(response).home, response.region)


def _get(response: CloudFormationResponse, name: str) -> StackSet:
    stackset = _registry(response).get(name)
    hidden = stackset is not None and _caller(response).delegated and not stackset.service_managed
    if stackset is None or hidden or stackset.status == statuses.StackSet.DELETED:
        raise ApiError("StackSetNotFoundException", f"StackSet {name} not found")
    return stackset


def _operated(response: CloudFormationResponse, stackset: StackSet):
    """The organization a call on a service-managed StackSet operates (refused unless the
    caller may, callas.py); None for a self-managed one."""
    return callas.organization_operated(_caller(response)) if stackset.service_managed else None


def _params(pairs: list[dict]) -> dict[str, str]:
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in pairs or []}


def _preferences(response: CloudFormationResponse) -> dict:
    return response._get_param("OperationPreferences") or {}


def _auto_deployment(given: dict | None) -> dict:
    given = given or {}
    return {key: flag(given[key]) for key in ("Enabled", "RetainStacksOnAccountRemoval") if key in given}


def create_stack_set(self: CloudFormationResponse) -> ActionResult:
    name = self._get_param("StackSetName")
    if not NAME.match(name or ""):
        raise ValidationError(
            message=f"1 validation error detected: Value '{name}' at 'stackSetName' failed to satisfy constraint"
        )
    who = _caller(self)
    model = self._get_param("PermissionModel") or SELF_MANAGED
    with _lock:
        if model == SERVICE_MANAGED:
            management = tree.management_account(callas.organization_operated(who))
            admin_role, execution_role = roles.admin_role_arn(management), roles.execution_role_name(management)
        else:
            callas.refuse_self_managed(who)
            admin_role = (
                self._get_param("AdministrationRoleARN")
                or f"arn:aws:iam::{who.home}:role/AWSCloudFormationStackSetAdministrationRole"
            )
            execution_role = self._get_param("ExecutionRoleName") or "AWSCloudFormationStackSetExecutionRole"
        registry = registry_of(who.home, self.region)
        if name in registry and registry[name].status == statuses.StackSet.ACTIVE:
            raise ApiError("NameAlreadyExistsException", f"StackSet {name} already exists")
        body = self._get_param("TemplateBody") or self._get_stack_from_s3_url(self._get_param("TemplateURL"))
        stackset = StackSet(
            name=name,
            account=who.home,
            region=self.region,
            template=body,
            parameters=_params(self._get_param("Parameters", [])),
            capabilities=self._get_param("Capabilities", []),
            tags=self._get_param("Tags", []),
            description=self._get_param("Description") or "",
            managed_execution=bool((self._get_param("ManagedExecution") or {}).get("Active")),
            admin_role=admin_role,
            execution_role=execution_role,
            permission_model=model,
            auto_deployment=_auto_deployment(self._get_param("AutoDeployment")) if model == SERVICE_MANAGED else {},
        )
        registry[name] = stackset
    return ActionResult({"StackSetId": stackset.id})


def describe_stack_set(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        return ActionResult({"StackSet": _get(self, self._get_param("StackSetName")).describe()})


def list_stack_sets(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        delegated = _caller(self).delegated
        summaries = [s.summary() for s in _registry(self).values() if s.service_managed or not delegated]
    return ActionResult({"Summaries": summaries})


def update_stack_set(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        _operated(self, stackset)
        exceptions.refuse_while_busy(stackset)
        # UpdateStackSet keeps its changes even when its operation fails.
        if not self._get_param("UsePreviousTemplate"):
            stackset.template = self._get_param("TemplateBody") or self._get_stack_from_s3_url(
                self._get_param("TemplateURL")
            )
        stackset.parameters = merged_parameters(stackset.parameters, self._get_param("Parameters", []))
        stackset.capabilities = self._get_param("Capabilities", [])
        stackset.tags = self._get_param("Tags", [])
        if self._get_param("Description") is not None:
            stackset.description = self._get_param("Description")
        if self._get_param("ManagedExecution") is not None:
            stackset.managed_execution = bool(self._get_param("ManagedExecution").get("Active"))
        if stackset.service_managed and self._get_param("AutoDeployment") is not None:
            stackset.auto_deployment = _auto_deployment(self._get_param("AutoDeployment"))
        if (
            not stackset.service_managed
        ):  # the roles given are the StackSet's from now on (its operations run with them)
            stackset.admin_role = self._get_param("AdministrationRoleARN") or stackset.admin_role
            stackset.execution_role = self._get_param("ExecutionRoleName") or stackset.execution_role
        targets = list(stackset.instances.values())
        operation = engine.run(
            stackset,
            statuses.OperationAction.UPDATE,
            targets,
            _preferences(self),
            self._get_param("OperationId"),
            lambda instance: engine.deploy(stackset, instance),
        )
    return ActionResult({"OperationId": operation.id})


def delete_stack_set(self: CloudFormationResponse) -> EmptyResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        _operated(self, stackset)
        if stackset.instances:
            raise ApiError("StackSetNotEmptyException", f"StackSet {stackset.name} still has stack instances")
        exceptions.refuse_while_busy(stackset, queued=False)
        stackset.status = statuses.StackSet.DELETED
        del _registry(self)[stackset.name]
    return EmptyResult()


def _deployment_targets(response: CloudFormationResponse) -> dict | None:
    return response._get_param("DeploymentTargets")


def _reached(response: CloudFormationResponse, stackset: StackSet, *, update: bool = False) -> list[Target]:
    """The accounts the call's targets reach (targets.py)."""
    org = _operated(response, stackset)
    if org is None:
        return targets.self_managed(response._get_param("Accounts"), _deployment_targets(response))
    return targets.service_managed(
        response._get_param("Accounts"), _deployment_targets(response), org, accounts_allowed=update
    )


def _new_instance(stackset: StackSet, target: Target, region: str, overrides: dict[str, str]) -> Instance:
    return Instance(
        target.account, region, dict(overrides), f"StackSet-{stackset.name}-{uuid.uuid4()}", unit=target.unit
    )


def add_instances(
    stackset: StackSet,
    reached: list[Target],
    regions: list[str],
    overrides: dict[str, str],
    preferences: dict,
    operation_id: str | None,
    deployment_targets: dict | None = None,
    automatic: bool = False,
) -> Operation:
    """A CREATE operation for the instances ``reached`` in ``regions`` lacks (existing ones are
    left as they are: idempotent, as on AWS)."""
    new = [
        _new_instance(stackset, target, region, overrides)
        for target in reached
        for region in regions
        if (target.account, region) not in stackset.instances
    ]
    operation = engine.run(
        stackset,
        statuses.OperationAction.CREATE,
        new,
        preferences,
        operation_id,
        lambda instance: engine.deploy(stackset, instance),
        deployment_targets=deployment_targets,
        automatic=automatic,
    )
    for instance in new:
        stackset.instances[(instance.account, instance.region)] = instance
    return operation


def remove_instances(
    stackset: StackSet,
    chosen: list[Instance],
    retain: bool,
    preferences: dict,
    operation_id: str | None,
    deployment_targets: dict | None = None,
    automatic: bool = False,
) -> Operation:
    operation = engine.run(
        stackset,
        statuses.OperationAction.DELETE,
        chosen,
        preferences,
        operation_id,
        lambda instance: engine.remove(stackset, instance, retain),
        retain,
        deployment_targets=deployment_targets,
        automatic=automatic,
    )
    for result in operation.results:
        if result.status == statuses.Result.SUCCEEDED:
            stackset.instances.pop((result.account, result.region), None)
    return operation


def _given_units(response: CloudFormationResponse) -> list[str]:
    return list((_deployment_targets(response) or {}).get("OrganizationalUnitIds") or [])


def _whole_units(response: CloudFormationResponse) -> bool:
    """The call covers its OUs whole (no Accounts narrow them)."""
    given = _deployment_targets(response) or {}
    return given.get("AccountFilterType") in (None, "NONE", "UNION")


def create_stack_instances(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        reached, regions = _reached(self, stackset), targets.regions(self._get_param("Regions"))
        for unit in _given_units(self):  # auto-deployment follows these OUs in these Regions
            stackset.targets.setdefault(unit, set()).update(regions)
        operation = add_instances(
            stackset,
            reached,
            regions,
            _params(self._get_param("ParameterOverrides", [])),
            _preferences(self),
            self._get_param("OperationId"),
            _deployment_targets(self) if stackset.service_managed else None,
        )
    return ActionResult({"OperationId": operation.id})


def update_stack_instances(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        reached, regions = _reached(self, stackset, update=True), targets.regions(self._get_param("Regions"))
        if stackset.service_managed:  # the OUs' accounts that have instances in these Regions
            chosen = [
                stackset.instances[(t.account, r)]
                for t in reached
                for r in regions
                if (t.account, r) in stackset.instances
            ]
        else:
            chosen = [exceptions.instance(stackset, t.account, r) for t in reached for r in regions]
        given = self._get_param("ParameterOverrides")

        def work(instance: Instance) -> Result:
            # AWS: the list replaces the overrides (a key left out reverts to the StackSet's
            # value; UsePreviousValue keeps it); no list at all keeps them as they are.
            if given is not None:
                instance.overrides = merged_parameters(instance.overrides, given)
            return engine.deploy(stackset, instance)

        operation = engine.run(
            stackset,
            statuses.OperationAction.UPDATE,
            chosen,
            _preferences(self),
            self._get_param("OperationId"),
            work,
            deployment_targets=_deployment_targets(self) if stackset.service_managed else None,
        )
    return ActionResult({"OperationId": operation.id})


def delete_stack_instances(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        reached, regions = _reached(self, stackset), targets.regions(self._get_param("Regions"))
        accounts, units = {t.account for t in reached}, set(_given_units(self))
        chosen = [
            i
            for i in stackset.instances.values()
            if i.region in regions and (i.account in accounts or (i.unit in units and _whole_units(self)))
        ]
        if _whole_units(self):  # the OUs are no longer targets in these Regions
            for unit in units & set(stackset.targets):
                stackset.targets[unit] -= set(regions)
                if not stackset.targets[unit]:
                    del stackset.targets[unit]
        operation = remove_instances(
            stackset,
            chosen,
            flag(self._get_param("RetainStacks")),
            _preferences(self),
            self._get_param("OperationId"),
            _deployment_targets(self) if stackset.service_managed else None,
        )
    return ActionResult({"OperationId": operation.id})


# ListStackInstances' filters: StackInstanceFilter.Name -> the summary's field it compares
INSTANCE_FILTERS: dict[str, Callable[[dict], Any]] = {
    "DETAILED_STATUS": lambda s: s["StackInstanceStatus"]["DetailedStatus"],
    "LAST_OPERATION_ID": lambda s: s.get("LastOperationId"),
    "DRIFT_STATUS": lambda s: s["DriftStatus"],
}


def list_stack_instances(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        summaries = [i.summary(stackset) for i in stackset.instances.values()]
    account, region = self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion")
    summaries = [
        s for s in summaries if (not account or s["Account"] == account) and (not region or s["Region"] == region)
    ]
    for item in self._get_param("Filters") or []:
        field_of = INSTANCE_FILTERS.get(item.get("Name"))
        if field_of is None:  # AWS's StackInstanceFilter.Name is one of three
            raise ValidationError(
                message=f"1 validation error detected: Value '{item.get('Name')}' at 'filters.member.name' failed "
                f"to satisfy constraint: Member must satisfy enum value set: [{', '.join(INSTANCE_FILTERS)}]"
            )
        summaries = [s for s in summaries if field_of(s) == item.get("Values")]
    return paged(self, summaries, "Summaries")


def describe_stack_instance(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        instance = exceptions.instance(
            stackset, self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion")
        )
        return ActionResult({"StackInstance": instance.describe(stackset)})


def _operation(self: CloudFormationResponse) -> tuple[StackSet, Operation]:
    stackset = _get(self, self._get_param("StackSetName"))
    operation_id = self._get_param("OperationId")
    for operation in list(stackset.operations):  # a copy: another call may append meanwhile
        if operation.id == operation_id:
            return stackset, operation
    raise ApiError("OperationNotFoundException", f"Operation {operation_id} not found")


def describe_stack_set_operation(self: CloudFormationResponse) -> ActionResult:
    """Without the lock: AWS answers while other operations work, and an operation is listed
    only once its work is done (engine.run), its status then a function of the clock alone. A
    poll must not wait for another StackSet's CreateStackInstances to finish its stacks."""
    stackset, operation = _operation(self)
    detail = {**operation.summary(), "StackSetId": stackset.id, **stackset.roles()}
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
        summaries = [r.summary(running) for r in operation.results]
    return paged(self, summaries, "Summaries")


def stop_stack_set_operation(self: CloudFormationResponse) -> EmptyResult:
    with _lock:
        _, operation = _operation(self)
        if operation.running:
            operation.ends, operation.final_status = time.monotonic(), statuses.Operation.STOPPED
    return EmptyResult()


def detect_stack_set_drift(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        _operated(self, stackset)
        exceptions.refuse_second_detection(stackset)
        operation_id = self._get_param("OperationId") or str(uuid.uuid4())
        targets = list(stackset.instances.values())
        operation = engine.run(
            stackset,
            statuses.OperationAction.DETECT_DRIFT,
            targets,
            _preferences(self),
            operation_id,
            lambda instance: engine.detect_instance(stackset, instance, operation_id),
        )
        instance_drifts = [i.drift_status for i in targets]
        details = {
            "DriftStatus": statuses.Drift.DRIFTED
            if statuses.Drift.DRIFTED in instance_drifts
            else (
                statuses.Drift.IN_SYNC
                if targets and statuses.Drift.UNKNOWN not in instance_drifts
                else statuses.Drift.NOT_CHECKED
            ),
            "DriftDetectionStatus": statuses.StackSetDetection.COMPLETED
            if statuses.Drift.UNKNOWN not in instance_drifts
            else (
                statuses.StackSetDetection.PARTIAL_SUCCESS
                if len(set(instance_drifts)) > 1
                else statuses.StackSetDetection.FAILED
            ),
            "LastDriftCheckTimestamp": now(),
            "TotalStackInstancesCount": len(targets),
            "DriftedStackInstancesCount": instance_drifts.count(statuses.Drift.DRIFTED),
            "InSyncStackInstancesCount": instance_drifts.count(statuses.Drift.IN_SYNC),
            "InProgressStackInstancesCount": 0,
            "FailedStackInstancesCount": instance_drifts.count(statuses.Drift.UNKNOWN),
        }
        operation.drift_details = details
    return ActionResult({"OperationId": operation.id})


def list_stack_instance_resource_drifts(self: CloudFormationResponse) -> ActionResult:
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        account, region = self._get_param("StackInstanceAccount"), self._get_param("StackInstanceRegion")
        instance = exceptions.instance(stackset, account, region)
        if instance.drift_operation_id != self._get_param("OperationId"):
            raise ApiError(
                "OperationNotFoundException",
                f"No drift detection {self._get_param('OperationId')} for {account}/{region}",
            )
        wanted = self._get_param("StackInstanceResourceDriftStatuses") or []
        drifts = [d.to_api(instance.stack_id, stackset=True) for d in checked_records(instance.drifts, wanted)]
    return paged(self, drifts, "Summaries")


def list_stack_set_auto_deployment_targets(self: CloudFormationResponse) -> ActionResult:
    """The OUs (or root) a service-managed StackSet targets, each with its Regions
    (API_ListStackSetAutoDeploymentTargets,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackSetAutoDeploymentTargets.html)."""
    with _lock:
        stackset = _get(self, self._get_param("StackSetName"))
        summaries = [
            {"OrganizationalUnitId": unit, "Regions": sorted(regions)}
            for unit, regions in sorted(stackset.targets.items())
        ]
    return paged(self, summaries, "Summaries")


HANDLERS = {  # CreateStackSet and UpdateStackSet refuse a TemplateBody over AWS's limit first (limits.py)
    "detect_stack_set_drift": detect_stack_set_drift,
    "list_stack_instance_resource_drifts": list_stack_instance_resource_drifts,
    "create_stack_set": limits.body_checked(create_stack_set),
    "describe_stack_set": describe_stack_set,
    "list_stack_sets": list_stack_sets,
    "update_stack_set": limits.body_checked(update_stack_set),
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
    "list_stack_set_auto_deployment_targets": list_stack_set_auto_deployment_targets,
}


@patch(
    "the StackSet API is this engine's (moto's own StackSets update no stacks, keep no overrides, never fail "
    "an instance and ignore OperationIds and preferences)"
)
def _stackset_api() -> None:
    for name, handler in HANDLERS.items():
        replace(CloudFormationResponse, name, handler)
    # moto turns its StackSet's parameter and tag dicts into lists; ours are lists already
    transformers = CloudFormationResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER
    replace(
        CloudFormationResponse,
        "RESPONSE_KEY_PATH_TO_TRANSFORMER",
        {path: transform for path, transform in transformers.items() if not path.startswith("DescribeStackSetOutput")},
    )


__doc__ = document(__doc__, __name__)
