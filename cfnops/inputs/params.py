"""Resolve and validate an environment's parameters, before any AWS call.

For template T in region R, parameter P takes the last of these that is set:
template Default < common.yaml defaults < common.yaml templates.T < env defaults
< env templates.T < env regions.R.T. ``Environment`` is the environment itself.
Every value is checked against T's declaration, then the environment and
cross-parameter rules run on the resolved values. All problems are reported at once,
each on one line naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..core.errors import InputError, shown_value
from . import accounts, confighash, paramfiles
from .constraints import ConstraintError, normalize
from .platform import Platform
from .problems import Problems
from .project import Project

ENVIRONMENT_PARAMETER = "Environment"
PRIMARY_REGION_PARAMETER = "PrimaryRegion"  # region roles: the StackSet file's primary_region (roles.py)
# Values that belong to one region: regional ARNs and ECR image URIs (ours: {account}.dkr.ecr…).
REGION_BOUND = (
    re.compile(
        r"^arn:aws[a-z-]*:(acm|kms|sns|sqs|secretsmanager|lambda|logs|ecr|dynamodb|kinesis|elasticloadbalancing)"
        r":(?P<region>[a-z]{2}(-[a-z]+)+-[0-9]):"
    ),
    re.compile(r"^([0-9]{12}|\{account\})\.dkr\.ecr\.(?P<region>[a-z]{2}(-[a-z]+)+-[0-9])\.amazonaws\.com/"),
)
SECRET_NAME = re.compile(r"password|secret|token|apikey|api_key|privatekey", re.IGNORECASE)
DYNAMIC_REFERENCE = re.compile(r"^\{\{resolve:(secretsmanager|ssm-secure):[^}]+\}\}$")


@dataclass(frozen=True)
class ResolvedValue:
    value: str
    file: str | None  # None: the template's Default
    key: str | None


@dataclass(frozen=True)
class ResolvedEnvironment:
    environment: str
    file: str
    # template -> region -> parameter -> value
    values: dict[str, dict[str, dict[str, ResolvedValue]]]

    def plain(self, template: str, region: str) -> dict[str, str]:
        return {name: resolved.value for name, resolved in self.values[template][region].items()}

    def digest(self, template: str) -> str:
        """SHA-256 of the template's resolved values in every region (the manifest's hash)."""
        data = {region: self.plain(template, region) for region in sorted(self.values[template])}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def declarations(template: Mapping) -> dict[str, dict]:
    return template.get("Parameters", {})


def load_files(project: Project, environment: str, templates: Mapping, regions: Iterable[str]):
    """The common file (if present) and the environment's file, shape-checked."""
    environments = project.platform.environments
    if environment not in environments:
        raise InputError(f"unknown environment {environment!r}: {paramfiles.expected_one_of(environments)}")
    layers = []
    if project.common_parameters.exists():
        common = project.common_parameters
        layers.append(paramfiles.load(common, project.display(common), None, templates, regions, project.root))
    path = project.parameter_path(environment)
    layers.append(paramfiles.load(path, project.display(path), environment, templates, regions, project.root))
    return layers


def _check_unknown_keys(layers, templates: Mapping, problems: Problems) -> None:
    declared_anywhere = {name for template in templates.values() for name in declarations(template)}
    for layer in layers:
        for name, setting in layer.defaults.items():
            if name not in declared_anywhere:
                problems.add(layer.file, setting.key, paramfiles.unknown(name, sorted(declared_anywhere), "parameter"))
        sections = [(t, s) for t, s in layer.templates.items()]
        sections += [(t, s) for region in layer.regions.values() for t, s in region.items()]
        for template, section in sections:
            declared = declarations(templates[template])
            for name, setting in section.items():
                if name not in declared:
                    problems.add(
                        layer.file,
                        setting.key,
                        paramfiles.unknown(name, list(declared), f"parameter of template {template}"),
                    )


def _settings_for(layers, template: str, region: str, declared: Mapping) -> dict[str, paramfiles.Setting]:
    chosen: dict[str, paramfiles.Setting] = {}
    for layer in layers:
        for source in (
            layer.defaults,
            layer.templates.get(template, {}),
            layer.regions.get(region, {}).get(template, {}),
        ):
            chosen.update({name: setting for name, setting in source.items() if name in declared})
    return chosen


@dataclass(frozen=True)
class _Target:
    """One template in one region of an environment, whose values are being resolved."""

    environment: str
    env_file: str  # the environment's parameter file: where a template default's problem is said
    template: str
    region: str
    declared: Mapping[str, dict]  # the template's parameter declarations
    filled: Mapping[str, ResolvedValue]  # set by cfnops from the StackSet file
    computed: Mapping[str, str]  # computed by cfnops: name -> the output it hashes


