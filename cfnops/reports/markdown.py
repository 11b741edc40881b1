"""The Markdown report, for a pull-request comment."""

from __future__ import annotations

from ..core.verdicts import DriftVerdict
from ..drift.detect import DriftReport
from . import (
    OUTSIDE_TITLE,
    cell,
    drifted_resources,
    not_checked_by_type,
    not_checked_note,
    outside_note,
    outside_rows,
    rule_lines,
    shown,
    summary_line,
)

ICONS = {
    DriftVerdict.DRIFTED: "🔴 DRIFTED",
    DriftVerdict.IN_SYNC: "🟢 IN_SYNC",
    DriftVerdict.FAILED: "⚠️ FAILED",
    DriftVerdict.NOT_CHECKED: "⚪ NOT_CHECKED",
    "-": "-",
}


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: DriftReport) -> str:
    lines = [
        f"## Drift: `{report.environment}` is {ICONS.get(report.status, report.status)}",
        "",
        f"**{summary_line(report)}**",
        "",
        f"Checked {report.started} to {report.finished} with CloudFormation drift detection.",
        "",
        "| StackSet | " + " | ".join(report.regions) + " |",
        "|---|" + "---|" * len(report.regions),
    ]
    for stackset in report.stacksets:
        lines.append(
            f"| `{stackset.name}` | "
            + " | ".join(ICONS.get(cell(stackset, r), cell(stackset, r)) for r in report.regions)
            + " |"
        )
    rows = list(drifted_resources(report))
    if rows:
        lines += ["", "### Drifted resources", ""]
    for stackset, instance, resource in rows:
        lines.append(
            f"**`{resource.logical_id}`** ({resource.resource_type}) in `{stackset.name}` "
            f"{instance.region} / {instance.account}: {resource.status}"
            + ("" if resource.drifted else " (all differences ignored)")
        )
        if resource.differences:
            lines += ["", "| Property | Expected | Actual | Difference |", "|---|---|---|---|"]
            for d in resource.differences:
                kind = d.difference_type + (f" (ignored: {_escape(d.ignored_because)})" if d.ignored_because else "")
                lines.append(
                    f"| `{_escape(d.path)}` | `{_escape(shown(d.expected_value))}` "
                    f"| `{_escape(shown(d.actual_value))}` | {kind} |"
                )
        lines.append("")
    if not_checked_note(report):
        lines.append(f"_{_escape(not_checked_note(report))}._")
    lines += _not_checked(report) + _outside(report) + _rules(report)
    return "\n".join(lines).rstrip() + "\n"


def _not_checked(report: DriftReport) -> list[str]:
    groups = not_checked_by_type(report)
    if not groups:
        return []
    lines = ["", "### Not checked, by type", "", "| Type | Resources | Where |", "|---|---|---|"]
    return lines + [f"| `{kind}` | {count} | {_escape(where)} |" for kind, count, where in groups]


def _outside(report: DriftReport) -> list[str]:
    lines = ["", f"### {OUTSIDE_TITLE}", "", f"_{outside_note(report)}_"]
    rows = outside_rows(report)
    if rows:
        lines += ["", "| Where | Resource | Kind | Found |", "|---|---|---|---|"]
        lines += [f"| {_escape(w)} | `{_escape(r)}` | {k} | `{_escape(v)}` |" for w, r, k, v in rows]
    return lines


def _rules(report: DriftReport) -> list[str]:
    rows = rule_lines(report)
    if not rows:
        return []
    lines = ["", f"### Ignore rules ({len(rows)})", "", "| Rule | Reason | Hid |", "|---|---|---|"]
    for label, reason, hid in rows:
        shown = "<br>".join(f"`{_escape(what)}`" for what in hid) if hid else "unused (matched nothing in this run)"
        lines.append(f"| `{_escape(label)}` | {_escape(reason)} | {shown} |")
    return lines
