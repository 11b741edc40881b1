"""StackSet definitions: stacksets/<name>.yaml, one per StackSet, read and validated
into plain values before any AWS call: each file by the named checks of stackset_checks.py,
then the rules between files (dependencies, shared templates, region outputs) here.

    template: fraud-detection          # a registered template
    description: ...
    administrator_region: us-east-1    # where the StackSet lives
    primary_region: us-east-1          # region roles (default: administrator_region): created first, first in RegionOrder
    regions: [us-east-1, us-west-2, eu-west-1]   # default: all three
    permission_model: SELF_MANAGED     # or SERVICE_MANAGED
    accounts: [self]                   # SELF_MANAGED; or {dev: [...], prod: [...]}; self = the caller's account;
                                       # environment = organization.yaml's accounts of the environment
    organizational_units: {prod: [ou-...]}       # SERVICE_MANAGED
    auto_deployment: {enabled: true, retain_stacks_on_account_removal: true}
    capabilities: [CAPABILITY_NAMED_IAM]
    managed_execution: true
    depends_on: [network]
    tags: {Team: fraud}
    operation_preferences: {prod: {max_concurrent_count: 1}}   # over the environment defaults
    region_outputs: {PeerVpcId{peer}: {stackset: network, output: VpcId, regions: later}}  # region_outputs.py

The StackSet of environment E is named ``<name>-<E>``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError
from . import organization, region_outputs
from .paramfiles import expected_one_of, parse_yaml, type_name, unknown
from .platform import AWS_ADMINISTRATION_ROLE, AWS_EXECUTION_ROLE
from .stackset_checks import CHECKS, ENVIRONMENT_ACCOUNTS, KEYS, SELF, SERVICE_MANAGED, Draft
from .stackset_problems import StackSetProblems


@dataclass(frozen=True)
class StackSetSpec:
    """One StackSet for one environment, as the API will be asked for it."""

    key: str
    name: str
    environment: str
    template: str
    description: str
    administrator_region: str
    regions: tuple[str, ...]
    permission_model: str
    accounts: tuple[str, ...]
    organizational_units: tuple[str, ...]
    auto_deployment: dict | None
    capabilities: tuple[str, ...]
    managed_execution: bool
    depends_on: tuple[str, ...]
    tags: dict[str, str] = field(default_factory=dict)
    preferences: dict = field(default_factory=dict)
    primary_region: str = ""  # region roles: "" before a spec names one (then the first region)
    production: bool = False  # the platform's treatment of a production environment (inputs/platform.py)

    @property
    def primary(self) -> str:
        return self.primary_region or self.regions[0]

    region_outputs: tuple[region_outputs.RegionOutput, ...] = ()  # parameters read from other regions' outputs
    # the roles the environment's StackSets run with (SELF_MANAGED; the platform names them per environment)
    administration_role: str = AWS_ADMINISTRATION_ROLE
    execution_role: str = AWS_EXECUTION_ROLE

    @property
    def service_managed(self) -> bool:
        return self.permission_model == SERVICE_MANAGED


def load(
    path: Path,
    file: str,
    environment: str,
    templates: Mapping,
    all_regions: tuple[str, ...],
    environments: tuple[str, ...],
    root: Path | None = None,
    *,
    production: bool,
) -> StackSetSpec:
    """One StackSet file, every check of ``CHECKS`` run on it (stackset_checks.py);
    ``production``: the platform treats the environment as production (inputs/platform.py)."""
    data = parse_yaml(path, file, root)
    if not isinstance(data, dict):
        raise InputError(f"{file}: expected a mapping with keys {', '.join(KEYS)}, got {type_name(data)}")
    draft = Draft(
        StackSetProblems(file), data, path.stem, environment, templates, all_regions, environments, production
    )
    for check in CHECKS:
        check(draft)
    draft.problems.raise_if_any()
    return StackSetSpec(
        key=draft.key,
        name=f"{draft.key}-{environment}",
        environment=environment,
        template=str(draft.template),
        description=str(draft.description),
        administrator_region=str(draft.administrator_region),
        regions=draft.regions,
        permission_model=str(draft.permission_model),
        primary_region=draft.primary_region,
        accounts=draft.accounts,
        organizational_units=draft.organizational_units,
        auto_deployment=draft.auto_deployment,
        capabilities=draft.capabilities,
        managed_execution=bool(draft.managed_execution),
        depends_on=draft.depends_on,
        tags=draft.tags,
        preferences=draft.preferences,
        production=production,
        region_outputs=draft.region_outputs,
    )


def load_all(
    directory: Path,
    display,
    environment: str,
    templates: Mapping,
    all_regions: tuple[str, ...],
    environments: tuple[str, ...],
    *,
    production: bool,
) -> list[StackSetSpec]:
    """Every StackSet of ``environment``, in dependency order (dependencies first);
    ``production``: the platform treats it as production (inputs/platform.py)."""
    if environment not in environments:
        raise InputError(f"unknown environment {environment!r}: {expected_one_of(environments)}")
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise InputError(f"{display(directory)}: no StackSet definitions (*.yaml)")
    specs, problems, broken = {}, [], set()
    for path in paths:
        try:
            specs[path.stem] = load(
                path,
                display(path),
                environment,
                templates,
                all_regions,
                environments,
                directory.parent,
                production=production,
            )
        except InputError as error:
            problems += error.problems
            broken.add(path.stem)
    for spec in specs.values():
        for index, dependency in enumerate(spec.depends_on):
            where = f"{display(directory / (spec.key + '.yaml'))}: depends_on[{index}]: "
            if dependency in broken:  # already reported in its own file
                continue
            if dependency not in specs:
                problems.append(where + unknown(dependency, list(specs), "StackSet"))
                continue
            missing = [region for region in spec.regions if region not in specs[dependency].regions]
            if missing:  # its imports would fail there, mid-rollout
                problems.append(
                    where + f"{dependency} is not deployed to {', '.join(missing)} "
                    f"(its regions: {', '.join(specs[dependency].regions)})"
                )
    problems += _shared_templates(specs, display, directory)
    problems += region_outputs.check_references(specs, lambda key: display(directory / (key + ".yaml")), broken)
    if problems:
        raise InputError(problems)
    return order(specs, display, directory)


def _shared_templates(specs: dict[str, StackSetSpec], display, directory: Path) -> list[str]:
    """Two StackSets of one template in one environment and region would create the same
    physical names: the second fails mid-rollout. Refused here."""
    problems: list[str] = []
    first: dict[tuple[str, str], str] = {}
    for key in sorted(specs):
        spec = specs[key]
        clashes = [region for region in spec.regions if first.setdefault((spec.template, region), key) != key]
        if clashes:
            other = first[(spec.template, clashes[0])]
            problems.append(
                f"{display(directory / (key + '.yaml'))}: template: {spec.template} is already deployed to "
                f"{', '.join(clashes)} by {display(directory / (other + '.yaml'))}: "
                "one StackSet per template, environment and region"
            )
    return problems


def load_project(project, environment: str, templates: Mapping[str, Mapping]) -> list[StackSetSpec]:
    """The project's StackSets of ``environment`` (stacksets/), checked against the
    generated ``templates`` they deploy."""
    platform = project.platform
    directory = project.root / "stacksets"
    specs = load_all(
        directory,
        project.display,
        environment,
        platform.registry,
        platform.regions,
        platform.environments,
        production=platform.environment(environment).production,
    )
    layout = organization.load_project(project)
    specs = [
        dataclasses.replace(
            spec,
            administration_role=platform.administration_role_of(environment),
            execution_role=platform.execution_role_of(environment),
            accounts=environment_accounts(spec, layout),
        )
        for spec in specs
    ]
    check_own_accounts(specs, layout, lambda key: project.display(directory / (key + ".yaml")))
    check_allowed_regions(specs, templates, project.display, directory)
    problems = region_outputs.check_templates(
        specs, templates, lambda key: project.display(directory / (key + ".yaml"))
    )
    if problems:
        raise InputError(problems)
    return specs


def environment_accounts(spec: StackSetSpec, layout: organization.Organization) -> tuple[str, ...]:
    """``accounts: [environment]`` in the single-account layout is the caller's account (self);
    in an organization it stays until plan time, when Organizations names the OUs' accounts
    (settled_accounts)."""
    if layout.is_organization:
        return spec.accounts
    return tuple(dict.fromkeys(SELF if account == ENVIRONMENT_ACCOUNTS else account for account in spec.accounts))


def settled_accounts(spec: StackSetSpec, accounts: tuple[str, ...]) -> StackSetSpec:
    """The spec with ``environment`` replaced by the environment's ``accounts`` (read at plan time)."""
    given = [
        found for account in spec.accounts for found in (accounts if account == ENVIRONMENT_ACCOUNTS else (account,))
    ]
    return dataclasses.replace(spec, accounts=tuple(dict.fromkeys(given)))


