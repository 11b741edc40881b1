"""From a checkout to plans: everything offline first, then the reads.

``prepare`` refuses before any AWS call when generated/ is stale, lint finds anything,
a parameter file or a StackSet file is invalid. ``plan_all`` reads each StackSet; when
an earlier run's operation is still going it waits for it first, so that a plan is
always made on settled state and an interrupted rollout never starts an operation twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..build import lint, render
from ..changes import guard
from ..core.aws import translate_errors
from ..core.errors import InputError
from ..core.protocols import AwsFactory, Progress
from ..inputs import accounts, params, region_outputs
from ..inputs import stacksets as config
from ..inputs.paramfiles import unknown
from ..inputs.project import Project
from . import bootstrap, readiness, region_values, roles, staged
from .deploy import DeployOptions, StackSetResult, apply_all, deletes_stacks
from .operations import Runner, WaitSettings
from .plan import Plan, build_desired, make_plan, read_actual


@dataclass(frozen=True)
class Prepared:
    environment: str
    specs: list[config.StackSetSpec]
    texts: dict[str, str]
    resolved: params.ResolvedEnvironment
    all_specs: tuple[config.StackSetSpec, ...] = ()  # also those STACKSET= left out: sources of region_outputs


def prepare(project: Project, environment: str, only: tuple[str, ...] = (), run_lint: bool = True) -> Prepared:
    render.check(project)
    templates = render.read_generated(project)
    if run_lint:
        lint.raise_on_findings(lint.lint(project, list(project.platform.registry), list(project.platform.regions)))
    specs = config.load_project(project, environment, templates)
    resolved = params.resolve_deployed(project, environment, templates, specs)
    region_outputs.check_unset(resolved, specs)
    all_specs = tuple(specs)
    if only:
        known = {spec.key for spec in specs} | {spec.name for spec in specs}
        strangers = [name for name in only if name not in known]
        if strangers:
            raise InputError(
                f"STACKSET={strangers[0]}: " + unknown(strangers[0], sorted(s.key for s in specs), "StackSet")
            )
        specs = [spec for spec in specs if spec.key in only or spec.name in only]
    texts = {spec.template: project.template_path(spec.template).read_text(encoding="utf-8") for spec in specs}
    return Prepared(environment, specs, texts, resolved, all_specs)


def plan_all(aws: AwsFactory, prepared: Prepared, progress: Progress, wait: WaitSettings) -> tuple[str, list[Plan]]:
    """(caller account, one plan per StackSet in dependency order)."""
    with translate_errors():
        account = aws.account_id(prepared.specs[0].administrator_region)
        accounts.check(prepared.resolved, prepared.specs, account)  # before any other call
        region_outputs.check_accounts(prepared.specs, account, accounts.targets, prepared.all_specs)
        reader = region_values.OutputReader(aws, account)  # shared: nothing changes while planning
        plans = [plan_one(aws, prepared, spec, account, progress, wait, reader=reader)[0] for spec in prepared.specs]
    return account, plans


def plan_one(
    aws: AwsFactory,
    prepared: Prepared,
    spec: config.StackSetSpec,
    account: str,
    progress: Progress,
    wait: WaitSettings,
    hold_back: bool = False,
    reader: region_values.OutputReader | None = None,
) -> tuple[Plan, dict]:
    """(plan, region -> values it still waits for). With ``hold_back``, regions whose values
    from other regions are not all known are left out of the plan (a pass of staged.py).
    ``reader``: the outputs read so far (instances of StackSets already planned included)."""
    client = aws.client("cloudformation", spec.administrator_region)
    desired = build_desired(spec, prepared.texts[spec.template], prepared.resolved, account)
    blocked: dict = {}
    actual = read_actual(client, spec)
    reader = reader or region_values.OutputReader(aws, account)
    reader.know(spec, actual.instances)
    if spec.region_outputs:
        by_key = {s.key: s for s in prepared.all_specs or prepared.specs}
        values = region_values.read(reader, spec, by_key)
        desired, blocked = region_values.with_values(desired, values), values.blocked
        if hold_back:
            desired = region_values.held_back(desired, blocked)
    if any(instance.in_flight for instance in actual.instances):
        runner = Runner(client, progress, wait)
        running = runner.running_operation(spec.name)
        if running:
            progress.note(spec.name, f"an earlier operation ({running}) is still running: waiting for it")
            runner.wait(spec.name, running, "EARLIER")
        actual = read_actual(client, spec)
    plan = make_plan(client, desired, actual)
    return (staged.hold_back_removals(plan, blocked) if hold_back else plan), blocked


def check_bootstrapped(project: Project, aws: AwsFactory, account: str, prepared: Prepared) -> None:
    """Before the first change: bootstrap's stack, roles and bucket in every administrator region (reads only)."""
    regions = list(dict.fromkeys(spec.administrator_region for spec in prepared.specs))
    template = json.loads(project.template_path(project.platform.bootstrap).read_text(encoding="utf-8"))
    readiness.require(aws, account, regions, template, prepared.environment, project.platform.artifacts_bucket)


