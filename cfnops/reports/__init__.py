"""Writers of a DriftReport: text (terminal), JSON, Markdown, HTML. Each is a function of
the report alone; none calls AWS."""

from __future__ import annotations

import json
from typing import Any

from ..awsfacts.statuses import DRIFTED_RESOURCE, Drift, ResourceDrift
from ..core.verdicts import DriftVerdict
from ..core.words import plural
from ..drift.detect import DriftReport, StackSetDrift, rule_uses

# the worst first: a region's cell shows the worst status of its instances
STATUS_ORDER = (Drift.DRIFTED, DriftVerdict.FAILED, Drift.UNKNOWN, Drift.NOT_CHECKED, Drift.IN_SYNC)


def cell(stackset: StackSetDrift, region: str) -> str:
    """The status of a StackSet's instances in one region (the worst of its accounts)."""
    statuses = {i.status for i in stackset.instances if i.region == region}
    for status in STATUS_ORDER:
        if status in statuses:
            return status
    return "-"


def drifted_resources(report: DriftReport):
    """(stackset, instance, resource) for every MODIFIED or DELETED resource, ignored ones included."""
    for stackset in report.stacksets:
        for instance in stackset.instances:
            for resource in instance.resources:
                if resource.status in DRIFTED_RESOURCE:
                    yield stackset, instance, resource


def not_checked(report: DriftReport) -> int:
    return sum(
        1 for s in report.stacksets for i in s.instances for r in i.resources if r.status == ResourceDrift.NOT_CHECKED
    )


def not_checked_note(report: DriftReport) -> str:
    """One sentence on the NOT_CHECKED resources, or "". It says what was not checked, not
    why: the drift detection that answered (CloudFormation's own, or localcloud's, which
    reads fewer types) decides, and the report cannot know which one it was."""
    count = not_checked(report)
    if not count:
        return ""
    kinds = sorted(
        {
            r.resource_type
            for s in report.stacksets
            for i in s.instances
            for r in i.resources
            if r.status == ResourceDrift.NOT_CHECKED
        }
    )
    return f"{count} resource(s) are NOT_CHECKED: the drift detection did not check their type ({', '.join(kinds)})"


def rule_lines(report: DriftReport) -> list[tuple[str, str, list[str]]]:
    """(rule, reason, what it hid as "stackset region account: LogicalId /Path") for every
    ignore rule of the run; an empty list means the rule was unused."""
    rows = []
    for rule, uses in rule_uses(report):
        hid = [f"{s.name} {i.region} {i.account}: {r.logical_id} {d.path}" for s, i, r, d in uses]
        rows.append((rule.label, rule.reason, hid))
    return rows


def drifted_count(report: DriftReport) -> int:
    """Resources that count as drifted (DELETED, or MODIFIED with a difference no rule hid)."""
    return sum(1 for _, _, resource in drifted_resources(report) if resource.drifted)


def not_checked_by_type(report: DriftReport) -> list[tuple[str, int, str]]:
    """One row per type of the NOT_CHECKED resources: (type, how many, where as
    "stackset (region, ...)"), so a report says it in one line per type."""
    counts: dict[str, int] = {}
    where: dict[str, dict[str, set[str]]] = {}
    for stackset in report.stacksets:
        for instance in stackset.instances:
            for resource in instance.resources:
                if resource.status == ResourceDrift.NOT_CHECKED:
                    counts[resource.resource_type] = counts.get(resource.resource_type, 0) + 1
                    regions = where.setdefault(resource.resource_type, {}).setdefault(stackset.name, set())
                    regions.add(instance.region)
    return [
        (kind, counts[kind], ", ".join(f"{name} ({', '.join(sorted(r))})" for name, r in sorted(where[kind].items())))
        for kind in sorted(counts)
    ]


def shown(value: Any) -> str:
    """A typed property value as JSON (a string quoted, a number or boolean bare)."""
    return json.dumps(value, sort_keys=True)


OUTSIDE_TITLE = (
    "Outside CloudFormation's drift (read by cfnops: no template declares these, so CloudFormation's drift "
    "does not compare them)"
)


def outside_rows(report: DriftReport) -> list[tuple[str, str, str, str]]:
    """(where, resource, kind, value as JSON) per finding of cfnops's own reading, ignored
    ones with their reason after the value."""
    return [
        (
            f"{f.stackset} {f.region} {f.account}",
            f"{f.logical_id} ({f.resource_type}, {f.physical_id})",
            f.kind,
            shown(f.value) + (f"  [ignored: {f.ignored_because}]" if f.ignored_because else ""),
        )
        for f in report.outside
    ]


def outside_note(report: DriftReport) -> str:
    if not report.outside_read:
        return "not read in this run"
    found = sum(1 for f in report.outside if not f.ignored_because)
    return f"{plural(found, 'finding')}" + (
        f", {len(report.outside) - found} ignored" if found < len(report.outside) else ""
    )


def summary_line(report: DriftReport) -> str:
    unused = sum(1 for _, uses in rule_uses(report) if not uses)
    outside = f"; {outside_note(report)} outside CloudFormation's drift" if report.outside_read else ""
    return (
        f"{plural(drifted_count(report), 'drifted resource')}; {not_checked(report)} not checked; "
        f"{plural(len(report.rules), 'ignore rule')}, {unused} unused{outside}"
    )
