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
Nothing changed means no mutating call. A StackSet starts as soon as the StackSets it
depends on have succeeded, beside any other that is running (schedule.py). Under
ManagedExecution the operations of one step that act on different instances (one per
override set or region) run concurrently; each step still waits for the one before.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from ..awsfacts import statuses as aws_status
from ..awsfacts.cfn_limits import TEMPLATE_BODY_BYTES
from ..awsfacts.partitions import partition
from ..core.errors import OperationFailedError
from ..core.protocols import AwsFactory, Progress
from ..inputs.stacksets import StackSetSpec, levels
from . import artifacts, roles, schedule, staged, vouch
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
    # operations of one step at once where the StackSet allows it (concurrent_operations); False:
    # one after another, in a fixed order (tests that answer calls in order, botocore's Stubber)
    concurrent: bool = True


def retains_stacks(spec: StackSetSpec, choice: bool | None) -> bool:
    """Whether removing instances keeps their stacks (RetainStacks): a production
    environment's do unless told otherwise."""
    return spec.production if choice is None else choice


def concurrent_operations(spec: StackSetSpec) -> bool:
    """Whether one step's operations on different instances may run at once: ManagedExecution
    active (StackSets runs non-conflicting operations concurrently) and Regions deployed in
    parallel (RegionConcurrencyType PARALLEL). A SEQUENTIAL StackSet (production's: one Region
    at a time, in RegionOrder) keeps its Regions one after another across operations too."""
    return spec.managed_execution and spec.preferences.get("RegionConcurrencyType") == "PARALLEL"


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
        # the StackSet's properties each operation starts with (vouch.py): the desired ones unless an UpdateStackSet is due
        settled = not plan.actual.exists or not plan.stackset_changes
        self.state = vouch.state_digest(plan.desired) if settled else vouch.unsettled_digest()

    def run(self, call: Callable[..., dict], action: str, **arguments) -> None:
        """Start one StackSet operation and wait for it: ``call`` is the client's own method (no lookup by name)."""
        self.result.outcomes.append(self._operation(call, action, arguments))

    def _operation(self, call: Callable[..., dict], action: str, arguments: dict) -> Outcome:
        return self.runner.start(
            self.plan.name, action, lambda: call(**arguments), operation_id=arguments.get("OperationId", "")
        )

    def run_together(self, call: Callable[..., dict], action: str, requests: list[dict]) -> None:
        """Operations on different instances: at once under ManagedExecution (schedule.together), else in turn."""
        calls = [functools.partial(self._operation, call, action, arguments) for arguments in requests]
        concurrent = self.options.concurrent and concurrent_operations(self.plan.desired.spec)
        self.result.outcomes.extend(schedule.together(calls, concurrent))

    def apply(self) -> StackSetResult:
        plan, desired, spec = self.plan, self.plan.desired, self.plan.desired.spec
        if not plan.actual.exists:
            self.client.create_stack_set(
                **_stackset_properties(desired, self.account),
                **template_source(self.aws, desired, self.account, self.options.artifacts_bucket),
            )
            self.progress.note(spec.name, "created StackSet")
        self._update_regions(
            [
                (region, [t for t in desired.targets if (t, region) not in plan.add + plan.creating], None)
                for region in plan.update_overrides
            ]
        )
        if plan.actual.exists and plan.stackset_changes:
            # the OperationId vouches for the overrides it leaves: not while some are still a first creation's
            vouches = desired.all_digest if not plan.creating else digest({"creating": plan.creating})
            self.state = vouch.state_digest(desired)  # UpdateStackSet keeps its changes, whatever its operation does
            self.run(
                self.client.update_stack_set,
                aws_status.OperationAction.UPDATE,
                **_stackset_properties(desired, self.account),
                **template_source(self.aws, desired, self.account, self.options.artifacts_bucket),
                OperationPreferences=_preferences(spec, spec.regions),
                OperationId=new_operation_id(vouches, self.state),
            )
        if plan.retry and not plan.stackset_changes:
            self._retry()
        self._create_instances()
        self._protect()
        return self.result

    def _retry(self) -> None:
        """Instances left OUTDATED/FAILED, with their overrides; a failed first creation with protection still off."""
        desired = self.plan.desired
        updates: list[tuple[str, list[str], dict[str, str] | None]] = []
        for region in sorted({region for _, region in self.plan.retry}, key=desired.spec.regions.index):
            retry = [t for t, r in self.plan.retry if r == region]
            again = [t for t in retry if (t, region) in self.plan.creating]
            updates.append((region, [t for t in retry if t not in again], None))
            updates.append((region, again, desired.creation_overrides(region)))
        self._update_regions(updates)

    def _update_regions(self, updates: list[tuple[str, list[str], dict[str, str] | None]]) -> None:
        """UpdateStackInstances per (region, targets, overrides; None: the desired ones): distinct instances each."""
        desired, spec = self.plan.desired, self.plan.desired.spec
        requests = []
        for region, targets, given in updates:
            overrides = desired.overrides.get(region, {}) if given is None else given
            if targets:
                requests.append(
                    dict(
                        StackSetName=spec.name,
                        **_targets(spec, targets),
                        Regions=[region],
                        ParameterOverrides=_overrides(overrides),
                        OperationPreferences=_preferences(spec, [region]),
                        OperationId=new_operation_id(digest(overrides), self.state),
                    )
                )
        self.run_together(self.client.update_stack_instances, aws_status.OperationAction.UPDATE, requests)

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
        requests = [
            dict(
                StackSetName=spec.name,
                **_targets(spec, targets),
                Regions=regions,
                ParameterOverrides=_overrides(dict(overrides)),
                OperationPreferences=_preferences(spec, regions),
                OperationId=new_operation_id(digest(dict(overrides)), self.state),
            )
            for (overrides, targets), regions in groups.items()
        ]
        self.run_together(self.client.update_stack_instances, aws_status.OperationAction.UPDATE, requests)

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
        requests = []
        for overrides, (targets, regions) in groups.items():
            ordered = [r for r in spec.regions if r in regions]
            requests.append(
                dict(
                    StackSetName=spec.name,
                    **_targets(spec, targets),
                    Regions=ordered,
                    ParameterOverrides=_overrides(dict(overrides)),
                    OperationPreferences=_preferences(spec, ordered),
                    OperationId=new_operation_id(digest(dict(overrides)), self.state),
                )
            )
        self.run_together(self.client.create_stack_instances, aws_status.OperationAction.CREATE, requests)

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
            OperationId=new_operation_id(plan.desired.all_digest, self.state),
        )


def apply_all(
    aws: AwsFactory, plans: list[Plan], progress: Progress, options: DeployOptions, account: str, replans=None
) -> list[StackSetResult]:
    """Creates and updates, each StackSet once those it depends on succeeded (schedule.run_graph:
    concurrently with any other one ready); then removals, each once its dependents are removed.
    After a failure nothing new starts.
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

    keys = [spec.key for level in order for spec in level]
    needs = {plan.desired.spec.key: plan.desired.spec.depends_on for plan in plans}
    dependents = {key: [other for other, its in needs.items() if key in its] for key in keys}

    def run_graph(keys_in_order, edges, step, wanted) -> bool:
        def one(key: str) -> StackSetResult:
            return step(appliers[key]) if wanted(by_key[key]) else appliers[key].result

        return schedule.run_graph(keys_in_order, edges, one, lambda result: bool(result.failed))

    ok = run_graph(keys, needs, apply, lambda p: p.changed and (not p.actual.exists or _has_work(p)))
    if ok:
        run_graph(list(reversed(keys)), dependents, StackSetApplier.remove, lambda p: bool(p.remove))
    return [appliers[key].result for key in keys]


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