def check_own_accounts(specs: list[StackSetSpec], layout: organization.Organization, display) -> None:
    """In an organization, a StackSet of one environment never names another environment's
    account (an operator of dev cannot reach prod's accounts): refused before any call."""
    problems = []
    for spec in specs:
        for index, account in enumerate(spec.accounts):
            owner = layout.owner_of(account) if layout.is_organization else None
            if owner and owner != spec.environment:
                problems.append(
                    f"{display(spec.key)}: accounts[{index}]: {account} is {owner}'s account ({organization.FILE}): "
                    f"{spec.environment}'s StackSets deploy to {spec.environment}'s accounts only"
                )
    if problems:
        raise InputError(problems)


def check_allowed_regions(
    specs: list[StackSetSpec], templates: Mapping[str, Mapping], display, directory: Path
) -> None:
    """A template that names its regions (Metadata.cfnops.AllowedRegions, e.g. data
    residency) is refused here rather than by CloudFormation in the middle of a rollout."""
    problems = []
    for spec in specs:
        allowed = ((templates.get(spec.template) or {}).get("Metadata") or {}).get("cfnops", {}).get("AllowedRegions")
        outside = [region for region in spec.regions if allowed is not None and region not in allowed]
        if outside:
            problems.append(
                f"{display(directory / (spec.key + '.yaml'))}: regions: template {spec.template} may only deploy to "
                f"{', '.join(allowed)}, got {', '.join(outside)}"
            )
    if problems:
        raise InputError(problems)


def order(specs: dict[str, StackSetSpec], display, directory: Path) -> list[StackSetSpec]:
    ordered, visiting, done = [], set(), set()

    def visit(key: str, path: list[str]) -> None:
        if key in done:
            return
        if key in visiting:
            cycle = " -> ".join(path[path.index(key) :] + [key])
            raise InputError(f"{display(directory / (key + '.yaml'))}: depends_on: dependency cycle {cycle}")
        visiting.add(key)
        for dependency in specs[key].depends_on:
            visit(dependency, path + [key])
        visiting.discard(key)
        done.add(key)
        ordered.append(specs[key])

    for key in sorted(specs):
        visit(key, [])
    return ordered


def levels(specs: list[StackSetSpec]) -> list[list[StackSetSpec]]:
    """Groups that can run concurrently: each StackSet after everything it depends on."""
    depth: dict[str, int] = {}
    for spec in specs:  # already in dependency order
        depth[spec.key] = 1 + max((depth[d] for d in spec.depends_on if d in depth), default=-1)
    grouped: dict[int, list[StackSetSpec]] = {}
    for spec in specs:
        grouped.setdefault(depth[spec.key], []).append(spec)
    return [grouped[level] for level in sorted(grouped)]
