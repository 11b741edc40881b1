"""Apply plans: the only module that changes StackSets.

For one StackSet, in this order (each operation waited for before the next):
  1. CreateStackSet when missing (synchronous);
  2. UpdateStackInstances for regions whose overrides differ (full override list);
  3. UpdateStackSet when the template, parameters, tags, capabilities, description or
     ManagedExecution differ: one operation reaches every instance;
  4. UpdateStackInstances again for instances left OUTDATED or FAILED by earlier runs;
  5. CreateStackInstances for missing account x region pairs (one call per distinct
     override set), with deletion protection off (protection.py); with region roles
     (roles.py) the primary region's first, waited for, then the others;
  6. UpdateStackInstances that turns deletion protection on where a creation succeeded
     (and where an earlier creation left it off);
  7. DeleteStackInstances for extra ones, only when pruning; production (prod) retains the stacks.
Nothing changed means no mutating call. StackSets of one dependency level run
concurrently; the next level starts when the previous one succeeded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..awsfacts import statuses as aws_status
from ..awsfacts.cfn_limits import TEMPLATE_BODY_BYTES
from ..awsfacts.partitions import partition
from ..core.errors import OperationFailedError
from ..core.protocols import AwsFactory, Progress
from ..inputs.stacksets import StackSetSpec, levels
from . import artifacts, roles, staged
from .operations import Outcome, Runner, WaitSettings
from .plan import Desired, Plan, digest, new_operation_id


@dataclass(frozen=True)
class DeployOptions:
    artifacts_bucket: str  # the platform's bucket name, {account} and {region} to fill
    prune: bool = False
    retain_stacks: bool | None = None  # None: retain in production environments (prod) only
    allow_failover: bool = False  # a new primary region (roles.py) only when asked for
    wait: WaitSettings = field(default_factory=WaitSettings)
    allow_replace: frozenset[tuple[str, str]] = frozenset()  # (StackSet, LogicalId) the run allows to replace or remove


def retains_stacks(spec: StackSetSpec, choice: bool | None) -> bool:
    """Whether removing instances keeps their stacks (RetainStacks): a production
    environment's do unless told otherwise."""
    return spec.production if choice is None else choice


def deletes_stacks(plan: Plan, options: DeployOptions) -> bool:
    """This run deletes the stacks of the instances the plan removes."""
    return bool(plan.remove) and options.prune and not retains_stacks(plan.desired.spec, options.retain_stacks)


@dataclass
class StackSetResult:
    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list:
        return [(o, r) for o in self.outcomes for r in o.failed] + [
            (o, None) for o in self.outcomes if not o.succeeded and not o.failed
        ]


def artifacts_bucket(pattern: str, account: str, region: str) -> str:
    """Created by `make bootstrap` in each administrator region; named by the platform."""
    return pattern.format(account=account, region=region)


def template_source(aws: AwsFactory, desired: Desired, account: str, bucket_pattern: str) -> dict:
    """TemplateBody up to 51,200 bytes; larger templates go through the artifacts bucket."""
    body = desired.template_text.encode()
    if len(body) <= TEMPLATE_BODY_BYTES:
        return {"TemplateBody": desired.template_text}
    region = desired.spec.administrator_region
    bucket = artifacts_bucket(bucket_pattern, account, region)
    key = f"templates/{desired.spec.name}/{hashlib.sha256(body).hexdigest()}.json"
    return {"TemplateURL": artifacts.upload(aws.client("s3", region), bucket, region, key, body)}


def _targets(spec: StackSetSpec, targets) -> dict:
    if spec.service_managed:
        return {"DeploymentTargets": {"OrganizationalUnitIds": list(targets)}}
    return {"Accounts": list(targets)}


def _preferences(spec: StackSetSpec, regions) -> dict:
    preferences = dict(spec.preferences)
    if "RegionOrder" in preferences:
        preferences["RegionOrder"] = [r for r in preferences["RegionOrder"] if r in regions]
    return preferences


