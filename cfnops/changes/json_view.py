"""The plan as JSON, schema ``cfnops.plan/v2`` (plan.schema.json, documented in docs/plan.md);
keys are stable: new keys may be added, none removed or renamed."""

from __future__ import annotations

import json
from pathlib import Path

from . import approvals
from .engine import Group
from .overwrite import DriftNote
from .report import PlanReport, Pruned, StackSetPlan
from .values import as_json

SCHEMA = "cfnops.plan/v2"
SCHEMA_FILE = Path(__file__).with_name("plan.schema.json")


def _fact(fact) -> dict | None:
    if fact is None:
        return None
    found = {"property": fact.property, "behaviour": fact.behaviour.name, "reason": fact.reason, "page": fact.page}
    return found | ({"see_also": fact.see_also} if fact.see_also else {})


def _group(group: Group) -> dict:
    return {
        "regions": list(group.regions),
        "instances": [{"target": t, "region": r} for t, r in group.instances],
        "resources": [
            {
                "logical_id": c.logical_id,
                "type": c.type,
                "action": c.action,
                "stateful": c.stateful,
                "replacement": c.replacement,
                "policy": c.policy or None,
                "keeps": c.keeps or None,
                "fact": _fact(c.fact),
                "properties": [
                    {"path": p.path, "old": as_json(p.old), "new": as_json(p.new), "note": p.note or None}
                    for p in c.properties
                ],
            }
            for c in group.changes
        ],
    }


def _drift(note: DriftNote) -> dict:
    return {
        "account": note.account,
        "region": note.region,
        "logical_id": note.logical_id,
        "type": note.type,
        "path": note.path,
        "expected": note.expected,
        "actual": note.actual,
        "verdict": note.verdict,
    }


def _pruned(pruned: Pruned | None) -> dict | None:
    if pruned is None:
        return None
    return {
        "stacks": "kept" if pruned.kept else "deleted",
        "groups": [
            {
                "regions": list(g.regions),
                "instances": [{"target": t, "region": r} for t, r in g.instances],
                "removed": len(g.changes),
                "stateful": [
                    {"logical_id": c.logical_id, "type": c.type, "policy": c.policy, "keeps": c.keeps}
                    for c in pruned.stateful(g)
                ],
            }
            for g in pruned.groups
        ],
    }


def _stackset(s: StackSetPlan) -> dict:
    return {
        "name": s.name,
        "template": s.template,
        "action": s.action,
        "regions": list(s.regions),
        "stackset_changes": list(s.stackset_changes),
        "parameters": [{"scope": c.scope, "key": c.key, "old": c.old, "new": c.new} for c in s.parameters],
        "add_instances": [{"target": t, "region": r} for t, r in s.add_instances],
        "remove_instances": [{"target": t, "region": r} for t, r in s.remove_instances],
        "groups": [_group(g) for g in s.groups],
        "destructive": [
            {
                "logical_id": c.logical_id,
                "type": c.type,
                "action": c.action,
                "regions": list(g.regions),
                "policy": c.policy,
                "keeps": c.keeps,
            }
            for g, c in s.destructive
        ],
        "drift": [_drift(n) for n in s.drift],
        "prune": _pruned(s.pruned),
    }


def as_dict(report: PlanReport) -> dict:
    return {
        "schema": SCHEMA,
        "environment": report.environment,
        "changed": report.changed,
        "drift_checked": report.drift_checked,
        "rehearsed_in": report.rehearsed_in or None,
        "stacksets": [_stackset(s) for s in report.stacksets],
        "approvals": approvals.as_json(report),  # what needs a person (approvals.py)
    }


def render(report: PlanReport) -> str:
    return json.dumps(as_dict(report), indent=2) + "\n"
