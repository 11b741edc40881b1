"""The terminal report: StackSet x region matrix, then each drifted property."""

from __future__ import annotations

from ..core import accountview
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


def render(report: DriftReport) -> str:
    width = max([len(s.name) for s in report.stacksets] + [8])
    lines = [
        f"drift of {report.environment}: {report.status}  ({report.started} .. {report.finished})",
        summary_line(report),
        "",
        f"{'StackSet':<{width}}  " + "  ".join(f"{r:<11}" for r in report.regions),
    ]
    for stackset in report.stacksets:
        lines.append(f"{stackset.name:<{width}}  " + "  ".join(f"{cell(stackset, r):<11}" for r in report.regions))
    lines += by_account(report)
    rows = list(drifted_resources(report))
    if rows:
        lines.append("")
    for stackset, instance, resource in rows:
        state = resource.status if resource.drifted else f"{resource.status} (all differences ignored)"
        lines.append(
            f"{stackset.name} {instance.region} {instance.account}: {resource.logical_id} "
            f"({resource.resource_type}, {resource.physical_id}) {state}"
        )
        for difference in resource.differences:
            ignored = f"  [ignored: {difference.ignored_because}]" if difference.ignored_because else ""
            lines.append(
                f"    {difference.path}: expected {shown(difference.expected_value)}, "
                f"actual {shown(difference.actual_value)} "
                f"({difference.difference_type}){ignored}"
            )
    if not_checked_note(report):
        lines.append(f"\n{not_checked_note(report)}")
    lines += _not_checked(report) + _outside(report) + _rules(report)
    return "\n".join(lines)


def by_account(report: DriftReport) -> list[str]:
    """With several accounts (the organization layout): each account's instances by status, the
    accounts that look alike summed up in one line (core/accountview.py)."""
    looks: dict[str, list[tuple[str, str, str]]] = {}
    for stackset in report.stacksets:
        for instance in stackset.instances:
            looks.setdefault(instance.account, []).append((stackset.name, instance.region, instance.status))
    if len(looks) < 2:
        return []
    lines = ["", "by account:"]
    for accounts, look in accountview.alike(
        (account, tuple(sorted(found))) for account, found in sorted(looks.items())
    ):
        counts: dict[str, int] = {}
        for _, _, status in look:
            counts[status] = counts.get(status, 0) + 1
        lines.append(f"  {accountview.summed(accounts)}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return lines


def _outside(report: DriftReport) -> list[str]:
    rows = outside_rows(report)
    return ["", f"{OUTSIDE_TITLE}: {outside_note(report)}"] + [f"  {w}: {r} {k} {v}" for w, r, k, v in rows]


def _not_checked(report: DriftReport) -> list[str]:
    lines = [f"  {kind}: {count} in {where}" for kind, count, where in not_checked_by_type(report)]
    return (["", "NOT_CHECKED by type:"] + lines) if lines else []


def _rules(report: DriftReport) -> list[str]:
    rows = rule_lines(report)
    lines = ["", f"ignore rules: {len(rows)}"] if rows else []
    for label, reason, hid in rows:
        lines.append(
            f"  {label}: " + (f"hid {len(hid)} difference(s)" if hid else "unused (matched nothing in this run)")
        )
        lines.append(f"    reason: {reason}")
        lines += [f"    - {what}" for what in hid]
    return lines
