"""``region_outputs:`` in a StackSet file: parameters whose values are other regions' stack
outputs, read by cfnops and passed as per-region overrides.

    region_outputs:
      AzCount: {stackset: network, output: AzCount, regions: own}
      PeerVpcId{peer}: {stackset: network, output: VpcId, regions: later}
      PeeringConnectionId{peer}: {stackset: network-peering, output: "PeeringConnectionId{region}", regions: earlier}

For the instance in region R, each declaration reads the instance of ``stackset`` in every
source region S (``own``: R itself; ``earlier`` / ``later``: the regions before / after R
in this StackSet's ``regions``; ``others``: all but R), in the caller's account.
``{peer}`` is S and ``{region}`` is R, written as in logical ids (us-west-2 -> UsWest2).

Checked here, before any AWS call: the shape; the source is this StackSet or one it
depends on; a StackSet's own outputs come only from earlier regions (its regions are
created in order, so they exist); every parameter is declared by the template with a
Default (StackSets override only parameters the StackSet sets) and set by no parameter
file; every output is declared by the source's template. A StackSet that reads outputs
deploys to the caller's account only: peering with another account needs an accepter
role there (PeerRoleArn), which cfnops does not manage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..core.errors import InputError, shown_value
from .paramfiles import expected_one_of, type_name, unknown


def region_title(region: str) -> str:
    """A region as it appears in logical ids and parameter names: us-west-2 -> UsWest2 (the
    ``{region}``/``{peer}`` placeholders of a declaration; templates name their outputs with it)."""
    return "".join(part.capitalize() for part in region.split("-"))


SCOPES = ("own", "earlier", "later", "others")
FIELDS = ("stackset", "output", "regions")
PLACEHOLDERS = ("peer", "region")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")  # a parameter or output name, placeholders removed
STACKSET = re.compile(r"^[a-z][a-z0-9-]{0,100}$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
CROSS_ACCOUNT = (
    "cross-account peering needs an accepter role in the peer account (PeerRoleArn), which cfnops does not manage"
)


@dataclass(frozen=True)
class RegionOutput:
    parameter: str  # pattern, with {peer} / {region}
    stackset: str  # key of the StackSet whose instances hold the output
    output: str  # pattern
    scope: str  # one of SCOPES

    def sources(self, regions: tuple[str, ...], region: str) -> tuple[str, ...]:
        index = regions.index(region)
        return {
            "own": (region,),
            "earlier": regions[:index],
            "later": regions[index + 1 :],
            "others": regions[:index] + regions[index + 1 :],
        }[self.scope]

    def parameter_for(self, region: str, source: str) -> str:
        return self.parameter.replace("{peer}", region_title(source)).replace("{region}", region_title(region))

    def output_for(self, region: str, source: str) -> str:
        return self.output.replace("{peer}", region_title(source)).replace("{region}", region_title(region))


@dataclass(frozen=True)
class Need:
    """One parameter of the instance in ``region``: output ``output`` of ``stackset`` in ``source``."""

    region: str
    parameter: str
    stackset: str
    source: str
    output: str


def needs_of(spec, declared: RegionOutput) -> list[Need]:
    return [
        Need(
            region,
            declared.parameter_for(region, source),
            declared.stackset,
            source,
            declared.output_for(region, source),
        )
        for region in spec.regions
        for source in declared.sources(spec.regions, region)
    ]


def needs(spec) -> list[Need]:
    """Every value the StackSet's instances read, region by region in the StackSet's order."""
    found = [need for declared in spec.region_outputs for need in needs_of(spec, declared)]
    return sorted(found, key=lambda need: spec.regions.index(need.region))


def provided(spec) -> set[str]:
    return {need.parameter for need in needs(spec)}


def _pattern_problem(value, with_peer: bool | None) -> str | None:
    if not isinstance(value, str):
        return f"expected a name, got {type_name(value)}"
    names = PLACEHOLDER.findall(value)
    wrong = [name for name in names if name not in PLACEHOLDERS]
    if wrong or not NAME.match(PLACEHOLDER.sub("X", value)):
        return (
            f"expected a name of letters and digits with {{peer}} / {{region}} placeholders, got {shown_value(value)}"
        )
    if with_peer is True and "peer" not in names:
        return "expected {peer} in the name: one parameter per source region"
    if with_peer is False and "peer" in names:
        return "{peer} is only for regions: earlier, later or others"
    return None


def parse(raw, problem: Callable[[str, str], None]) -> tuple[RegionOutput, ...]:
    """The declarations, each problem reported as ``problem(key, message)``."""
    if raw is None or raw == {}:
        return ()
    if not isinstance(raw, dict):
        problem(
            "region_outputs", f"expected a mapping of parameters to {{stackset, output, regions}}, got {type_name(raw)}"
        )
        return ()
    declared = []
    for parameter, body in raw.items():
        key = f"region_outputs.{shown_value(parameter, quote=False)}"
        if not isinstance(body, dict):
            problem(key, f"expected a mapping with keys {', '.join(FIELDS)}, got {type_name(body)}")
            continue
        problems = [(f"{key}.{name}", unknown(str(name), FIELDS, "key")) for name in body if name not in FIELDS]
        problems += [(f"{key}.{name}", "required") for name in FIELDS if name not in body]
        scope = body.get("regions")
        if "regions" in body and scope not in SCOPES:
            problems.append((f"{key}.regions", f"{expected_one_of(SCOPES)}, got {shown_value(scope)}"))
        if "stackset" in body and not (isinstance(body["stackset"], str) and STACKSET.match(body["stackset"])):
            problems.append(
                (
                    f"{key}.stackset",
                    f"expected a StackSet name (stacksets/<name>.yaml), got {shown_value(body['stackset'])}",
                )
            )
        checks = (
            (key, parameter, scope != "own" if scope in SCOPES else None),
            (f"{key}.output", body.get("output", ""), None),
        )
        problems += [(where, message) for where, value, peer in checks if (message := _pattern_problem(value, peer))]
        for where, message in problems:
            problem(where, message)
        if not problems:
            declared.append(RegionOutput(parameter, body["stackset"], body["output"], body["regions"]))
    return tuple(declared)


def refuse_service_managed(spec, problem: Callable[[str, str], None]) -> None:
    if spec.region_outputs and spec.service_managed:
        problem(
            "region_outputs",
            f"reads other regions' stack outputs in the administrator account, but SERVICE_MANAGED "
            f"deploys to the accounts of organizational units: {CROSS_ACCOUNT}",
        )


def check_references(specs: Mapping, where: Callable[[str], str], broken=()) -> list[str]:
    """Sources are this StackSet or one it depends on; its own outputs come from earlier regions;
    no parameter is read twice. ``where(key)`` names a StackSet's file; ``broken`` ones are
    reported in their own file already."""
    problems = []
    for spec in specs.values():
        for declared in spec.region_outputs:
            key = f"{where(spec.key)}: region_outputs.{declared.parameter}"
            if declared.stackset in broken:
                continue
            if declared.stackset == spec.key:
                if declared.scope != "earlier":
                    problems.append(
                        f"{key}.regions: a StackSet's own outputs can only come from earlier regions "
                        f"(its instances are created in the order of regions), got {declared.scope}"
                    )
            elif declared.stackset not in specs:
                problems.append(f"{key}.stackset: " + unknown(declared.stackset, sorted(specs), "StackSet"))
            elif declared.stackset not in spec.depends_on:
                problems.append(
                    f"{key}.stackset: {declared.stackset} must be in depends_on (its instances must exist "
                    "before this StackSet's), or be this StackSet"
                )
        seen: dict[tuple[str, str], str] = {}
        for need, declared in ((n, d) for d in spec.region_outputs for n in needs_of(spec, d)):
            first = seen.setdefault((need.region, need.parameter), declared.parameter)
            if first != declared.parameter:
                problems.append(
                    f"{where(spec.key)}: region_outputs.{declared.parameter}: sets {need.parameter} in "
                    f"{need.region}, which region_outputs.{first} sets too"
                )
    return list(dict.fromkeys(problems))


def check_templates(specs, templates: Mapping[str, Mapping], where: Callable[[str], str]) -> list[str]:
    """Every parameter is the template's, with a Default; every output is the source template's."""
    by_key = {spec.key: spec for spec in specs}
    problems = []
    for spec in specs:
        parameters = (templates.get(spec.template) or {}).get("Parameters", {})
        for declared in spec.region_outputs:
            key = f"{where(spec.key)}: region_outputs.{declared.parameter}"
            source = by_key.get(declared.stackset)
            outputs = (templates.get(source.template) or {}).get("Outputs", {}) if source else {}
            for need in needs_of(spec, declared):
                if need.parameter not in parameters:
                    problems.append(f"{key}: {need.parameter} is not a parameter of template {spec.template}")
                elif "Default" not in parameters[need.parameter]:
                    problems.append(
                        f"{key}: {need.parameter} needs a Default in template {spec.template} (a StackSet "
                        "overrides per region only the parameters it sets itself)"
                    )
                if source and need.output not in outputs:
                    problems.append(f"{key}.output: {need.output} is not an output of template {source.template}")
    return list(dict.fromkeys(problems))


def check_unset(resolved, specs) -> None:
    """A parameter region_outputs provides, set in a parameter file too, would be overridden silently."""
    problems = []
    for spec in specs:
        for name in sorted(provided(spec)):
            for region in spec.regions:
                value = resolved.values.get(spec.template, {}).get(region, {}).get(name)
                if value is not None and value.file is not None:
                    problems.append(
                        f"{value.file}: {value.key}: {name} is read from other regions' stack outputs "
                        f"(stacksets/{spec.key}.yaml: region_outputs): remove it from the parameter file"
                    )
    if problems:
        raise InputError(list(dict.fromkeys(problems)))


def check_accounts(specs, caller: str, targets: Callable, all_specs=()) -> None:
    """After GetCallerIdentity, before any other call: outputs are read in the caller's account,
    so a StackSet with region_outputs (of ``specs``, those deployed), and each StackSet it reads
    (of ``all_specs``), deploys there only."""
    by_key = {spec.key: spec for spec in (*all_specs, *specs)}
    problems = []
    for spec in specs:
        if not spec.region_outputs:
            continue
        keys = dict.fromkeys([spec.key] + [d.stackset for d in spec.region_outputs if d.stackset in by_key])
        for source in (by_key[key] for key in keys):
            others = [account for account in targets(source, caller) if account != caller]
            if others:
                problems.append(
                    f"stacksets/{source.key}.yaml: accounts: {spec.name} reads stack outputs in account {caller} "
                    f"(region_outputs), but {source.name} deploys to account {', '.join(others)}: {CROSS_ACCOUNT}"
                )
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
