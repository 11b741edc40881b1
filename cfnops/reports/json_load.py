"""The JSON report read back: a ``cfnops.drift/v2`` document as the DriftReport it was
written from (json_report.py). Ignore rules come from ``ignore_rule_uses`` and each hidden
difference is tied back to its rule by what the rule hid (StackSet, account, region,
logical id, path)."""

from __future__ import annotations

import json

from ..drift.detect import (
    DriftReport,
    IgnoreRule,
    InstanceDrift,
    PropertyDifference,
    ResourceDrift,
    StackSetDrift,
    as_text,
)
from ..drift.outside import OutsideFinding
from .json_report import SCHEMA

Where = tuple[str, str, str, str, str]  # stackset, account, region, logical id, path


def load(text: str) -> DriftReport:
    """Raises ValueError (json's included), KeyError or TypeError on a document that is not ``cfnops.drift/v2``."""
    return from_dict(json.loads(text))


def from_dict(data: dict) -> DriftReport:
    if data.get("schema") != SCHEMA:
        raise ValueError(f"expected schema {SCHEMA}, got {data.get('schema')!r}")
    uses = data["ignore_rule_uses"]
    rules = tuple(
        IgnoreRule(u["resource_type"], u["property"], u["normaliser"], u["reason"], tuple(u["keys"])) for u in uses
    )
    hid = {
        (h["stackset"], h["account"], h["region"], h["logical_id"], h["path"]): rule
        for rule, use in zip(rules, uses, strict=True)
        for h in use["hid"]
    }
    outside = data["outside_cloudformation"]
    findings: dict[str, list[OutsideFinding]] = {}
    for f in outside["findings"]:
        findings.setdefault(f["stackset"], []).append(
            OutsideFinding(
                f["stackset"],
                f["account"],
                f["region"],
                f["logical_id"],
                f["type"],
                f["physical_id"],
                f["kind"],
                f["value"],
                f["ignored_because"] or "",
            )
        )
    return DriftReport(
        data["environment"],
        data["started"],
        data["finished"],
        tuple(data["regions"]),
        tuple(_stackset(s, hid, tuple(findings.get(s["name"], ()))) for s in data["stacksets"]),
        data["ignore_rules"],
        rules,
        outside["read"],
    )


def _stackset(s: dict, hid: dict[Where, IgnoreRule], outside: tuple[OutsideFinding, ...]) -> StackSetDrift:
    instances = tuple(
        InstanceDrift(
            i["account"],
            i["region"],
            i["status"],
            i["reported_status"],
            i["last_check"],
            tuple(_resource(r, (s["name"], i["account"], i["region"]), hid) for r in i["resources"]),
        )
        for i in s["instances"]
    )
    return StackSetDrift(
        s["name"],
        s["template"],
        s["operation_id"],
        s["detection_status"],
        instances,
        s["polls"],
        s["seconds"],
        tuple(s["counts"].items()),
        outside,
    )


def _resource(r: dict, where: tuple[str, str, str], hid: dict[Where, IgnoreRule]) -> ResourceDrift:
    differences = tuple(
        PropertyDifference(
            d["path"],
            as_text(d["expected"]),
            as_text(d["actual"]),
            d["type"],
            d["ignored_because"] or "",
            hid.get((*where, r["logical_id"], d["path"])) if d["ignored_because"] else None,
        )
        for d in r["differences"]
    )
    return ResourceDrift(r["logical_id"], r["physical_id"], r["type"], r["status"], differences)