@dataclass(frozen=True)
class Rollout:
    account: str
    plans: list[Plan]
    results: list[StackSetResult]


def deploy_environment(
    project: Project,
    environment: str,
    aws: AwsFactory,
    progress: Progress,
    options: DeployOptions,
    only: tuple[str, ...] = (),
    run_lint: bool = True,
    on_plans=None,
) -> Rollout:
    """`make deploy`: offline checks, plans, the guard (changes/guard.py), then changes (none when nothing differs)."""
    prepared = prepare(project, environment, only, run_lint=run_lint)
    guard.check_names(options.allow_replace, prepared.specs)
    account, plans = plan_all(aws, prepared, progress, options.wait)
    if on_plans:
        on_plans(plans)
    roles.refuse_failover(
        plans, options.allow_failover, lambda spec: project.display(project.root / "stacksets" / f"{spec.key}.yaml")
    )
    guard.enforce(
        project.platform.environment(environment),
        plans,
        options.allow_replace,
        lambda line: progress.note("guard", line),
        lambda plan: deletes_stacks(plan, options),
    )
    results = []
    if any(plan.changed for plan in plans):
        with translate_errors():
            check_bootstrapped(project, aws, account, prepared)
            replans = {
                spec.key: (
                    lambda spec=spec: plan_one(aws, prepared, spec, account, progress, options.wait, hold_back=True)
                )
                for spec in prepared.specs
                if spec.region_outputs
            }
            results = apply_all(aws, plans, progress, options, account, replans)
    return Rollout(account, plans, results)


def bootstrap_environment(
    project: Project, environment: str, connect: Callable[[str], AwsFactory], wait: WaitSettings, recreate: bool
) -> Iterator[tuple[str, str]]:
    """`make bootstrap`: its template checked offline (fresh, lint), its values resolved, then
    (``connect``: an AWS session that has answered, in the first region) its stack in each
    administrator region, the first one (RoleRegion) first; yields (region, what was done)."""
    template = project.platform.bootstrap
    render.check(project)
    templates = render.read_generated(project)
    lint.raise_on_findings(lint.lint(project, [template], list(project.platform.regions)))
    specs = config.load_project(project, environment, templates)
    resolved = params.resolve_deployed(project, environment, templates, specs)
    regions = list(dict.fromkeys(spec.administrator_region for spec in specs))
    text = project.template_path(template).read_text(encoding="utf-8")
    aws = connect(regions[0])
    account = aws.account_id(regions[0])
    for region in regions:
        values = resolved.plain(template, region)
        values["RoleRegion"] = regions[0]
        request = bootstrap.Request(
            region,
            text,
            values,
            wait,
            environment,
            recreate,
            artifacts_bucket=project.platform.bucket(account, region),
            bucket_pattern=project.platform.artifacts_bucket,
            writers_parameter=project.platform.artifacts_writers,
            account=account,
        )
        yield region, bootstrap.deploy_region(aws, request)
