"""Stubber-side helpers: StackSet specs, fast fake waits, expected operations and call shapes."""

from __future__ import annotations

import io

from cfnops.cli.progress import PlainProgress
from cfnops.inputs.stackset_preferences import default_preferences
from cfnops.inputs.stacksets import StackSetSpec
from cfnops.rollout.operations import WaitSettings
from cfnops.rollout.plan import Actual, InstanceState
from templates_src.conventions import REGIONS
from templates_src.platform import PLATFORM

ADMIN = "111111111111"
ACCOUNTS = ("111111111111", "222222222222")
OUS = ("ou-abcd-11111111", "ou-abcd-22222222")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def make_spec(environment="staging", template="fraud-detection", model="SELF_MANAGED", **overrides) -> StackSetSpec:
    values = dict(
        key=template,
        name=f"{template}-{environment}",
        environment=environment,
        template=template,
        description=f"{template} ({environment})",
        administrator_region="us-east-1",
        regions=REGIONS,
        permission_model=model,
        accounts=ACCOUNTS if model == "SELF_MANAGED" else (),
        organizational_units=OUS if model == "SERVICE_MANAGED" else (),
        auto_deployment={"enabled": True, "retain_stacks_on_account_removal": True}
        if model == "SERVICE_MANAGED"
        else None,
        capabilities=("CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"),
        managed_execution=True,
        depends_on=(),
        tags={"Team": "fraud"},
        preferences=default_preferences(PLATFORM.environment(environment).production, REGIONS),
        production=PLATFORM.environment(environment).production,
        administration_role=PLATFORM.administration_role_of(environment),
        execution_role=PLATFORM.execution_role_of(environment),
    )
    values.update(overrides)
    return StackSetSpec(**values)


def quiet() -> PlainProgress:
    return PlainProgress(io.StringIO())


def fast(clock: FakeClock | None = None, timeout: float = 60) -> WaitSettings:
    clock = clock or FakeClock()
    return WaitSettings(timeout=timeout, first_poll=1.0, max_poll=4.0, sleep=clock.sleep, clock=clock, jitter=0.0)


def expect_operation(stub, name: str, operation_id: str, results, status="SUCCEEDED", action="CREATE") -> None:
    stub.add_response(
        "describe_stack_set_operation",
        {"StackSetOperation": {"OperationId": operation_id, "Action": action, "Status": status}},
        {"StackSetName": name, "OperationId": operation_id},
    )
    stub.add_response(
        "list_stack_set_operation_results",
        {
            "Summaries": [
                {"Account": a, "Region": r, "Status": s, **({"StatusReason": why} if why else {})}
                for a, r, s, why in results
            ]
        },
        {"StackSetName": name, "OperationId": operation_id},
    )


def stackset_arguments(desired, model="SELF_MANAGED") -> dict:
    arguments = {
        "StackSetName": desired.spec.name,
        "Description": desired.spec.description,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(desired.parameters.items())],
        "Capabilities": ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        "Tags": [
            {"Key": "Environment", "Value": desired.spec.environment},
            {"Key": "ManagedBy", "Value": "cfnops"},
            {"Key": "StackSet", "Value": desired.spec.key},
            {"Key": "Team", "Value": "fraud"},
        ],
        "ManagedExecution": {"Active": True},
        "PermissionModel": model,
    }
    if model == "SERVICE_MANAGED":
        arguments["AutoDeployment"] = {"Enabled": True, "RetainStacksOnAccountRemoval": True}
    else:  # the environment's own roles, the administration role in the administrator account
        arguments["AdministrationRoleARN"] = f"arn:aws:iam::{ADMIN}:role/{desired.spec.administration_role}"
        arguments["ExecutionRoleName"] = desired.spec.execution_role
    return arguments


def current(target: str, region: str, operation_id: str, ou: str | None = None) -> InstanceState:
    return InstanceState(
        target if not ou else "333333333333", region, ou or target, "CURRENT", "SUCCEEDED", "", operation_id
    )


def actual_of(desired, instances, **changes) -> Actual:
    values = dict(
        exists=True,
        template=desired.template,
        parameters=dict(desired.parameters),
        capabilities=frozenset(desired.spec.capabilities),
        tags=desired.tags,
        description=desired.spec.description,
        managed_execution=desired.spec.managed_execution,
        instances=tuple(instances),
        administration_role=desired.spec.administration_role,
        execution_role=desired.spec.execution_role,
    )
    values.update(changes)
    return Actual(**values)
