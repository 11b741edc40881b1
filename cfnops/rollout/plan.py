"""Plan: what a StackSet should be (desired) against what it is (actual).

StackSets have no change sets; this is the preview. It reads at most two calls per
StackSet (DescribeStackSet, ListStackInstances) when cfnops made the last change to
every instance: each operation cfnops starts is named ``cfnops-<digest>-<state>-<random>``,
where the digest is that of the parameter overrides the operation leaves on the
instances it touches, and every instance reports its LastOperationId. An instance
whose last operation was not ours (console, another tool) has its overrides read with
DescribeStackInstance. When every instance's names the desired StackSet's state
(vouch.py), ListStackInstances alone: no DescribeStackSet.

Parameters: a key that any parameter file sets per region (``regions.<r>.<template>``)
is a per-region override on every instance; all other keys are StackSet parameters.
"""

from __future__ import annotations

import difflib
import json
import re
import uuid
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from ..awsfacts import statuses as aws_status
from ..changes import engine
from ..changes.resolve import Instance
from ..core.aws import error_code
from ..core.protocols import CloudFormationClient
from ..core.verdicts import PlanAction
from ..inputs import accounts
from ..inputs.params import ResolvedEnvironment
from ..inputs.platform import AWS_ADMINISTRATION_ROLE, AWS_EXECUTION_ROLE
from ..inputs.stacksets import StackSetSpec
from . import protection, vouch
from .vouch import digest

MASK = "****"
# cfnops-<overrides digest>-[<state digest>-]<random> (vouch.py: the state part)
OPERATION_ID = re.compile(r"^cfnops-([0-9a-f]{10})-(?:([0-9a-f]{10})-)?[0-9a-f]{12}$")
IN_FLIGHT = (aws_status.InstanceDetail.PENDING, aws_status.InstanceDetail.RUNNING)
DIFF_CONTEXT = 2


def new_operation_id(overrides_digest: str, state: str | None = None) -> str:
    """``state``: the digest of the StackSet's properties the operation starts with (vouch.py)."""
    middle = f"{overrides_digest}-{state}" if state else overrides_digest
    return f"cfnops-{middle}-{uuid.uuid4().hex[:12]}"


def operation_state(operation_id: str) -> str | None:
    """The state digest a cfnops operation id names, None for any other id."""
    match = OPERATION_ID.match(operation_id or "")
    return match[2] if match else None


@dataclass(frozen=True)
class Desired:
    spec: StackSetSpec
    template_text: str
    template: dict
    parameters: dict[str, str]
    overrides: dict[str, dict[str, str]]  # region -> key -> value
    targets: tuple[str, ...]  # accounts (SELF_MANAGED) or OU ids (SERVICE_MANAGED)
    tags: tuple[tuple[str, str], ...]
    region_reads: tuple = ()  # region_values.Read: values read from other regions' stack outputs

    @property
    def no_echo(self) -> frozenset[str]:
        return frozenset(k for k, v in self.template.get("Parameters", {}).items() if v.get("NoEcho"))

    def region_digest(self, region: str) -> str:
        return digest(self.overrides.get(region, {}))

    @property
    def all_digest(self) -> str:
        return digest({region: self.overrides.get(region, {}) for region in self.spec.regions})

    def effective(self, region: str) -> dict[str, str]:
        return {**self.parameters, **self.overrides.get(region, {})}

    def relaxation(self, region: str) -> dict[str, str]:
        """Deletion protection a first creation in ``region`` turns off (see protection.py)."""
        return protection.relaxed(protection.declared(self.template), self.effective(region))

    def creation_overrides(self, region: str) -> dict[str, str]:
        return {**self.overrides.get(region, {}), **self.relaxation(region)}

    def creation_digest(self, region: str) -> str:
        return digest(self.creation_overrides(region))


