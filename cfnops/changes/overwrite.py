"""Drift an update would overwrite, and drift it leaves alone.

For each drifted resource of an instance (a drift report's, cfnops/drift.py): when the
update replaces it, or changes the drifted property's path, the out-of-band value is
overwritten; when the update modifies the resource elsewhere it may be (CloudFormation's
handler may write the whole resource or only what changed); when the update leaves the
resource alone, the drift stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import ADD, REMOVE, REPLACE, Group, ResourceChange

OVERWRITES, MAY_OVERWRITE, STAYS, REMOVED = "overwrites", "may overwrite", "stays", "removed"


@dataclass(frozen=True)
class DriftNote:
    account: str
    region: str
    logical_id: str
    type: str
    path: str  # "" for a DELETED resource
    expected: str
    actual: str
    verdict: str  # OVERWRITES | MAY_OVERWRITE | STAYS | REMOVED


def _verdict(change: ResourceChange | None, path: str) -> str:
    if change is None or change.action == ADD:
        return STAYS
    if change.action == REMOVE:
        return REMOVED
    if change.action == REPLACE or not path:
        return OVERWRITES
    changed = [c.path for c in change.properties]
    return (
        OVERWRITES
        if any(path == p or path.startswith(p + "/") or p.startswith(path + "/") for p in changed)
        else MAY_OVERWRITE
    )


def notes(groups: tuple[Group, ...], drifted) -> tuple[DriftNote, ...]:
    """``drifted``: (account, region, ResourceDrift) of one StackSet, drifted ones only."""
    by_instance = {instance: {c.logical_id: c for c in g.changes} for g in groups for instance in g.instances}
    found = []
    for account, region, resource in drifted:
        change = by_instance.get((account, region), {}).get(resource.logical_id)
        differences = [d for d in resource.differences if not d.ignored_because] or [None]
        for difference in differences:
            path = difference.path if difference else ""
            found.append(
                DriftNote(
                    account,
                    region,
                    resource.logical_id,
                    resource.resource_type,
                    path,
                    difference.expected if difference else "",
                    difference.actual if difference else resource.status,
                    _verdict(change, path),
                )
            )
    return tuple(found)


def from_drift(groups: tuple[Group, ...], stackset_drift) -> tuple[DriftNote, ...]:
    """Notes for one StackSet from its drift detection (drift.StackSetDrift)."""
    drifted = [(i.account, i.region, r) for i in stackset_drift.instances for r in i.resources if r.drifted]
    return notes(groups, drifted)
