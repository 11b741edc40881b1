"""Which changes of a plan need a person to approve them before they reach an environment:
the plan JSON's ``approvals`` (and CI's prod gate, .github/workflows/deploy.yml). Replacements
(or possible ones: a new physical resource), interruptions (downtime), IAM changes (who may
do what), drift a deploy would overwrite (someone changed it by hand: a deploy undoes it), and,
with ``plan --parity``, changes the earlier environment does not run yet (unrehearsed: prod's
plan shows what staging has not run).
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import INTERRUPT, MAY_REPLACE, REPLACE
from .overwrite import MAY_OVERWRITE, OVERWRITES
from .report import PlanReport, StackSetPlan

REPLACEMENT, INTERRUPTION, IAM, OVERWRITTEN_DRIFT = "replacement", "interruption", "iam", "overwritten-drift"
UNREHEARSED = "unrehearsed"


@dataclass(frozen=True)
class Approval:
    reason: str  # REPLACEMENT | INTERRUPTION | IAM | OVERWRITTEN_DRIFT | UNREHEARSED
    stackset: str
    logical_id: str
    type: str
    regions: tuple[str, ...]
    detail: str


def _of_changes(s: StackSetPlan) -> list[Approval]:
    found = []
    for group in s.groups:
        for c in group.changes:
            reasons = (
                [REPLACEMENT] if c.action in (REPLACE, MAY_REPLACE) else [INTERRUPTION] if c.action == INTERRUPT else []
            )
            reasons += [IAM] if c.type.startswith("AWS::IAM::") else []
            found += [Approval(r, s.name, c.logical_id, c.type, group.regions, c.action) for r in reasons]
    return found


def _of_drift(s: StackSetPlan) -> list[Approval]:
    return [
        Approval(OVERWRITTEN_DRIFT, s.name, n.logical_id, n.type, (n.region,), f"{n.path}: {n.actual} -> {n.expected}")
        for n in s.drift
        if n.verdict in (OVERWRITES, MAY_OVERWRITE)
    ]


def _of_rehearsal(s: StackSetPlan) -> list[Approval]:
    return [Approval(UNREHEARSED, s.name, u.logical_id, u.type, s.regions, u.detail) for u in s.unrehearsed]


def required(report: PlanReport) -> list[Approval]:
    """Every change in ``report`` a person must approve, in plan order."""
    return [a for s in report.stacksets for a in _of_changes(s) + _of_drift(s) + _of_rehearsal(s)]


def as_json(report: PlanReport) -> list[dict]:
    return [
        {
            "reason": a.reason,
            "stackset": a.stackset,
            "logical_id": a.logical_id,
            "type": a.type,
            "regions": list(a.regions),
            "detail": a.detail,
        }
        for a in required(report)
    ]