def build_desired(
    spec: StackSetSpec, template_text: str, resolved: ResolvedEnvironment, caller_account: str
) -> Desired:
    values = resolved.values[spec.template]
    per_region = sorted(
        {
            name
            for region in spec.regions
            for name, v in values[region].items()
            if v.key and v.key.startswith("regions.")
        }
    )
    targets = spec.organizational_units if spec.service_managed else accounts.targets(spec, caller_account)
    own = targets[0] if len(targets) == 1 and not spec.service_managed else None  # whose images {account} names

    def value(region: str, name: str) -> str:
        return accounts.expand(values[region][name].value, own) if own else values[region][name].value

    first = spec.regions[0]
    parameters = {k: value(first, k) for k in values[first]}
    overrides = {r: {k: value(r, k) for k in per_region} for r in spec.regions}
    tags = {"ManagedBy": "cfnops", "Environment": spec.environment, "StackSet": spec.key, **spec.tags}
    return Desired(
        spec,
        template_text,
        json.loads(template_text),
        parameters,
        overrides,
        tuple(dict.fromkeys(targets)),
        tuple(sorted(tags.items())),
    )


@dataclass(frozen=True)
class InstanceState:
    account: str
    region: str
    target: str  # account, or OU id for SERVICE_MANAGED
    status: str
    detailed: str
    reason: str
    last_operation_id: str
    drift_status: str = aws_status.Drift.NOT_CHECKED
    last_drift_check: str = ""
    stack_id: str = ""  # the instance's stack (in its account and region)

    @property
    def in_flight(self) -> bool:
        return self.detailed in IN_FLIGHT

    @property
    def healthy(self) -> bool:
        return self.status == aws_status.Instance.CURRENT


@dataclass(frozen=True)
class Actual:
    exists: bool
    template: dict | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    capabilities: frozenset[str] = frozenset()
    tags: tuple[tuple[str, str], ...] = ()
    description: str = ""
    managed_execution: bool = False
    instances: tuple[InstanceState, ...] = ()
    administration_role: str = AWS_ADMINISTRATION_ROLE  # the role's name (its ARN's last part)
    execution_role: str = AWS_EXECUTION_ROLE


def read_actual(client: CloudFormationClient, spec: StackSetSpec, desired: Desired | None = None) -> Actual:
    """DescribeStackSet + ListStackInstances (paginated). A StackSet that does not exist
    is ``Actual(exists=False)``: the plan creates it. Given ``desired``, ListStackInstances
    first, and no DescribeStackSet when the instances vouch for the desired properties (vouch.py)."""
    if desired is None:
        return _described(client, spec, None)
    try:
        instances = _instances(client, spec)
    except ClientError as error:
        if error_code(error) == "StackSetNotFoundException":
            return Actual(exists=False)
        raise
    if vouch.vouched(desired, instances, operation_state):
        return _as_desired(desired, instances)
    return _described(client, spec, instances)


def _as_desired(desired: Desired, instances: tuple[InstanceState, ...]) -> Actual:
    """What DescribeStackSet would answer for a StackSet whose properties are the desired ones."""
    spec = desired.spec
    return Actual(
        exists=True,
        template=desired.template,
        parameters={k: (MASK if k in desired.no_echo else v) for k, v in desired.parameters.items()},
        capabilities=frozenset(spec.capabilities),
        tags=desired.tags,
        description=spec.description,
        managed_execution=spec.managed_execution,
        instances=instances,
        **({} if spec.service_managed else {"administration_role": spec.administration_role}),
        **({} if spec.service_managed else {"execution_role": spec.execution_role}),
    )


def _described(client: CloudFormationClient, spec: StackSetSpec, instances: tuple[InstanceState, ...] | None) -> Actual:
    try:
        stackset = client.describe_stack_set(StackSetName=spec.name)["StackSet"]
    except ClientError as error:
        if error_code(error) == "StackSetNotFoundException":
            return Actual(exists=False)
        raise
    if stackset.get("Status") == aws_status.StackSet.DELETED:
        return Actual(exists=False)
    if instances is None:
        instances = _instances(client, spec)
    return Actual(
        exists=True,
        template=json.loads(stackset.get("TemplateBody") or "{}"),
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in stackset.get("Parameters", [])},
        capabilities=frozenset(stackset.get("Capabilities", [])),
        tags=tuple(sorted((t["Key"], t["Value"]) for t in stackset.get("Tags", []))),
        description=stackset.get("Description", ""),
        managed_execution=bool(stackset.get("ManagedExecution", {}).get("Active")),
        instances=instances,
        administration_role=(stackset.get("AdministrationRoleARN") or AWS_ADMINISTRATION_ROLE).rsplit("/", 1)[-1],
        execution_role=stackset.get("ExecutionRoleName") or AWS_EXECUTION_ROLE,
    )


