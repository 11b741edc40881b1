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
from ..core.errors import InputError, OperationFailedError
from ..core.protocols import AwsFactory, Progress
from ..inputs import accounts, organization, params, region_outputs
from ..inputs import stacksets as config
from ..inputs.paramfiles import unknown
from ..inputs.project import Project
from . import bootstrap, member_accounts, member_bootstrap, readiness, region_values, roles, staged
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
    organization: organization.Organization = organization.SINGLE_ACCOUNT  # organization.yaml


def prepare(project: Project, environment: str, only: tuple[str, ...] = (), run_lint: bool = True) -> Prepared:
    layout = organization.load_project(project)  # before anything else: where the environment deploys
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
    return Prepared(environment, specs, texts, resolved, all_specs, layout)


def plan_all(aws: AwsFactory, prepared: Prepared, progress: Progress, wait: WaitSettings) -> tuple[str, list[Plan]]:
    """(caller account, one plan per StackSet in dependency order)."""
    account, _, plans = plan_settled(aws, prepared, progress, wait)
    return account, plans


def plan_settled(
    aws: AwsFactory, prepared: Prepared, progress: Progress, wait: WaitSettings
) -> tuple[str, Prepared, list[Plan]]:
    """(caller account, ``prepared`` with the environment's accounts read, one plan per StackSet)."""
    with translate_errors():
        account = aws.account_id(prepared.specs[0].administrator_region)
        prepared = member_accounts.settled(aws, prepared, account)  # organization.yaml's accounts, read now
        accounts.check(prepared.resolved, prepared.specs, account)  # before any other call
        region_outputs.check_accounts(prepared.specs, account, accounts.targets, prepared.all_specs)
        reader = region_values.OutputReader(aws, account)  # shared: nothing changes while planning
        plans = [plan_one(aws, prepared, spec, account, progress, wait, reader=reader)[0] for spec in prepared.specs]
    return account, prepared, plans


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
    actual = read_actual(client, spec, desired)
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
        actual = read_actual(client, spec, desired)
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
    account, prepared, plans = plan_settled(aws, prepared, progress, options.wait)
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
    project: Project,
    environment: str,
    connect: Callable[[str], AwsFactory],
    wait: WaitSettings,
    recreate: bool,
    progress: Progress | None = None,
) -> Iterator[tuple[str, str]]:
    """`make bootstrap`: its template checked offline (fresh, lint), its values resolved, then
    (``connect``: an AWS session that has answered, in the first region) its stack in each
    administrator region, the first one (RoleRegion) first; yields (where, what was done). In the
    organization layout the caller must be the deployment account, and the environment's OUs
    then get their bootstrap through a service-managed StackSet (member_bootstrap.py)."""
    template = project.platform.bootstrap
    layout = organization.load_project(project)  # a broken organization.yaml is refused before any call
    render.check(project)
    templates = render.read_generated(project)
    lint.raise_on_findings(lint.lint(project, [template], list(project.platform.regions)))
    specs = config.load_project(project, environment, templates)
    resolved = params.resolve_deployed(project, environment, templates, specs)
    regions = list(dict.fromkeys(spec.administrator_region for spec in specs))
    text = project.template_path(template).read_text(encoding="utf-8")
    aws = connect(regions[0])
    account = aws.account_id(regions[0])
    member_accounts.check_caller(layout, account)
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
    units = layout.targets(environment).organizational_units if layout.is_organization else ()
    if units:
        yield from _bootstrap_members(
            project, environment, aws, layout, account, regions[0], text, resolved, units, wait, progress
        )


def _bootstrap_members(project, environment, aws, layout, account, region, text, resolved, units, wait, progress):
    values = {
        **resolved.plain(project.platform.bootstrap, region),
        "RoleRegion": region,
        "AdministratorAccountId": account,
    }
    request = member_bootstrap.MemberRequest(
        name=f"{project.platform.bootstrap}-{environment}",
        region=region,
        role_region=region,
        template_text=project.template_path(project.platform.bootstrap).read_text(encoding="utf-8"),
        parameters=values,
        units=units,
        bucket=project.platform.bucket(account, region),
        environment=environment,
    )
    with translate_errors():
        done, outcomes = member_bootstrap.deploy(aws, layout, request, progress or member_bootstrap.QUIET, wait)
    failed = [f"{o.stackset}: {r.account} {r.region}: {r.reason}" for o in outcomes for r in o.failed]
    failed += [
        f"{o.stackset}: operation {o.operation_id} {o.status}: {o.reason}"
        for o in outcomes
        if not o.succeeded and not o.failed
    ]
    if failed:
        raise OperationFailedError("\n".join(failed))
    yield f"member accounts of {environment} ({', '.join(units)}; StackSet {request.name})", done
