"""Parity: which resolved values differ between dev, staging and prod, and whether the
environment rules account for each difference."""

from __future__ import annotations

from collections.abc import Mapping
import textwrap
from dataclasses import dataclass

from ..inputs import params
from ..inputs.platform import Platform
from ..core.words import plural
from ..inputs.params import REGION_BOUND


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
            values = {env: _value(resolved[env], template, key, bool(declaration.get("NoEcho"))) for env in environments}
            if len(set(values.values())) > 1:
                differences.append(KeyDifference(template, key, values, verdict(key, values, project.platform)))
    return differences


REASONS = {"environment": "the environment's own name",
           "per-account": "each environment's own account and region (certificates, images)",
           "unexplained": "UNEXPLAINED: no environment rule or stated intent covers this difference"}
WIDTH = 100


def reason(verdict_: str) -> str:
    """A verdict in words: the rule's or the intent's own text, or what the kind means."""
    for prefix in ("rule: ", "intended: "):
        if verdict_.startswith(prefix):
            return verdict_[len(prefix):] + (" (environment rule)" if prefix == "rule: " else " (intended)")
    return REASONS.get(verdict_, verdict_)


def _block(d: KeyDifference, environments) -> list[str]:
    """One difference: its key and reason, then each environment's full value, wrapped."""
    width = max(len(e) for e in environments) + 2
    lines = [f"{d.template}.{d.key}"]
    lines += textwrap.wrap(reason(d.verdict), WIDTH, initial_indent="  why: ", subsequent_indent="       ")
    for env in environments:
        value = d.values[env] or "(empty)"
        lines += textwrap.wrap(value, WIDTH, initial_indent=f"  {env:<{width}}", subsequent_indent=" " * (width + 2),
                               break_long_words=True, break_on_hyphens=False)
    return lines


def render(differences: list[KeyDifference], environments) -> str:
    lines: list[str] = []
    for d in differences:
        lines += _block(d, environments) + [""]
    unexplained = [d for d in differences if not d.explained]
    lines.append(f"{plural(len(differences), 'differing value')}: {len(differences) - len(unexplained)} explained "
                 f"(environment rules, intended differences, the environment itself), {len(unexplained)} unexplained"
                 + (f" ({', '.join(f'{d.template}.{d.key}' for d in unexplained)})" if unexplained else ""))
    return "\n".join(lines)
