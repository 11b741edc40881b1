"""Parity with the environment a change reaches first: which of a plan's template changes
that environment does not run yet (``plan --parity``; its approvals, reason ``unrehearsed``).

The platform's environments are in promotion order (dev, staging, prod): prod's changes
should be what staging already runs. For each resource a StackSet's update adds, modifies or
removes, the earlier environment's deployed template (its StackSet of the same stacksets/
file, ``DescribeStackSet``'s TemplateBody) is compared with the template this plan deploys:
a resource defined otherwise there (or absent, or still present) has not been rehearsed.
None of this calls AWS: the caller reads the templates (cfnops/rollout/rehearsal.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Unrehearsed:
    logical_id: str
    type: str
    detail: str


def _resources(template: Mapping | None) -> Mapping:
    return (template or {}).get("Resources", {})


def _detail(earlier: str, stackset: str | None, before: Mapping | None, wanted: Mapping | None) -> str:
    if stackset is None:
        return f"{earlier} has no such StackSet deployed yet"
    if before is None:
        return f"{earlier} ({stackset}) does not have it yet"
    if wanted is None:
        return f"{earlier} ({stackset}) still has it"
    return f"{earlier} ({stackset}) runs another definition of it"


def unrehearsed(
    changed: tuple[str, ...],
    wanted_template: Mapping,
    earlier: str,
    earlier_stackset: str | None,
    earlier_template: Mapping | None,
    deployed_template: Mapping | None = None,
) -> list[Unrehearsed]:
    """Each logical id of ``changed`` (the update's added, modified and removed resources)
    whose definition in ``wanted_template`` differs from the one ``earlier``'s StackSet
    ``earlier_stackset`` runs (``earlier_template``; None for both: it has no such StackSet).
    The type comes from whichever template has the resource (``deployed_template``: this
    environment's own, for a removal)."""
    wanted, before = _resources(wanted_template), _resources(earlier_template)
    found = []
    for logical_id in changed:
        if earlier_stackset is not None and wanted.get(logical_id) == before.get(logical_id):
            continue
        known = wanted.get(logical_id) or before.get(logical_id) or _resources(deployed_template).get(logical_id) or {}
        detail = _detail(earlier, earlier_stackset, before.get(logical_id), wanted.get(logical_id))
        found.append(Unrehearsed(logical_id, str(known.get("Type", "")), detail))
    return found


@dataclass(frozen=True)
class Rehearsal:
    """What ``plan --parity`` found: the earlier environment and, per StackSet of the plan
    (its full name), the changes it has not run yet."""

    earlier: str
    notes: Mapping[str, tuple[Unrehearsed, ...]]