def _overrides(values: dict[str, str]) -> list[dict]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]


def administration_role_arn(spec: StackSetSpec, account: str) -> str:
    """The StackSet's administration role, in the administrator (calling) account."""
    return f"arn:{partition(spec.administrator_region)}:iam::{account}:role/{spec.administration_role}"


def _stackset_properties(desired: Desired, account: str) -> dict:
    spec = desired.spec
    properties = {
        "StackSetName": spec.name,
        "Description": spec.description,
        "Parameters": _overrides(desired.parameters),
        "Capabilities": list(spec.capabilities),
        "Tags": [{"Key": k, "Value": v} for k, v in desired.tags],
        "ManagedExecution": {"Active": spec.managed_execution},
    }
    if spec.service_managed:
        properties["PermissionModel"] = "SERVICE_MANAGED"
        auto = spec.auto_deployment or {}
        properties["AutoDeployment"] = {
            "Enabled": bool(auto.get("enabled", True)),
            "RetainStacksOnAccountRemoval": bool(auto.get("retain_stacks_on_account_removal", True)),
        }
    else:
        # each environment's own roles (the platform names them): passed on every call, as
        # UpdateStackSet requires once a StackSet has a customised administration role
        properties["PermissionModel"] = "SELF_MANAGED"
        properties["AdministrationRoleARN"] = administration_role_arn(spec, account)
        properties["ExecutionRoleName"] = spec.execution_role
    return properties