def _instances(client: CloudFormationClient, spec: StackSetSpec) -> tuple[InstanceState, ...]:
    instances = []
    for page in client.get_paginator("list_stack_instances").paginate(StackSetName=spec.name):
        for summary in page["Summaries"]:
            instances.append(
                InstanceState(
                    account=summary["Account"],
                    region=summary["Region"],
                    target=summary.get("OrganizationalUnitId") if spec.service_managed else summary["Account"],
                    status=summary.get("Status", ""),
                    detailed=summary.get("StackInstanceStatus", {}).get("DetailedStatus", ""),
                    reason=summary.get("StatusReason", ""),
                    last_operation_id=summary.get("LastOperationId", ""),
                    drift_status=summary.get("DriftStatus", aws_status.Drift.NOT_CHECKED),
                    last_drift_check=_timestamp(summary.get("LastDriftCheckTimestamp")),
                    stack_id=summary.get("StackId", ""),
                )
            )
    return tuple(instances)


def _timestamp(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(value, "strftime") else str(value or "")


def read_overrides(client: CloudFormationClient, spec: StackSetSpec, instance: InstanceState) -> dict[str, str]:
    detail = client.describe_stack_instance(
        StackSetName=spec.name, StackInstanceAccount=instance.account, StackInstanceRegion=instance.region
    )["StackInstance"]
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in detail.get("ParameterOverrides", [])}


def vouched_overrides(desired: Desired, instance: InstanceState) -> dict[str, str] | None:
    """The overrides the instance's last operation left, when that operation was ours and
    left the desired overrides or a first creation's; None when they must be read."""
    match = OPERATION_ID.match(instance.last_operation_id or "")
    region = instance.region
    if match and match[1] in (desired.region_digest(region), desired.all_digest):
        return desired.overrides.get(region, {})
    if match and desired.relaxation(region) and match[1] == desired.creation_digest(region):
        return desired.creation_overrides(region)
    return None


@dataclass(frozen=True)
class ParameterChange:
    scope: str  # "StackSet" or "<region> (<targets>)"
    key: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class TemplateDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    modified: tuple[str, ...]
    text: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    desired: Desired
    actual: Actual
    stackset_changes: tuple[str, ...]  # StackSet-level properties that differ
    template_diff: TemplateDiff | None
    parameter_changes: tuple[ParameterChange, ...]
    add: tuple[tuple[str, str], ...]  # (target, region)
    update_overrides: tuple[str, ...]  # regions whose instances need new overrides
    retry: tuple[tuple[str, str], ...]  # OUTDATED/FAILED instances to apply again
    remove: tuple[tuple[str, str], ...]
    in_flight: tuple[InstanceState, ...]
    # deletion protection to turn on once created: new instances and those whose overrides still say "false"
    protect: tuple[tuple[str, str], ...] = ()
    creating: tuple[tuple[str, str], ...] = ()  # existing instances whose overrides are still a first creation's
    resources: tuple[engine.Group, ...] = ()  # resource changes, instances with identical ones grouped (cfnops/changes)
    # what deleting the stacks of removed instances removes: each resource a Remove with its DeletionPolicy
    removed_resources: tuple[engine.Group, ...] = ()

    @property
    def name(self) -> str:
        return self.desired.spec.name

    @property
    def action(self) -> PlanAction:
        if not self.actual.exists:
            return PlanAction.CREATE
        return PlanAction.UPDATE if self.changed else PlanAction.UNCHANGED

    @property
    def changed(self) -> bool:
        return bool(
            not self.actual.exists
            or self.stackset_changes
            or self.add
            or self.update_overrides
            or self.retry
            or self.remove
            or self.protect
        )


