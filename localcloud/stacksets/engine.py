"""The StackSet operation engine: an operation over instances, Region by Region in
RegionOrder, batch by batch within MaxConcurrentCount and FailureToleranceCount; each
instance's stack created, updated, deleted or checked for drift under its execution role."""

from __future__ import annotations

import os
import time
import uuid

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import ValidationError

from cfnops.awsfacts import statuses

from ..cloudformation import permissions
from ..core.failures import UPDATE_FAILURE, message_of
from ..core.responses import ApiError
from ..drift.engine import ReadError, detect_stack
from ..drift.models import stack_status
from . import roles
from .exceptions import refuse_while_busy
from .models import OPERATION_ID, Instance, Operation, Result, StackSet, now


def operation_seconds() -> float:
    return float(os.environ.get("LOCALCLOUD_OPERATION_SECONDS", "0"))


def deploy(stackset: StackSet, instance: Instance) -> Result:
    """Create or update the instance's stack; a failure is the instance's, not the call's."""
    backend = cfn_models.cloudformation_backends[instance.account][instance.region]
    parameters = {**stackset.parameters, **instance.overrides}
    try:
        if stackset.service_managed:
            roles.prepare_member(stackset.account, instance.account, stackset.template)
        permissions.run_as(stackset, instance)
        stack = existing_stack(backend, instance)
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
            raise UPDATE_FAILURE.of(stack).error or RuntimeError(f"stack {stack.status}")
    except Exception as error:  # noqa: BLE001 - any stack failure fails this instance only
        reason = message_of(error)  # a ResourceFailure names its resource (core/failures.py)
        rollback = _discard_failed_stack(backend, instance)
        if rollback:
            reason = f"{reason}; the rollback failed too: {rollback}"
        instance.status, instance.detailed, instance.reason = (
            statuses.Instance.OUTDATED,
            statuses.InstanceDetail.FAILED,
            reason,
        )
        return Result(instance.account, instance.region, statuses.Result.FAILED, instance.reason)
    instance.status, instance.detailed, instance.reason = (
        statuses.Instance.CURRENT,
        statuses.InstanceDetail.SUCCEEDED,
        "",
    )
    return Result(instance.account, instance.region, statuses.Result.SUCCEEDED)


def existing_stack(backend, instance: Instance):
    for stack in backend.stacks.values():
        if stack.name == instance.stack_name and stack.status != statuses.Stack.DELETE_COMPLETE:
            return stack
    return None


def _discard_failed_stack(backend, instance: Instance) -> str:
    """A stack that failed to create is rolled back: what it created is deleted again
    (but for DeletionPolicy Retain, as on AWS). Returns why the rollback failed, if it did
    (the stack stays ROLLBACK_FAILED, as on AWS, with that reason in its events)."""
    stack = existing_stack(backend, instance)
    if stack is None or not stack.status.startswith("CREATE"):
        return ""
    try:
        stack.resource_map.delete(rollback=True)
    except Exception as error:  # noqa: BLE001 - e.g. deletion protection: the stack stays, as on AWS
        stack.status = statuses.Stack.ROLLBACK_FAILED
        stack._add_stack_event(stack.status, resource_status_reason=message_of(error))
        return message_of(error)
    backend.stacks.pop(stack.stack_id, None)
    for export in list(backend.exports.values()):
        if export.exporting_stack_id == stack.stack_id:
            backend.exports.pop(export.name, None)
    return ""


def remove(stackset: StackSet, instance: Instance, retain: bool) -> Result:
    if not retain:
        backend = cfn_models.cloudformation_backends[instance.account][instance.region]
        try:
            permissions.run_as(stackset, instance)
            if existing_stack(backend, instance) is not None:
                backend.delete_stack(instance.stack_name)
        except Exception as error:  # noqa: BLE001 - the instance fails, not the call
            reason = message_of(error)
            instance.status, instance.detailed, instance.reason = (
                statuses.Instance.OUTDATED,
                statuses.InstanceDetail.FAILED,
                f"Stack deletion failed: {reason}",
            )
            return Result(instance.account, instance.region, statuses.Result.FAILED, instance.reason)
    return Result(instance.account, instance.region, statuses.Result.SUCCEEDED)


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
                        instance.account,
                        instance.region,
                        statuses.Result.CANCELLED,
                        "Cancelled since failure tolerance has exceeded",
                        instance.unit,
                    )
                )
                continue
            result = work(instance)
            result.unit = instance.unit
            failures += result.status == statuses.Result.FAILED
            operation.results.append(result)
        stopped = stopped or failures > tolerance
    return failures > tolerance


def run(
    stackset: StackSet,
    action: str,
    targets: list[Instance],
    preferences: dict,
    operation_id: str | None,
    work,
    retain: bool | None = None,
    deployment_targets: dict | None = None,
    automatic: bool = False,
) -> Operation:
    """Start an operation over ``targets`` (region by region, in RegionOrder);
    ``automatic``: StackSets' own (auto-deployment), queued behind a running one, never refused."""
    if not automatic:
        refuse_while_busy(stackset)
    operation_id = operation_id or str(uuid.uuid4())
    if not OPERATION_ID.match(operation_id):
        raise ValidationError(message=f"Invalid OperationId {operation_id}")
    if any(op.id == operation_id for op in stackset.operations):
        raise ApiError("OperationIdAlreadyExistsException", f"Operation {operation_id} already exists")
    started = time.monotonic()
    keys = frozenset((i.account, i.region) for i in targets)
    begins = stackset.queued_until(keys, started) if stackset.managed_execution else started
    operation = Operation(
        operation_id, action, preferences, retain, started, begins + operation_seconds(), targets=keys, begins=begins
    )
    operation.deployment_targets = deployment_targets
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
        operation.final_status, operation.reason = (
            statuses.Operation.FAILED,
            "The Operation failed: failure tolerance exceeded",
        )
    # visible RUNNING time starts once the work is done, or once what it queues behind has ended
    operation.begins = max(operation.begins, time.monotonic())
    operation.ends = operation.begins + operation_seconds()
    stackset.operations.append(operation)
    return operation


def detect_instance(stackset: StackSet, instance: Instance, operation_id: str) -> Result:
    backend = cfn_models.cloudformation_backends[instance.account][instance.region]
    stack = existing_stack(backend, instance)
    instance.previous_drift = (instance.drift_status, instance.last_drift_check)
    instance.last_drift_check, instance.drift_operation_id = now(), operation_id
    if stack is None:
        instance.drift_status, instance.drifts = statuses.Drift.UNKNOWN, []
        return Result(instance.account, instance.region, statuses.Result.FAILED, "Stack instance has no stack to check")
    try:
        instance.drifts = detect_stack(stack)
    except ReadError as error:  # an emulator error, never drift: the instance's detection failed, with it
        instance.drift_status, instance.drifts = statuses.Drift.UNKNOWN, []
        return Result(instance.account, instance.region, statuses.Result.FAILED, str(error))
    instance.drift_status = stack_status(instance.drifts)
    return Result(instance.account, instance.region, statuses.Result.SUCCEEDED)
