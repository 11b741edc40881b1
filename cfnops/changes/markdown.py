"""The plan as Markdown, for a pull-request comment: a summary table per StackSet, the
stateful replacements and removals first, then each group of regions' resource changes."""

from __future__ import annotations

from ..core.verdicts import PlanAction
from . import approvals
from .report import PlanReport, Pruned, StackSetPlan
from .values import shown

ICON = {
    "Add": "➕",
    "Modify": "✏️",
    "May replace": "⚠️",
    "Replace": "🔁",
    "Remove": "🗑️",
    "Will fail": "⛔",
    "Interrupt": "⏸️",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _pruned(s: StackSetPlan, pruned: Pruned) -> list[str]:
    """The removed instances and what PRUNE=1 does to their stacks, like the text plan's lines."""
    removed = ", ".join(f"`{t}/{r}`" for t, r in s.remove_instances)
    lines = [f"**Removed instances** (`PRUNE=1`): {removed}", ""]
    if pruned.kept:
        return lines + [
            "- stack kept (RetainStacks): their stacks and resources stay in place, outside the StackSet",
            "",
        ]
    for group in pruned.groups:
        stateful = pruned.stateful(group)
        lines.append(
            f"- stacks deleted in {', '.join(group.regions)}: {len(group.changes)} resources removed, {len(stateful)} stateful"
        )
        lines += [f"  - 🗑️ Remove `{c.logical_id}` ({c.type}): {c.keeps}" for c in stateful]
    return [*lines, ""]


def _stackset(s: StackSetPlan, protected: tuple[str, ...]) -> list[str]:
    lines = [f"### {s.name}: {s.action}", ""]
    if s.destructive:
        refused = f" (deploy in {' or '.join(protected)} refuses these without `ALLOW_REPLACE`)"
        lines += [f"**Data at risk**{refused if protected else ''}:", ""]
        lines += [
            f"- {c.action} `{s.name}/{c.logical_id}` ({c.type}) in {', '.join(g.regions)}: {c.keeps}"
            for g, c in s.destructive
        ]
        lines.append("")
    if s.pruned is not None:
        lines += _pruned(s, s.pruned)
    for change in s.parameters:
        lines.append(f"- parameter `{change.key}` [{change.scope}]: `{change.old}` → `{change.new}`")
    if s.parameters:
        lines.append("")
    for group in s.groups:
        lines += [
            f"**{', '.join(group.regions)}**",
            "",
            "| | resource | type | property | old | new |",
            "|---|---|---|---|---|---|",
        ]
        for c in group.changes:
            first = f"| {ICON[c.action]} {c.action} | `{c.logical_id}` | {c.type} |"
            if not c.properties:
                lines.append(first + " | | |")
            for index, p in enumerate(c.properties):
                lead = first if index == 0 else "| | | |"
                lines.append(f"{lead} `{_cell(p.path)}` | `{_cell(shown(p.old))}` | `{_cell(shown(p.new))}` |")
            if c.fact is not None:
                also = f" ([see also]({c.fact.see_also}))" if c.fact.see_also else ""
                lines.append(f"| | | | {c.fact.property}: {_cell(c.fact.reason)} ([AWS]({c.fact.page})){also} | | |")
        lines.append("")
    if s.drift:
        lines += (
            ["Drift:", ""]
            + [
                f"- {n.verdict}: {n.region} `{n.logical_id}` `{n.path}` {_cell(n.actual)} (template: {_cell(n.expected)})"
                for n in s.drift
            ]
            + [""]
        )
    return lines


def _approvals(report: PlanReport) -> list[str]:
    """What a person must approve (approvals.py), each with its reason, before the details."""
    found = approvals.required(report)
    if not found:
        return []
    lines = ["**Needs a person's approval**:", ""]
    lines += [
        f"- {a.reason}: `{a.stackset}/{a.logical_id}` ({a.type}) in {', '.join(a.regions)}: {_cell(a.detail)}"
        for a in found
    ]
    return [*lines, ""]


def render(report: PlanReport) -> str:
    changed = [s for s in report.stacksets if s.action != PlanAction.UNCHANGED]
    lines = [f"## cfnops plan: {report.environment}", ""]
    if not changed:
        return "\n".join(lines + ["No changes.", ""])
    lines += ["| StackSet | action | resource changes | data at risk |", "|---|---|---|---|"]
    for s in report.stacksets:
        count = sum(len(g.changes) * len(g.instances) for g in s.groups)
        lines.append(f"| {s.name} | {s.action} | {count} | {len(s.destructive) or ''} |")
    lines.append("")
    lines += _approvals(report)
    for s in changed:
        lines += _stackset(s, report.protected)
    return "\n".join(lines)