def _is_secret(name: str, declaration: Mapping) -> bool:
    """NoEcho, or named like a secret: never shown in a log, even when wrong, and never a literal."""
    return bool(declaration.get("NoEcho") or SECRET_NAME.search(name))


def _refuse_setting(setting: paramfiles.Setting | None, message: str, problems: Problems) -> None:
    """A parameter file sets what cfnops sets itself."""
    if setting is not None:
        problems.add(setting.file, setting.key, message)


def _resolve_one(
    target: _Target, settings: Mapping[str, paramfiles.Setting], problems: Problems, missing: dict
) -> dict[str, ResolvedValue]:
    resolved: dict[str, ResolvedValue] = {}
    for name, declaration in target.declared.items():
        value = _resolve_value(target, name, declaration, settings.get(name), problems, missing)
        if value is not None:
            resolved[name] = value
    return resolved


def _resolve_value(
    target: _Target,
    name: str,
    declaration: dict,
    setting: paramfiles.Setting | None,
    problems: Problems,
    missing: dict,
) -> ResolvedValue | None:
    """One parameter's value: cfnops's own, the files', or the template default (None: a problem, or missing)."""
    if name in target.computed:
        message = f"computed by cfnops (SHA-256 of output {target.computed[name]}): remove it from the parameter file"
        _refuse_setting(setting, message, problems)
        return None
    if name == ENVIRONMENT_PARAMETER:
        if setting is not None and setting.value != target.environment:
            problems.add(
                setting.file,
                setting.key,
                f"expected {target.environment!r} (the environment), got {shown_value(setting.value)}",
            )
        return ResolvedValue(target.environment, target.env_file, None)
    if name in target.filled:  # set by cfnops from the StackSet file, never by a parameter file
        filled = target.filled[name]
        _refuse_setting(setting, f"set by cfnops from {filled.file} ({filled.key}): remove it here", problems)
        return filled
    if setting is None and "Default" not in declaration:
        missing.setdefault((target.template, name), []).append(target.region)
        return None
    return _checked(target, name, declaration, setting, problems)


def _checked(
    target: _Target, name: str, declaration: dict, setting: paramfiles.Setting | None, problems: Problems
) -> ResolvedValue | None:
    """The file's value (or the template default) against its declaration; None after a problem."""
    if setting is None:
        raw, file, key = declaration["Default"], None, None
    else:
        raw, file, key = setting.value, setting.file, setting.key
    where = (file or target.env_file, key or f"templates.{target.template}.{name}")
    placeholder = accounts.placeholder_problem(raw)
    if placeholder:
        problems.add(*where, placeholder)
        return None
    secret = _is_secret(name, declaration)
    try:
        value = accounts.after_validation(raw, normalize(accounts.for_validation(raw), declaration))
    except ConstraintError as error:
        message = error.hidden() if secret else accounts.shown(str(error))
        problems.add(*where, f"{message} (template default)" if file is None else message)
        return None
    if setting is not None and secret and not DYNAMIC_REFERENCE.match(value):
        problems.add(
            setting.file,
            setting.key,
            "secrets go through Secrets Manager: expected a {{resolve:secretsmanager:...}} reference, not a literal value",
        )
        return None
    return ResolvedValue(value, file, key)


def _add_computed(template: str, body: Mapping, values: dict[str, dict[str, ResolvedValue]]) -> None:
    """Computed parameters (``confighash``) from each region's resolved values. One that
    differs between regions becomes a per-region value (an override on each instance)."""
    computed = {
        region: confighash.values_for(body, {k: v.value for k, v in resolved.items()})
        for region, resolved in values.items()
    }
    for name in confighash.computed(body):
        per_region = len({computed[region][name] for region in values}) > 1
        for region, resolved in values.items():
            key = f"regions.{region}.{template}.{name}" if per_region else f"computed.{template}.{name}"
            resolved[name] = ResolvedValue(computed[region][name], None, key)


def _report_missing(env_file: str, missing: dict, regions: Mapping[str, tuple[str, ...]], problems: Problems) -> None:
    for (template, name), where in missing.items():
        scope = "" if len(where) == len(regions[template]) else f" in {', '.join(where)}"
        problems.add(env_file, f"templates.{template}.{name}", f"required by template {template}{scope}, not set")


def _where(env_file: str, template: str, name: str, resolved: ResolvedValue) -> tuple[str, str]:
    return (resolved.file or env_file, resolved.key or f"templates.{template}.{name}")