def template_diff(old: dict | None, new: dict) -> TemplateDiff:
    old_resources, new_resources = (old or {}).get("Resources", {}), new.get("Resources", {})
    added = tuple(sorted(set(new_resources) - set(old_resources)))
    removed = tuple(sorted(set(old_resources) - set(new_resources)))
    modified = tuple(sorted(k for k in set(old_resources) & set(new_resources) if old_resources[k] != new_resources[k]))
    text = difflib.unified_diff(
        json.dumps(old or {}, indent=2, sort_keys=True).splitlines(),
        json.dumps(new, indent=2, sort_keys=True).splitlines(),
        "deployed",
        "generated",
        n=DIFF_CONTEXT,
        lineterm="",
    )
    return TemplateDiff(added, removed, modified, tuple(text))


def _masked(desired: Desired, key: str, actual_value: str | None) -> bool:
    """NoEcho values come back as **** from the API: there is nothing to compare."""
    return key in desired.no_echo and actual_value == MASK


def _shown(desired: Desired, key: str, value: str | None) -> str | None:
    return MASK if value is not None and key in desired.no_echo else value


def _parameter_changes(
    desired: Desired, actual: Actual, actual_overrides: dict[tuple[str, str], dict]
) -> list[ParameterChange]:
    changes = []
    old, new = actual.parameters if actual.exists else {}, desired.parameters
    for key in sorted(set(old) | set(new)):
        if _masked(desired, key, old.get(key)) and key in new:
            continue  # NoEcho values are masked by the API: nothing to compare
        if old.get(key) != new.get(key):
            changes.append(
                ParameterChange("StackSet", key, _shown(desired, key, old.get(key)), _shown(desired, key, new.get(key)))
            )
    by_region: dict[tuple[str, str, str | None, str | None], list[str]] = {}
    for region in desired.spec.regions:
        for target in desired.targets:
            before = (
                {**old, **actual_overrides.get((target, region), {})} if (target, region) in actual_overrides else {}
            )
            after = desired.effective(region)
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key) and key in desired.overrides.get(region, {}):
                    by_region.setdefault((region, key, before.get(key), after.get(key)), []).append(target)
    for (region, key, old_value, new_value), targets in by_region.items():
        changes.append(
            ParameterChange(
                f"{region} ({', '.join(targets)})",
                key,
                _shown(desired, key, old_value),
                _shown(desired, key, new_value),
            )
        )
    return changes


def _stackset_changes(desired: Desired, actual: Actual) -> list[str]:
    if not actual.exists:
        return []
    spec, changes = desired.spec, []
    if actual.template != desired.template:
        changes.append("template")
    if any(
        actual.parameters.get(k) != v and not _masked(desired, k, actual.parameters.get(k))
        for k, v in desired.parameters.items()
    ) or set(actual.parameters) - set(desired.parameters):
        changes.append("parameters")
    checks = {
        "capabilities": actual.capabilities != frozenset(spec.capabilities),
        "tags": actual.tags != desired.tags,
        "description": actual.description != spec.description,
        "managed execution": actual.managed_execution != spec.managed_execution,
        "roles": not spec.service_managed
        and (actual.administration_role, actual.execution_role) != (spec.administration_role, spec.execution_role),
    }
    return changes + [name for name, differs in checks.items() if differs]


def resource_changes(
    desired: Desired, actual: Actual, actual_overrides: dict[tuple[str, str], dict]
) -> tuple[engine.Group, ...]:
    """Per wanted instance: the deployed template with its parameters (StackSet's + the
    instance's overrides) against the new one with the new parameters; a missing
    instance against nothing. An instance whose template and parameters are unchanged
    is not resolved at all."""
    spec, per_instance = desired.spec, []
    for region in spec.regions:
        for target in desired.targets:
            new = desired.effective(region)
            where = Instance(region, None if spec.service_managed else target)
            if (target, region) in actual_overrides:
                old = {**actual.parameters, **actual_overrides[(target, region)]}
                if actual.template == desired.template and old == new:
                    continue
                changes = engine.instance_changes(actual.template, old, desired.template, new, where)
            else:
                changes = engine.instance_changes(None, {}, desired.template, new, where)
            per_instance.append(((target, region), changes))
    return engine.group(per_instance)


