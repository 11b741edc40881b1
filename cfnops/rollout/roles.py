"""Region roles: one region of a StackSet is its primary (``primary_region`` in its file,
by default the administrator region), the others are secondaries.

A template takes part when it declares the ``PrimaryRegion`` parameter (cfnops fills it,
like ``Environment``; the template derives IsPrimaryRegion / IsSecondaryRegion from it).
For such a StackSet:
- a first creation creates the primary region's instances first and waits for them,
  then the others (what the secondaries join, a global cluster or table, exists by then);
- a RegionOrder starts with the primary (stackset_preferences.primary_first);
- changing the primary of a deployed StackSet is a failover: refused unless allowed.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.errors import InputError

PRIMARY_PARAMETER = "PrimaryRegion"


def has_roles(template: Mapping) -> bool:
    return PRIMARY_PARAMETER in template.get("Parameters", {})


def creation_waves(regions: tuple[str, ...], adding: list[str], primary: str, roles: bool) -> list[list[str]]:
    """The regions to create instances in, in order: the primary alone first (when it is
    being created too and the template has roles), then the rest in ``regions`` order."""
    ordered = [region for region in regions if region in adding]
    if roles and primary in ordered and len(ordered) > 1:
        return [[primary], [region for region in ordered if region != primary]]
    return [ordered] if ordered else []


def order_line(regions: tuple[str, ...], adding: list[str], primary: str, roles: bool) -> str | None:
    """How a plan says the creation order, or None when nothing is created."""
    waves = creation_waves(regions, adding, primary, roles)
    if len(waves) == 2:
        return f"create order: {primary} (primary) first and waited for, then {', '.join(waves[1])}"
    if waves and roles:
        role = "the primary" if primary in waves[0] else f"secondaries of {primary}"
        return f"create order: {', '.join(waves[0])} ({role})"
    return None


def failover(plan) -> tuple[str, str] | None:
    """(deployed primary, desired primary) when a deployed StackSet's primary changes."""
    if not plan.actual.exists or not has_roles(plan.desired.template):
        return None
    before = plan.actual.parameters.get(PRIMARY_PARAMETER)
    after = plan.desired.parameters.get(PRIMARY_PARAMETER)
    if before and after and before != after:
        return before, after
    return None


def refuse_failover(plans, allowed: bool, display_file) -> None:
    """Before any change: a new primary region needs ALLOW_FAILOVER=1 (docs/regions.md: a planned failover)."""
    if allowed:
        return
    problems = []
    for plan in plans:
        change = failover(plan)
        if change:
            problems.append(
                f"{display_file(plan.desired.spec)}: primary_region: {plan.name} has primary region {change[0]} "
                f"deployed, got {change[1]}: that is a failover; follow docs/regions.md 'A planned failover', "
                "then deploy with ALLOW_FAILOVER=1 (--allow-failover)"
            )
    if problems:
        raise InputError(problems)
