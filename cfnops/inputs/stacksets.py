"""StackSet definitions: stacksets/<name>.yaml, one per StackSet, read and validated
into plain values before any AWS call.

    template: fraud-detection          # a registered template
    description: ...
    administrator_region: us-east-1    # where the StackSet lives
    primary_region: us-east-1          # region roles (default: administrator_region): created first, first in RegionOrder
    regions: [us-east-1, us-west-2, eu-west-1]   # default: all three
    permission_model: SELF_MANAGED     # or SERVICE_MANAGED
    accounts: [self]                   # SELF_MANAGED; or {dev: [...], prod: [...]}; self = the caller's account
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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..awsfacts import stackset_limits
from ..core.errors import InputError, shown_value
from . import region_outputs
from .paramfiles import expected_one_of, parse_yaml, type_name, unknown
from .platform import AWS_ADMINISTRATION_ROLE, AWS_EXECUTION_ROLE
from .problems import Problems

ACCOUNT = re.compile(r"^([0-9]{12}|self)$")
OU = re.compile(r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,100}$")
CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")
PERMISSION_MODELS = ("SELF_MANAGED", "SERVICE_MANAGED")
KEYS = (
    "template",
    "description",
    "administrator_region",
    "primary_region",
    "regions",
    "permission_model",
    "accounts",
    "organizational_units",
    "auto_deployment",
    "capabilities",
    "managed_execution",
    "depends_on",
    "tags",
    "operation_preferences",
    "region_outputs",
)
PREFERENCE_KEYS = {
    "region_concurrency": "RegionConcurrencyType",
    "region_order": "RegionOrder",
    "failure_tolerance_count": "FailureToleranceCount",
    "failure_tolerance_percentage": "FailureTolerancePercentage",
    "max_concurrent_count": "MaxConcurrentCount",
    "max_concurrent_percentage": "MaxConcurrentPercentage",
    "concurrency_mode": "ConcurrencyMode",
}


def default_preferences(production: bool, regions: tuple[str, ...]) -> dict:
    """Every region at once (dev, staging); a production environment (prod): one region,
    one account at a time, primary first, stop at the first failure."""
    if production:
        return {
            "RegionConcurrencyType": "SEQUENTIAL",
            "RegionOrder": list(regions),
            "FailureToleranceCount": 0,
            "MaxConcurrentCount": 1,
        }
    return {
        "RegionConcurrencyType": "PARALLEL",
        "FailureToleranceCount": 0,
        "MaxConcurrentPercentage": 100,
        "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
    }


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
        return self.permission_model == "SERVICE_MANAGED"


class _Checker(Problems):
    """Checks one StackSet file, collecting every problem as a one-line message."""

    def strings(self, value, key: str, pattern: re.Pattern | None = None, choices=None) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, f"expected a list of strings, got {type_name(value)}")
            return ()
        for index, item in enumerate(value):
            if choices is not None and item not in choices:
                self.problem(f"{key}[{index}]", unknown(item, choices, "value"))
            elif pattern is not None and not pattern.match(item):
                self.problem(f"{key}[{index}]", f"expected a value matching {pattern.pattern}, got {shown_value(item)}")
        return tuple(value)

    def per_environment(self, value, key: str, environment: str, environments) -> object:
        """A value for every environment, or a mapping environment -> value."""
        if isinstance(value, dict):
            for env in value:
                if env not in environments:
                    self.problem(f"{key}.{env}", unknown(str(env), environments, "environment"))
            return value.get(environment, [])
        return value


EXCLUSIVE = (
    ("failure_tolerance_count", "failure_tolerance_percentage"),
    ("max_concurrent_count", "max_concurrent_percentage"),
)


def _preference_problem(api: str, value, regions: tuple[str, ...], checker: _Checker, key: str) -> str | None:
    if api == "RegionConcurrencyType" and value not in ("SEQUENTIAL", "PARALLEL"):
        return f"expected one of SEQUENTIAL, PARALLEL, got {shown_value(value)}"
    if api == "ConcurrencyMode" and value not in ("STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE"):
        return f"expected one of STRICT_FAILURE_TOLERANCE, SOFT_FAILURE_TOLERANCE, got {shown_value(value)}"
    if api == "RegionOrder":
        checker.strings(value, key, choices=regions)
        return None
    if api in ("RegionConcurrencyType", "ConcurrencyMode"):
        return None
    low, high = stackset_limits.preference_range(api)  # CloudFormation's own ranges
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        return f"expected a whole number {f'from {low} to {high}' if high is not None else f'>= {low}'}, got {shown_value(value)}"
    return None


def _preferences(
    checker: _Checker, raw, environment: str, regions: tuple[str, ...], primary: str, production: bool
) -> dict:
    preferences = default_preferences(production, regions)
    overrides = (raw or {}).get(environment, {}) if isinstance(raw, dict) else None
    if overrides is None or not isinstance(overrides, dict):
        checker.problem(
            "operation_preferences", f"expected a mapping of environments to preferences, got {type_name(raw)}"
        )
        return preferences
    for pair in EXCLUSIVE:  # CloudFormation takes one of each pair: both set is a mistake, not a choice
        if all(name in overrides for name in pair):
            checker.problem(
                f"operation_preferences.{environment}", f"{pair[0]} and {pair[1]} exclude each other: set one"
            )
    for name, value in overrides.items():
        key = f"operation_preferences.{environment}.{name}"
        if name not in PREFERENCE_KEYS:
            checker.problem(key, unknown(str(name), PREFERENCE_KEYS, "preference"))
            continue
        api = PREFERENCE_KEYS[name]
        problem = _preference_problem(api, value, regions, checker, key)
        if problem:
            checker.problem(key, problem)
        # count and percentage exclude each other: the file's choice replaces the default's
        for pair in (
            ("FailureToleranceCount", "FailureTolerancePercentage"),
            ("MaxConcurrentCount", "MaxConcurrentPercentage"),
        ):
            if api in pair:
                for other in pair:
                    preferences.pop(other, None)
        preferences[api] = list(value) if api == "RegionOrder" and isinstance(value, list) else value
    return primary_first(preferences, primary)


def primary_first(preferences: dict, primary: str) -> dict:
    """A RegionOrder, given or the default, starts with the primary region (region roles)."""
    order = preferences.get("RegionOrder")
    if isinstance(order, list) and primary in order:
        preferences["RegionOrder"] = [primary] + [region for region in order if region != primary]
    return preferences


def _primary_region(checker: _Checker, data: dict, admin: str, regions: tuple[str, ...]) -> str:
    """One of the StackSet's regions; by default its administrator region (when deployed there)."""
    if "primary_region" not in data:
        return admin if admin in regions or not regions else regions[0]
    primary = data["primary_region"]
    if primary not in regions:
        checker.problem(
            "primary_region", f"expected one of its regions ({', '.join(regions)}), got {shown_value(primary)}"
        )
    return str(primary)