def removed_resources(
    client: CloudFormationClient, desired: Desired, actual: Actual, removed: list[InstanceState]
) -> tuple[engine.Group, ...]:
    """The deployed template of each removed instance, resolved with its parameters, against
    nothing. Its overrides are read (DescribeStackInstance) unless its last operation was
    ours and left none."""
    spec, per_instance = desired.spec, []
    for instance in removed:
        match = OPERATION_ID.match(instance.last_operation_id or "")
        overrides = {} if match and match[1] == digest({}) else read_overrides(client, spec, instance)
        where = Instance(instance.region, None if spec.service_managed else instance.account)
        changes = engine.instance_changes(actual.template, {**actual.parameters, **overrides}, {}, {}, where)
        per_instance.append(((instance.target, instance.region), changes))
    return engine.group(per_instance)


def _still_creating(desired: Desired, instance: InstanceState, overrides: dict) -> bool:
    """Its first creation is unfinished: deletion protection still relaxed, no operation running."""
    return protection.still_relaxed(desired.relaxation(instance.region), overrides) and not instance.in_flight


def _stale(desired: Desired, key: tuple[str, str], overrides: dict, creating: set) -> bool:
    """Its overrides differ from the wanted ones (an unfinished creation's differ on purpose)."""
    return key not in creating and overrides != desired.overrides.get(key[1], {})


def _to_retry(instance: InstanceState, creating: set, stale_regions: list[str]) -> bool:
    """Unhealthy and idle, and no override update of its region will touch it anyway."""
    key = (instance.target, instance.region)
    return not instance.healthy and not instance.in_flight and (key in creating or instance.region not in stale_regions)


def _overrides_in_place(client: CloudFormationClient, desired: Desired, wanted: set, present: dict) -> dict:
    """Each wanted instance's overrides as they are: vouched for by cfnops, else read."""
    actual_overrides = {}
    for key, instance in present.items():
        if key in wanted:
            vouched = vouched_overrides(desired, instance)
            actual_overrides[key] = vouched if vouched is not None else read_overrides(client, desired.spec, instance)
    return actual_overrides


def _changed_template(desired: Desired, actual: Actual) -> TemplateDiff | None:
    """The template's diff when it changes (or the StackSet is new), else None."""
    if actual.exists and actual.template == desired.template:
        return None
    return template_diff(actual.template, desired.template)


def _relaxed(desired: Desired, add: list) -> set:
    """New instances whose region starts with relaxed values (a first creation)."""
    return {key for key in add if desired.relaxation(key[1])}


def make_plan(client: CloudFormationClient, desired: Desired, actual: Actual) -> Plan:
    """Compare; reads DescribeStackInstance only for instances whose overrides cfnops cannot vouch for."""
    spec = desired.spec
    wanted = {(t, r) for t in desired.targets for r in spec.regions}
    present = {(i.target, i.region): i for i in actual.instances}
    actual_overrides = _overrides_in_place(client, desired, wanted, present)
    creating = {k for k, overrides in actual_overrides.items() if _still_creating(desired, present[k], overrides)}
    stale_regions = sorted({key[1] for key, on in actual_overrides.items() if _stale(desired, key, on, creating)})
    retry = sorted(k for k, i in present.items() if k in wanted and _to_retry(i, creating, stale_regions))
    add = sorted(wanted - set(present))
    unwanted = sorted(set(present) - wanted)
    return Plan(
        desired=desired,
        actual=actual,
        stackset_changes=tuple(_stackset_changes(desired, actual)),
        template_diff=_changed_template(desired, actual),
        parameter_changes=tuple(_parameter_changes(desired, actual, actual_overrides)),
        add=tuple(add),
        update_overrides=tuple(r for r in spec.regions if r in stale_regions),
        retry=tuple(retry),
        remove=tuple(unwanted),
        in_flight=tuple(i for i in present.values() if i.in_flight),
        protect=tuple(sorted(creating | _relaxed(desired, add))),
        creating=tuple(sorted(creating)),
        resources=resource_changes(desired, actual, actual_overrides),
        removed_resources=removed_resources(client, desired, actual, [present[k] for k in unwanted]),
    )