def _check_region_bound(
    env_file: str, template: str, region: str, values: dict[str, ResolvedValue], problems: Problems
) -> None:
    """A certificate, key or image of another region fails only at deploy time: refuse it now."""
    for name, resolved in values.items():
        for pattern in REGION_BOUND:
            match = pattern.match(resolved.value)
            if match and match["region"] != region:
                problems.add(
                    *_where(env_file, template, name, resolved),
                    f"names region {match['region']} but deploys to {region}: override it in regions.{region}.{template}",
                )


def _apply_rules(
    platform: Platform,
    environment: str,
    env_file: str,
    template: str,
    values: dict[str, ResolvedValue],
    problems: Problems,
) -> None:
    for rule in platform.environment_rules:
        if rule.parameter in values:
            problem = rule.problem(environment, values[rule.parameter].value)
            if problem:
                problems.add(*_where(env_file, template, rule.parameter, values[rule.parameter]), problem)
    for cross in platform.cross_rules:
        if all(name in values for name in cross.needs):
            problem = cross.check({name: values[name].value for name in cross.needs})
            if problem:
                problems.add(*_where(env_file, template, cross.parameter, values[cross.parameter]), problem)


def _undeployed_overrides(layers, regions: Mapping[str, tuple[str, ...]], problems: Problems) -> None:
    """Overrides for a region the template does not go to (say, a region just removed
    from its StackSet) would be silently ignored: refused."""
    for layer in layers:
        for region, sections in layer.regions.items():
            for template, section in sections.items():
                if region not in regions.get(template, ()) and section:
                    where = ", ".join(regions.get(template, ())) or "no region"
                    problems.add(
                        layer.file,
                        f"regions.{region}.{template}",
                        f"template {template} is not deployed to "
                        f"{region} (its StackSets deploy to {where}): remove the override, it would be ignored",
                    )


def resolve(
    project: Project,
    environment: str,
    templates: Mapping[str, Mapping],
    regions: Mapping[str, tuple[str, ...]],
    primaries: Mapping[str, ResolvedValue] | None = None,
) -> ResolvedEnvironment:
    """Every template's values in each of its ``regions`` (``deployed_regions``: a value
    bound to one region is only checked where it goes), or InputError listing every problem."""
    all_regions = list(dict.fromkeys(r for rs in regions.values() for r in rs))
    layers = load_files(project, environment, templates, all_regions)
    env_file = layers[-1].file
    problems = Problems()
    _check_unknown_keys(layers, templates, problems)
    values: dict[str, dict[str, dict[str, ResolvedValue]]] = {}
    missing: dict[tuple[str, str], list[str]] = {}
    for template, body in templates.items():
        declared = declarations(body)
        values[template] = {}
        filled = {}
        if PRIMARY_REGION_PARAMETER in declared and regions[template]:
            default = ResolvedValue(regions[template][0], env_file, "(first region)")
            filled[PRIMARY_REGION_PARAMETER] = (primaries or {}).get(template, default)
        computed = confighash.computed(body)
        for region in regions[template]:
            settings = _settings_for(layers, template, region, declared)
            target = _Target(environment, env_file, template, region, declared, filled, computed)
            resolved = _resolve_one(target, settings, problems, missing)
            values[template][region] = resolved
            _apply_rules(project.platform, environment, env_file, template, resolved, problems)
            _check_region_bound(env_file, template, region, resolved, problems)
        if computed and not problems.lines and not missing:
            _add_computed(template, body, values[template])
    _report_missing(env_file, missing, regions, problems)
    _undeployed_overrides(layers, regions, problems)
    problems.raise_if_any()
    return ResolvedEnvironment(environment, env_file, values)


def deployed_regions(specs, templates: Mapping, every_region: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Where each template goes: the union of its StackSets' regions; every region for a
    template no StackSet deploys (the bootstrap stack)."""
    regions: dict[str, set[str]] = {}
    for spec in specs:
        regions.setdefault(spec.template, set()).update(spec.regions)
    return {
        template: tuple(r for r in every_region if r in regions.get(template, every_region)) for template in templates
    }


def primary_regions(project: Project, specs) -> dict[str, ResolvedValue]:
    """Each template's primary region, from the file of the StackSet that deploys it
    (one StackSet per template and region: config refuses two)."""
    return {
        spec.template: ResolvedValue(
            spec.primary, project.display(project.root / "stacksets" / f"{spec.key}.yaml"), "primary_region"
        )
        for spec in specs
    }


def resolve_deployed(
    project: Project, environment: str, templates: Mapping[str, Mapping], specs=None
) -> ResolvedEnvironment:
    """``resolve`` over the regions the StackSet definitions (``specs``, read when not
    given) deploy each template to, with each template's primary region from them."""
    from . import stacksets as config

    if specs is None:
        specs = config.load_project(project, environment, templates)
    return resolve(
        project,
        environment,
        templates,
        deployed_regions(specs, templates, project.platform.regions),
        primary_regions(project, specs),
    )