class StackSetApplier:
    def __init__(self, aws: AwsFactory, plan: Plan, progress: Progress, options: DeployOptions, account: str):
        self.plan, self.options, self.aws, self.account = plan, options, aws, account
        spec = plan.desired.spec
        self.client = aws.client("cloudformation", spec.administrator_region)
        self.runner = Runner(self.client, progress, options.wait)
        self.progress = progress
        self.result = StackSetResult(plan)
        self.not_created: set[tuple[str, str]] = set()  # (target, region) a failed primary held back

    def run(self, call: Callable[..., dict], action: str, **arguments) -> None:
        """Start one StackSet operation: ``call`` is the client's own method (no lookup by name)."""
        outcome = self.runner.start(
            self.plan.name, action, lambda: call(**arguments), operation_id=arguments.get("OperationId", "")
        )
        self.result.outcomes.append(outcome)

    def apply(self) -> StackSetResult:
        plan, desired, spec = self.plan, self.plan.desired, self.plan.desired.spec
        if not plan.actual.exists:
            self.client.create_stack_set(
                **_stackset_properties(desired, self.account),
                **template_source(self.aws, desired, self.account, self.options.artifacts_bucket),
            )
            self.progress.note(spec.name, "created StackSet")
        for region in plan.update_overrides:
            self._update_instances(region, [t for t in desired.targets if (t, region) not in plan.add + plan.creating])
        if plan.actual.exists and plan.stackset_changes:
            # the OperationId vouches for the overrides it leaves: not while some are still a first creation's
            vouches = desired.all_digest if not plan.creating else digest({"creating": plan.creating})
            self.run(
                self.client.update_stack_set,
                aws_status.OperationAction.UPDATE,
                **_stackset_properties(desired, self.account),
                **template_source(self.aws, desired, self.account, self.options.artifacts_bucket),
                OperationPreferences=_preferences(spec, spec.regions),
                OperationId=new_operation_id(vouches),
            )
        if plan.retry and not plan.stackset_changes:
            self._retry()
        self._create_instances()
        self._protect()
        return self.result

    def _retry(self) -> None:
        """Instances left OUTDATED/FAILED, with their overrides; a failed first creation with protection still off."""
        desired = self.plan.desired
        for region in sorted({region for _, region in self.plan.retry}, key=desired.spec.regions.index):
            retry = [t for t, r in self.plan.retry if r == region]
            again = [t for t in retry if (t, region) in self.plan.creating]
            self._update_instances(region, [t for t in retry if t not in again])
            self._update_instances(region, again, desired.creation_overrides(region))

    def _update_instances(self, region: str, targets: list[str], overrides: dict[str, str] | None = None) -> None:
        desired, spec = self.plan.desired, self.plan.desired.spec
        overrides = desired.overrides.get(region, {}) if overrides is None else overrides
        if targets:
            self.run(
                self.client.update_stack_instances,
                aws_status.OperationAction.UPDATE,
                StackSetName=spec.name,
                **_targets(spec, targets),
                Regions=[region],
                ParameterOverrides=_overrides(overrides),
                OperationPreferences=_preferences(spec, [region]),
                OperationId=new_operation_id(digest(overrides)),
            )

    def _protect(self) -> None:
        """Deletion protection on, with the environment's overrides, where the stack now exists:
        one UpdateStackInstances per distinct override set, none where this deploy saw a failure."""
        desired, spec = self.plan.desired, self.plan.desired.spec
        unsettled = self._unsettled()
        groups: dict[tuple, list[str]] = {}
        for region in spec.regions:
            targets = tuple(t for t, r in self.plan.protect if r == region and not unsettled(t, region))
            if targets:
                groups.setdefault((tuple(sorted(desired.overrides.get(region, {}).items())), targets), []).append(
                    region
                )
        for (overrides, targets), regions in groups.items():
            self.run(
                self.client.update_stack_instances,
                aws_status.OperationAction.UPDATE,
                StackSetName=spec.name,
                **_targets(spec, targets),
                Regions=regions,
                ParameterOverrides=_overrides(dict(overrides)),
                OperationPreferences=_preferences(spec, regions),
                OperationId=new_operation_id(digest(dict(overrides))),
            )

    def _unsettled(self):
        """(target, region) -> True when an operation of this deploy did not succeed there."""
        if any(not o.succeeded and not o.results for o in self.result.outcomes):
            return lambda target, region: True
        failed = {
            (r.account, r.region)
            for o in self.result.outcomes
            for r in o.results
            if r.status != aws_status.Result.SUCCEEDED
        }
        failed |= self.not_created
        regions = {region for _, region in failed}
        if self.plan.desired.spec.service_managed:  # targets are OUs: a failure anywhere in the region counts
            return lambda target, region: region in regions
        return lambda target, region: (target, region) in failed

    def _create_instances(self) -> None:
        """One call per distinct override set; with region roles, the primary region's
        call first and waited for, the others only when it succeeded (roles.py)."""
        desired, spec = self.plan.desired, self.plan.desired.spec
        adding = [region for _, region in self.plan.add]
        waves = roles.creation_waves(spec.regions, adding, spec.primary, roles.has_roles(desired.template))
        for number, wave in enumerate(waves):
            if number and self.result.failed:
                self.progress.note(
                    spec.name, f"NOT creating {', '.join(wave)}: the primary region {spec.primary} failed"
                )
                self.not_created = {(t, r) for t, r in self.plan.add if r not in waves[0]}
                return
            self._create_wave([(t, r) for t, r in self.plan.add if r in wave])

    def _create_wave(self, pairs: list[tuple[str, str]]) -> None:
        desired, spec = self.plan.desired, self.plan.desired.spec
        groups: dict[tuple, tuple[list, list]] = {}
        for target, region in sorted(pairs, key=lambda pair: spec.regions.index(pair[1])):
            overrides = tuple(sorted(desired.creation_overrides(region).items()))
            targets, regions = groups.setdefault(overrides, ([], []))
            if target not in targets:
                targets.append(target)
            if region not in regions:
                regions.append(region)
        for overrides, (targets, regions) in groups.items():
            ordered = [r for r in spec.regions if r in regions]
            self.run(
                self.client.create_stack_instances,
                aws_status.OperationAction.CREATE,
                StackSetName=spec.name,
                **_targets(spec, targets),
                Regions=ordered,
                ParameterOverrides=_overrides(dict(overrides)),
                OperationPreferences=_preferences(spec, ordered),
                OperationId=new_operation_id(digest(dict(overrides))),
            )

    def remove(self) -> StackSetResult:
        self._remove_instances()
        return self.result

    def _remove_instances(self) -> None:
        plan, spec = self.plan, self.plan.desired.spec
        if not plan.remove:
            return
        if not self.options.prune:
            pairs = ", ".join(f"{target}/{region}" for target, region in plan.remove)
            self.progress.note(spec.name, f"NOT removing {pairs}: pass PRUNE=1 (--prune) to remove them")
            return
        retain = retains_stacks(spec, self.options.retain_stacks)
        targets = sorted({t for t, _ in plan.remove})
        regions = sorted({r for _, r in plan.remove})
        self.run(
            self.client.delete_stack_instances,
            aws_status.OperationAction.DELETE,
            StackSetName=spec.name,
            **_targets(spec, targets),
            Regions=regions,
            RetainStacks=retain,
            OperationPreferences=_preferences(spec, regions),
            OperationId=new_operation_id(plan.desired.all_digest),
        )


