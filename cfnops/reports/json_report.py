"""The JSON report. Schema ``cfnops.drift/v2`` (documented in docs/drift.md); keys are stable."""

from __future__ import annotations

import json

from ..awsfacts.statuses import ResourceDrift
from ..drift.detect import DriftReport, rule_uses
from . import drifted_count

SCHEMA = "cfnops.drift/v2"


def as_dict(report: DriftReport) -> dict:
    return {
        "schema": SCHEMA,
        "environment": report.environment,
        "status": report.status,
        "started": report.started,
        "finished": report.finished,
        "regions": list(report.regions),
        "ignore_rules": report.ignore_rules,
        "ignore_rule_uses": _rule_uses(report),
        "drifted_resources": drifted_count(report),
        "not_checked": _not_checked(report),
        "outside_cloudformation": {
            "read": report.outside_read,
            "findings": [
                {
                    "stackset": f.stackset,
                    "account": f.account,
                    "region": f.region,
                    "logical_id": f.logical_id,
                    "type": f.resource_type,
                    "physical_id": f.physical_id,
                    "kind": f.kind,
                    "value": f.value,
                    "ignored_because": f.ignored_because or None,
                }
                for f in report.outside
            ],
        },
        "stacksets": [
            {
                "name": s.name,
                "template": s.template,
                "operation_id": s.operation_id,
                "detection_status": s.detection_status,
                "status": s.status,
                "polls": s.polls,
                "seconds": round(s.seconds, 3),
                "counts": dict(s.counts),
                "instances": [
                    {
                        "account": i.account,
                        "region": i.region,
                        "status": i.status,
                        "reported_status": i.reported_status,
                        "last_check": i.last_check,
                        "resources": [
                            {
                                "logical_id": r.logical_id,
                                "physical_id": r.physical_id,
                                "type": r.resource_type,
                                "status": r.status,
                                "drifted": r.drifted,
                                "differences": [
                                    {
                                        "path": d.path,
                                        "expected": d.expected_value,
                                        "actual": d.actual_value,
                                        "type": d.difference_type,
                                        "ignored_because": d.ignored_because or None,
                                    }
                                    for d in r.differences
                                ],
                            }
                            for r in i.resources
                        ],
                    }
                    for i in s.instances
                ],
            }
            for s in report.stacksets
        ],
    }


def _not_checked(report: DriftReport) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for s in report.stacksets:
        for i in s.instances:
            for r in i.resources:
                if r.status == ResourceDrift.NOT_CHECKED:
                    groups.setdefault(r.resource_type, []).append(
                        {
                            "stackset": s.name,
                            "account": i.account,
                            "region": i.region,
                            "logical_id": r.logical_id,
                            "physical_id": r.physical_id,
                        }
                    )
    return dict(sorted(groups.items()))


def _rule_uses(report: DriftReport) -> list[dict]:
    return [
        {
            "resource_type": rule.resource_type,
            "property": rule.property,
            "normaliser": rule.normaliser,
            "keys": list(rule.keys),
            "reason": rule.reason,
            "unused": not uses,
            "hid": [
                {
                    "stackset": s.name,
                    "account": i.account,
                    "region": i.region,
                    "logical_id": r.logical_id,
                    "type": r.resource_type,
                    "path": d.path,
                }
                for s, i, r, d in uses
            ],
        }
        for rule, uses in rule_uses(report)
    ]


def render(report: DriftReport) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False) + "\n"