def _tags(checker: _Checker, tags) -> dict[str, str]:
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        checker.problem("tags", f"expected a mapping of tag names to strings (quote numbers), got {type_name(tags)}")
        return {}
    if len(tags) > stackset_limits.max_tags():
        checker.problem("tags", f"expected at most {stackset_limits.max_tags()} tags, got {len(tags)}")
    for name, value in tags.items():
        problem = stackset_limits.tag_key_problem(name)
        if problem:
            checker.problem(f"tags.{shown_value(name, quote=False)}", f"{problem}, got {shown_value(name)}")
            continue
        problem = stackset_limits.tag_value_problem(value)
        if problem:
            checker.problem(f"tags.{name}", f"{problem}, got {shown_value(value)}")
    return dict(tags)


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
    data = parse_yaml(path, file, root)
    checker = _Checker(file)
    if not isinstance(data, dict):
        raise InputError(f"{file}: expected a mapping with keys {', '.join(KEYS)}, got {type_name(data)}")
    for key in data:
        if key not in KEYS:
            checker.problem(str(key), unknown(str(key), KEYS, "key"))
    key_name = path.stem
    if not NAME.match(key_name):
        checker.problem(
            "(file name)", f"expected a lower-case name matching {NAME.pattern}, got {shown_value(key_name)}"
        )
    template = data.get("template")
    if template not in templates:
        checker.problem(
            "template",
            unknown(shown_value(template, quote=False), templates, "template")
            if template
            else f"required: {expected_one_of(templates)}",
        )
    regions = checker.strings(data.get("regions", list(all_regions)), "regions", choices=all_regions)
    admin = data.get("administrator_region", all_regions[0])
    if admin not in all_regions:
        checker.problem("administrator_region", unknown(shown_value(admin, quote=False), all_regions, "region"))
    primary = _primary_region(checker, data, admin, regions)
    model = data.get("permission_model", "SELF_MANAGED")
    if model not in PERMISSION_MODELS:
        checker.problem("permission_model", f"{expected_one_of(PERMISSION_MODELS)}, got {shown_value(model)}")
    accounts = checker.per_environment(data.get("accounts", []), "accounts", environment, environments)
    units = checker.per_environment(
        data.get("organizational_units", []), "organizational_units", environment, environments
    )
    accounts = checker.strings(accounts, "accounts", ACCOUNT)
    units = checker.strings(units, "organizational_units", OU)
    if model == "SELF_MANAGED" and (not accounts or units):
        checker.problem(
            "accounts", f"SELF_MANAGED needs accounts (12 digits or self) for {environment} and no organizational_units"
        )
    if model == "SERVICE_MANAGED" and (not units or accounts):
        checker.problem(
            "organizational_units", f"SERVICE_MANAGED needs organizational_units for {environment} and no accounts"
        )
    auto = data.get("auto_deployment")
    if auto is not None and (
        not isinstance(auto, dict)
        or set(auto) - {"enabled", "retain_stacks_on_account_removal"}
        or not all(isinstance(v, bool) for v in auto.values())
    ):
        checker.problem(
            "auto_deployment", "expected {enabled: true|false, retain_stacks_on_account_removal: true|false}"
        )
    tags = _tags(checker, data.get("tags", {}))
    description = data.get("description", f"{template} ({environment}), managed by cfnops")
    if not isinstance(description, str) or stackset_limits.description_problem(description):
        checker.problem(
            "description",
            ((isinstance(description, str) and stackset_limits.description_problem(description)) or "expected a string")
            + f", got {shown_value(description)}",
        )
    if not isinstance(data.get("managed_execution", True), bool):
        checker.problem("managed_execution", f"expected true or false, got {shown_value(data['managed_execution'])}")
    spec = StackSetSpec(
        key=key_name,
        name=f"{key_name}-{environment}",
        environment=environment,
        template=str(template),
        description=str(description),
        administrator_region=str(admin),
        regions=regions,
        permission_model=str(model),
        primary_region=primary,
        accounts=accounts,
        organizational_units=units,
        auto_deployment=auto if model == "SERVICE_MANAGED" else None,
        capabilities=checker.strings(data.get("capabilities", []), "capabilities", choices=CAPABILITIES),
        managed_execution=bool(data.get("managed_execution", True)),
        depends_on=checker.strings(data.get("depends_on", []), "depends_on"),
        tags=tags,
        preferences=_preferences(
            checker, data.get("operation_preferences", {}), environment, regions, primary, production
        ),
        production=production,
        region_outputs=region_outputs.parse(data.get("region_outputs"), checker.problem),
    )
    region_outputs.refuse_service_managed(spec, checker.problem)
    checker.raise_if_any()
    return spec


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
    specs = [
        dataclasses.replace(
            spec,
            administration_role=platform.administration_role_of(environment),
            execution_role=platform.execution_role_of(environment),
        )
        for spec in specs
    ]
    check_allowed_regions(specs, templates, project.display, directory)
    problems = region_outputs.check_templates(
        specs, templates, lambda key: project.display(directory / (key + ".yaml"))
    )
    if problems:
        raise InputError(problems)
    return specs


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
