"""Parity (seed 001's configuration manifest): which resolved values differ between dev,
staging and prod, and whether the environment rules account for each difference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import env_rules, params
from .params import REGION_BOUND


@dataclass(frozen=True)
class KeyDifference:
    template: str
    key: str
    values: dict[str, str]  # environment -> value ("a | b" when it varies by region)
    verdict: str  # "rule: ..." | "intended: ..." | "environment" | "per-account" | "unexplained"

    @property
    def explained(self) -> bool:
        return self.verdict != "unexplained"


def _value(resolved: params.ResolvedEnvironment, template: str, key: str, no_echo: bool) -> str:
    values = list(dict.fromkeys(resolved.values[template][r][key].value for r in resolved.values[template]
                                if key in resolved.values[template][r]))
    return "****" if no_echo else " | ".join(values)


def verdict(key: str, values: Mapping[str, str]) -> str:
    if key == params.ENVIRONMENT_PARAMETER:
        return "environment"
    rules = [r.expectation for r in env_rules.ENVIRONMENT_RULES if r.parameter == key]
    if rules:
        return "rule: " + "; ".join(rules)
    if key in env_rules.INTENDED_DIFFERENCES:
        return "intended: " + env_rules.INTENDED_DIFFERENCES[key]
    if all(any(p.match(part) for p in REGION_BOUND) for v in values.values() for part in v.split(" | ")):
        return "per-account"  # certificates, images: each environment's own account
    return "unexplained"


def compare(project, templates: Mapping[str, dict], environments) -> list[KeyDifference]:
    resolved = {env: params.resolve_deployed(project, env, templates) for env in environments}
    differences = []
    for template, body in templates.items():
        for key, declaration in body.get("Parameters", {}).items():
            values = {env: _value(resolved[env], template, key, bool(declaration.get("NoEcho"))) for env in environments}
            if len(set(values.values())) > 1:
                differences.append(KeyDifference(template, key, values, verdict(key, values)))
    return differences


def render(differences: list[KeyDifference], environments) -> str:
    lines = [f"{'template':<16} {'parameter':<22} " + " ".join(f"{e:<16}" for e in environments) + " why"]
    for d in differences:
        shown = " ".join(f"{(d.values[e][:15] + '…') if len(d.values[e]) > 16 else d.values[e]:<16}" for e in environments)
        lines.append(f"{d.template:<16} {d.key:<22} {shown} {d.verdict}")
    unexplained = [d for d in differences if not d.explained]
    lines.append(f"\n{len(differences)} differing keys: {len(differences) - len(unexplained)} explained (environment rules, intended "
                 f"differences, the environment itself), {len(unexplained)} unexplained"
                 + (f" ({', '.join(f'{d.template}.{d.key}' for d in unexplained)})" if unexplained else ""))
    return "\n".join(lines)
