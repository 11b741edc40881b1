"""Parity: which resolved values differ between dev, staging and prod, and whether the
environment rules account for each difference."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from ..core.words import plural
from ..inputs import confighash, params
from ..inputs.params import REGION_BOUND
from ..inputs.platform import Platform
from .deployed_config import DEPLOYED, DeployedConfig, differing_keys


@dataclass(frozen=True)
class KeyDifference:
    template: str
    key: str
    values: dict[str, str]  # environment -> value ("a | b" when it varies by region)
    verdict: str  # "rule: ..." | "intended: ..." | "environment" | "per-account" | "computed" | "unexplained"

    @property
    def explained(self) -> bool:
        return self.verdict != "unexplained"


def _value(resolved: params.ResolvedEnvironment, template: str, key: str, no_echo: bool) -> str:
    values = list(
        dict.fromkeys(
            resolved.values[template][r][key].value
            for r in resolved.values[template]
            if key in resolved.values[template][r]
        )
    )
    return "****" if no_echo else " | ".join(values)


def verdict(key: str, values: Mapping[str, str], platform: Platform) -> str:
    if key == params.ENVIRONMENT_PARAMETER:
        return "environment"
    rules = [r.expectation for r in platform.environment_rules if r.parameter == key]
    if rules:
        return "rule: " + "; ".join(rules)
    if key in platform.intended_differences:
        return "intended: " + platform.intended_differences[key]
    if all(any(p.match(part) for p in REGION_BOUND) for v in values.values() for part in v.split(" | ")):
        return "per-account"  # certificates, images: each environment's own account
    return "unexplained"


def compare(project, templates: Mapping[str, dict], environments) -> list[KeyDifference]:
    resolved = {env: params.resolve_deployed(project, env, templates) for env in environments}
    differences = []
    for template, body in templates.items():
        for key, declaration in body.get("Parameters", {}).items():
            values = {
                env: _value(resolved[env], template, key, bool(declaration.get("NoEcho"))) for env in environments
            }
            if len(set(values.values())) > 1:
                kind = "computed" if key in confighash.computed(body) else verdict(key, values, project.platform)
                differences.append(KeyDifference(template, key, values, kind))
    return differences


REASONS = {
    "environment": "the environment's own name",
    "per-account": "each environment's own account and region (certificates, images)",
    "computed": "computed by cfnops from the values above (SHA-256 of the configuration manifest)",
    "unexplained": "UNEXPLAINED: no environment rule or stated intent covers this difference",
}
WIDTH = 100


def reason(verdict_: str) -> str:
    """A verdict in words: the rule's or the intent's own text, or what the kind means."""
    for prefix in ("rule: ", "intended: "):
        if verdict_.startswith(prefix):
            return verdict_[len(prefix) :] + (" (environment rule)" if prefix == "rule: " else " (intended)")
    return REASONS.get(verdict_, verdict_)


def _block(d: KeyDifference, environments) -> list[str]:
    """One difference: its key and reason, then each environment's full value, wrapped."""
    width = max(len(e) for e in environments) + 2
    lines = [f"{d.template}.{d.key}"]
    lines += textwrap.wrap(reason(d.verdict), WIDTH, initial_indent="  why: ", subsequent_indent="       ")
    for env in environments:
        value = d.values[env] or "(empty)"
        lines += textwrap.wrap(
            value,
            WIDTH,
            initial_indent=f"  {env:<{width}}",
            subsequent_indent=" " * (width + 2),
            break_long_words=True,
            break_on_hyphens=False,
        )
    return lines


def render(differences: list[KeyDifference], environments) -> str:
    lines: list[str] = []
    for d in differences:
        lines += _block(d, environments) + [""]
    unexplained = [d for d in differences if not d.explained]
    lines.append(
        f"{plural(len(differences), 'differing value')}: {len(differences) - len(unexplained)} explained "
        f"(environment rules, intended differences, the environment itself), {len(unexplained)} unexplained"
        + (f" ({', '.join(f'{d.template}.{d.key}' for d in unexplained)})" if unexplained else "")
    )
    return "\n".join(lines)


def _short(digest: str) -> str:
    return digest[:12] if digest else "-"


def _deployed_line(row: DeployedConfig, width: int) -> str:
    where = f"  {row.environment:<{width}} {row.region:<10} {row.account}"
    if row.status != DEPLOYED:
        return f"{where}  {row.status:<20} local {_short(row.local_hash)}"
    if not row.hash_matches_manifest:
        note = "ConfigHash is not the SHA-256 of ConfigManifest: not deployed by cfnops, do not trust it"
    elif row.deployed_hash == row.local_hash:
        note = "as the parameter files say"
    else:
        note = "parameter files now differ: " + ", ".join(row.changed_locally)
    return f"{where}  deployed {_short(row.deployed_hash)}  local {_short(row.local_hash)}  {note}"


def render_deployed(rows: list[DeployedConfig]) -> str:
    """Per template: each instance's deployed hash beside the local one, then which
    manifest keys make each deployed configuration differ from the first one."""
    lines: list[str] = []
    width = max((len(row.environment) for row in rows), default=0)
    for template in dict.fromkeys(row.template for row in rows):
        own = [row for row in rows if row.template == template]
        lines.append(f"{template}: deployed configuration (ConfigHash output) beside the parameter files' (local)")
        lines += [_deployed_line(row, width) for row in own]
        deployed = [row for row in own if row.status == DEPLOYED]
        if deployed:
            first = deployed[0]
            hashes = len({row.deployed_hash for row in deployed})
            lines.append(f"  {plural(len(deployed), 'deployed stack')}, {plural(hashes, 'distinct configuration')}")
            for row in deployed[1:]:
                keys = differing_keys(first.deployed_manifest, row.deployed_manifest)
                if keys:
                    lines.append(
                        f"  {row.environment} {row.region} differs from {first.environment} {first.region}: "
                        + ", ".join(keys)
                    )
        lines.append("")
    return "\n".join(lines).rstrip("\n")
