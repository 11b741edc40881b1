"""Deploy's guard: no stateful replacement or removal in a protected environment (the
platform's ``protected``: staging and prod) unless the run names it
(``ALLOW_REPLACE=StackSet/LogicalId[,...]``, StackSet as in stacksets/ or its full name).
Checked on the plans, before any mutating call; elsewhere (dev) it only warns. In a
production environment (prod), a documented interruption of a stateful resource
(``Interrupt``) needs the same consent. An update AWS
documents as failing (``Will fail``, e.g. a KMS key's KeySpec) is refused everywhere.
"""

from __future__ import annotations

import re

from ..core.errors import InputError, RefusedError
from ..inputs.platform import Environment

ITEM = re.compile(r"^([A-Za-z][-A-Za-z0-9]{0,127})/([A-Za-z0-9]{1,255})$")
SHAPE = (
    "expected StackSet/LogicalId[,StackSet/LogicalId...] (StackSet as in stacksets/, e.g. fraud-agent/DecisionsTable)"
)


def parse(text: str) -> frozenset[tuple[str, str]]:
    """ALLOW_REPLACE's text as (StackSet, LogicalId) pairs; one line naming the bad item otherwise."""
    items = [item.strip() for item in text.split(",")] if text.strip() else []
    pairs = []
    for item in items:
        match = ITEM.match(item)
        if not match:
            raise InputError(f"ALLOW_REPLACE: {SHAPE}, got {item!r}")
        pairs.append((match[1], match[2]))
    return frozenset(pairs)


def check_names(allowed: frozenset[tuple[str, str]], specs) -> None:
    """Every StackSet named must be one of the environment's (before any AWS call)."""
    known = {spec.key for spec in specs} | {spec.name for spec in specs}
    unknown = sorted({name for name, _ in allowed if name not in known})
    if unknown:
        raise InputError(
            f"ALLOW_REPLACE: unknown StackSet {unknown[0]!r}: expected one of {', '.join(sorted(s.key for s in specs))}"
        )


def _allowed(allowed, spec, logical_id: str) -> bool:
    return (spec.key, logical_id) in allowed or (spec.name, logical_id) in allowed


def interruptions(plans, allowed: frozenset[tuple[str, str]]) -> list[str]:
    """One line per documented interruption of a stateful resource the run does not name."""
    return [
        f"{plan.desired.spec.key}/{c.logical_id} ({c.type}): Interrupt in {', '.join(group.regions)}; "
        f"{c.fact.property}: {c.fact.reason} ({c.fact.page})"
        for plan in plans
        for group in plan.resources
        for c in group.changes
        if c.interrupts and not _allowed(allowed, plan.desired.spec, c.logical_id)
    ]


def findings(plans, allowed: frozenset[tuple[str, str]], deletes_stacks=lambda plan: False) -> list[str]:
    """One line per stateful replacement or removal the run does not name, with its regions.
    ``deletes_stacks(plan)``: the run deletes the stacks of the instances the plan removes
    (PRUNE=1, stacks not retained), so every resource of them is a Remove."""
    lines = []
    for plan in plans:
        spec = plan.desired.spec
        removed = plan.removed_resources if deletes_stacks(plan) else ()
        for group in (*plan.resources, *removed):
            for change in group.changes:
                if change.destructive and not _allowed(allowed, spec, change.logical_id):
                    lines.append(
                        f"{spec.key}/{change.logical_id} ({change.type}): {change.action} in "
                        f"{', '.join(group.regions)}; {change.keeps}"
                    )
    return lines


def failing(plans) -> list[str]:
    """One line per update AWS documents as rejected (``Will fail``), naming the key and the fact."""
    return [
        f"deploy refused: {plan.desired.spec.key}/{c.logical_id} ({c.type}): update will fail in "
        f"{', '.join(group.regions)}: {c.fact.property}: {c.fact.reason} ({c.fact.page})"
        for plan in plans
        for group in plan.resources
        for c in group.changes
        if c.fails
    ]


def enforce(
    environment: Environment, plans, allowed: frozenset[tuple[str, str]], warn, deletes_stacks=lambda plan: False
) -> None:
    """Raise RefusedError for a documented failing update in every environment (nothing allows
    it); for unnamed stateful replacements and removals in a protected environment (and
    interruptions in a production one); elsewhere, ``warn``."""
    refused = failing(plans)
    if refused:
        raise RefusedError(refused + ["nothing was changed; the fix is a new resource (a new logical id)"])
    lines = findings(plans, allowed, deletes_stacks)
    downtime = interruptions(plans, allowed)
    if environment.production:
        lines += downtime
    else:
        for line in downtime:
            warn(f"stateful interruption (allowed in {environment.name}): {line}")
    if not lines:
        return
    if not environment.protected:
        for line in lines:
            warn(f"stateful change (allowed in {environment.name}): {line}")
        return
    names = ",".join(dict.fromkeys(line.split(" ", 1)[0] for line in lines))
    raise RefusedError(
        [f"deploy refused: {line}" for line in lines]
        + [f"nothing was changed; to go ahead, name them: ALLOW_REPLACE={names} (--allow-replace)"]
    )
