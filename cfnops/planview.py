"""Plans as text: what will happen to each StackSet, per account and region."""

from __future__ import annotations

from .plan import Plan

MAX_DIFF_LINES = 60


def describe(plan: Plan, show_diff: bool = True) -> list[str]:
    spec = plan.desired.spec
    lines = [f"{plan.name}: {plan.action.upper()}  ({spec.template} -> {len(plan.desired.targets)} "
             f"{'OUs' if spec.service_managed else 'accounts'} x {len(spec.regions)} regions, admin {spec.administrator_region})"]
    if plan.stackset_changes:
        lines.append(f"  StackSet changes: {', '.join(plan.stackset_changes)}")
    diff = plan.template_diff
    if diff and plan.actual.exists:
        for label, names in (("added", diff.added), ("removed", diff.removed), ("modified", diff.modified)):
            if names:
                lines.append(f"  resources {label}: {', '.join(names)}")
        if show_diff:
            body = [line for line in diff.text if not line.startswith(("---", "+++"))]
            lines += [f"    {line}" for line in body[:MAX_DIFF_LINES]]
            if len(body) > MAX_DIFF_LINES:
                lines.append(f"    ... {len(body) - MAX_DIFF_LINES} more diff lines")
    for change in plan.parameter_changes:
        lines.append(f"  parameter {change.key} [{change.scope}]: {change.old if change.old is not None else '(none)'} -> "
                     f"{change.new if change.new is not None else '(removed)'}")
    for label, pairs in (("add instances", plan.add), ("re-apply (OUTDATED/FAILED)", plan.retry), ("remove instances", plan.remove)):
        if pairs:
            lines.append(f"  {label}: {', '.join(f'{t}/{r}' for t, r in pairs)}")
    if plan.update_overrides:
        lines.append(f"  update overrides in: {', '.join(plan.update_overrides)}")
    return lines


def summary(plans: list[Plan]) -> str:
    counts = {action: sum(1 for p in plans if p.action == action) for action in ("create", "update", "unchanged")}
    return ", ".join(f"{n} {action}" for action, n in counts.items() if n) or "nothing to do"
