"""The kinds of rule a parameter file must satisfy beyond the template's own constraints.

Environment rules hold for one environment's values of a parameter, in whichever
template declares it. Cross-parameter rules hold everywhere and compare parameters of
one template with each other. Both are data: a platform declares its rows (its Platform's
``environment_rules`` and ``cross_rules``); this module holds no parameter names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class EnvironmentRule:
    environments: tuple[str, ...]
    parameter: str
    holds: Callable[[str], bool]
    expectation: str

    def problem(self, environment: str, value: str) -> str | None:
        if environment in self.environments and not self.holds(value):
            return f"{self.expectation}, got {value}"
        return None


@dataclass(frozen=True)
class CrossRule:
    """``check`` gets the template's resolved values and returns a problem or None;
    the problem is reported on ``parameter``."""

    parameter: str
    needs: tuple[str, ...]
    check: Callable[[Mapping[str, str]], str | None]


def at_least(number: float) -> Callable[[str], bool]:
    return lambda value: float(value) >= number


def at_most(number: float) -> Callable[[str], bool]:
    return lambda value: float(value) <= number


def equals(expected: str) -> Callable[[str], bool]:
    return lambda value: value == expected
