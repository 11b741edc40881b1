"""A StackSet's operation preferences: the environment's defaults, and a file's overrides for
one environment, each preference checked against CloudFormation's own values and ranges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..awsfacts import stackset_limits
from ..core.errors import shown_value
from .paramfiles import type_name, unknown
from .stackset_problems import StackSetProblems

# (value, key, problems, the StackSet's regions): reports what is wrong with one preference
ValueCheck = Callable[[object, str, StackSetProblems, tuple[str, ...]], None]


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


def _one_of(*choices: str) -> ValueCheck:
    def check(value, key: str, problems: StackSetProblems, regions: tuple[str, ...]) -> None:
        if value not in choices:
            problems.problem(key, f"expected one of {', '.join(choices)}, got {shown_value(value)}")

    return check


def _regions(value, key: str, problems: StackSetProblems, regions: tuple[str, ...]) -> None:
    problems.strings(value, key, choices=regions)


def _whole_number(api: str) -> ValueCheck:
    def check(value, key: str, problems: StackSetProblems, regions: tuple[str, ...]) -> None:
        low, high = stackset_limits.preference_range(api)  # CloudFormation's own ranges
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f">= {low}"
            problems.problem(key, f"expected a whole number {bounds}, got {shown_value(value)}")

    return check


@dataclass(frozen=True)
class Preference:
    api: str  # its OperationPreferences name
    check: ValueCheck


def _number(api: str) -> Preference:
    return Preference(api, _whole_number(api))


PREFERENCES = {
    "region_concurrency": Preference("RegionConcurrencyType", _one_of("SEQUENTIAL", "PARALLEL")),
    "region_order": Preference("RegionOrder", _regions),
    "failure_tolerance_count": _number("FailureToleranceCount"),
    "failure_tolerance_percentage": _number("FailureTolerancePercentage"),
    "max_concurrent_count": _number("MaxConcurrentCount"),
    "max_concurrent_percentage": _number("MaxConcurrentPercentage"),
    "concurrency_mode": Preference("ConcurrencyMode", _one_of("STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE")),
}
# CloudFormation takes one of each pair: both set is a mistake; one set replaces the default's
EXCLUSIVE = (
    ("failure_tolerance_count", "failure_tolerance_percentage"),
    ("max_concurrent_count", "max_concurrent_percentage"),
)


def _exclusive_problems(overrides: dict, environment: str, problems: StackSetProblems) -> None:
    for pair in EXCLUSIVE:
        if all(name in overrides for name in pair):
            problems.problem(
                f"operation_preferences.{environment}", f"{pair[0]} and {pair[1]} exclude each other: set one"
            )


def _replaced_by(name: str) -> tuple[str, ...]:
    """The API names a file's preference replaces in the defaults: its pair's, or its own."""
    pair = next((pair for pair in EXCLUSIVE if name in pair), (name,))
    return tuple(PREFERENCES[other].api for other in pair)


def preferences(
    raw, environment: str, production: bool, regions: tuple[str, ...], primary: str, problems: StackSetProblems
) -> dict:
    """The environment's defaults with the file's overrides for ``environment``, primary first."""
    chosen = default_preferences(production, regions)
    overrides = (raw or {}).get(environment, {}) if isinstance(raw, dict) else None
    if overrides is None or not isinstance(overrides, dict):
        problems.problem(
            "operation_preferences", f"expected a mapping of environments to preferences, got {type_name(raw)}"
        )
        return chosen
    _exclusive_problems(overrides, environment, problems)
    for name, value in overrides.items():
        key = f"operation_preferences.{environment}.{name}"
        if name not in PREFERENCES:
            problems.problem(key, unknown(str(name), PREFERENCES, "preference"))
            continue
        preference = PREFERENCES[name]
        preference.check(value, key, problems, regions)
        for api in _replaced_by(name):
            chosen.pop(api, None)
        chosen[preference.api] = list(value) if isinstance(value, list) else value  # the file's list stays its own
    return primary_first(chosen, primary)


def primary_first(preferences: dict, primary: str) -> dict:
    """A RegionOrder, given or the default, starts with the primary region (region roles)."""
    order = preferences.get("RegionOrder")
    if isinstance(order, list) and primary in order:
        preferences["RegionOrder"] = [primary] + [region for region in order if region != primary]
    return preferences