def apply_all(
    aws: AwsFactory, plans: list[Plan], progress: Progress, options: DeployOptions, account: str, replans=None
) -> list[StackSetResult]:
    """Creates and updates level by level (dependencies first), StackSets of a level
    concurrently; then removals in reverse (dependents first). A failed level stops it.
    ``replans``: StackSet key -> a fresh (plan, held-back regions) for StackSets that read
    other regions' outputs, applied in passes (staged.py) once their level is reached."""
    by_key = {plan.desired.spec.key: plan for plan in plans}
    appliers = {key: StackSetApplier(aws, plan, progress, options, account) for key, plan in by_key.items()}
    order = levels([plan.desired.spec for plan in plans])

    def apply(applier: StackSetApplier) -> StackSetResult:
        replan = (replans or {}).get(applier.plan.desired.spec.key)
        if replan is None:
            return applier.apply()
        staged.apply_in_passes(
            replan,
            lambda plan: StackSetApplier(aws, plan, progress, options, account).apply(),
            lambda plan: plan.changed and (not plan.actual.exists or _has_work(plan)),
            applier.result.outcomes,
            len(applier.plan.desired.spec.regions) + 1,
        )
        return applier.result

    def run_levels(groups, step, wanted) -> bool:
        for level in groups:
            todo = [appliers[spec.key] for spec in level if wanted(by_key[spec.key])]
            if todo:
                with ThreadPoolExecutor(max_workers=len(todo)) as pool:
                    done = list(pool.map(step, todo))
                if any(result.failed for result in done):
                    return False
        return True

    ok = run_levels(order, apply, lambda p: p.changed and (not p.actual.exists or _has_work(p)))
    if ok:
        run_levels(list(reversed(order)), StackSetApplier.remove, lambda p: bool(p.remove))
    return [appliers[spec.key].result for level in order for spec in level]


def _has_work(plan: Plan) -> bool:
    return bool(plan.stackset_changes or plan.add or plan.update_overrides or plan.retry or plan.protect)


def failures(results: list[StackSetResult]) -> list[str]:
    """One line per failed instance (or failed operation), with the reason AWS gave."""
    lines = []
    for result in results:
        for outcome, instance in result.failed:
            if instance is None:
                lines.append(
                    f"{result.plan.name}: operation {outcome.operation_id} {outcome.status}: {outcome.reason or 'no reason given'}"
                )
            else:
                lines.append(
                    f"{result.plan.name}: {instance.account}/{instance.region} {instance.status}: "
                    f"{instance.reason or 'no reason given'} (operation {outcome.operation_id})"
                )
    return lines


def raise_on_failure(results: list[StackSetResult]) -> None:
    lines = failures(results)
    if lines:
        raise OperationFailedError("\n".join(lines))
