"""Plans as text: what will happen to each StackSet, per account and region."""

from __future__ import annotations

from ..changes import text as changes_text
from ..core import accountview
from ..core.verdicts import PlanAction
from ..core.words import plural, table
from . import roles
from .deploy import retains_stacks
from .plan import Plan


def describe(
    plan: Plan, show_diff: bool = True, style=changes_text.plain, retain_stacks: bool | None = None
) -> list[str]:
    """``show_diff``: each changed property path (old -> new), not only the resources;
    ``retain_stacks``: whether removing instances keeps their stacks (None: the environment's default)."""
    spec = plan.desired.spec
    targets = plural(len(plan.desired.targets), "OU" if spec.service_managed else "account")
    lines = [
        f"{plan.name}: {plan.action.upper()}  ({spec.template} -> {targets} x {plural(len(spec.regions), 'region')}, "
        f"admin {spec.administrator_region})"
    ]
    if plan.stackset_changes:
        lines.append(f"  StackSet changes: {', '.join(plan.stackset_changes)}")
    several = len(plan.desired.targets) > 1
    for group in plan.resources:
        lines += changes_text.group_lines(group, set(plan.add), several, details=show_diff, style=style)
    if not plan.actual.exists:
        overridden = sorted({k for values in plan.desired.overrides.values() for k in values})
        lines.append(
            f"  parameters: {len(plan.desired.parameters)}"
            + (f"; per-region overrides: {', '.join(overridden)}" if overridden else "")
        )
    for change in plan.parameter_changes if plan.actual.exists else ():
        lines.append(
            f"  parameter {change.key} [{change.scope}]: {change.old if change.old is not None else '(none)'} -> "
            f"{change.new if change.new is not None else '(removed)'}"
        )
    for label, pairs in (
        ("instances to add", plan.add),
        ("instances to re-apply (OUTDATED/FAILED)", plan.retry),
        ("instances to remove", plan.remove),
    ):
        if pairs:  # account x regions, accounts that look alike summed up (accountview.py)
            lines.append(f"  {label}: {accountview.by_account(pairs)}")
    if plan.remove:
        lines += _removal_lines(plan, retains_stacks(spec, retain_stacks), style)
    lines += _role_lines(plan)
    if plan.update_overrides:
        lines.append(f"  update overrides in: {', '.join(plan.update_overrides)}")
    lines += _region_reads(plan)
    if plan.protect:
        names = sorted({name for _, region in plan.protect for name in plan.desired.relaxation(region)})
        lines.append(
            f"  then, once created, turn on {', '.join(names)}: {', '.join(f'{t}/{r}' for t, r in plan.protect)} "
            "(created with it off, so that a failed creation can roll back)"
        )
    return lines


def _removal_lines(plan: Plan, retain: bool, style) -> list[str]:
    """What removing instances (PRUNE=1) does to their stacks: kept, or deleted with every
    resource, the stateful ones with what their DeletionPolicy keeps."""
    if retain:
        return [
            "    stack kept (RetainStacks): removing them (PRUNE=1) leaves their stacks and resources in place, outside the StackSet"
        ]
    lines = []
    for group in plan.removed_resources:
        stateful = [c for c in group.changes if c.destructive]
        lines.append(
            f"    removing them (PRUNE=1) deletes the stacks in {changes_text.where(group, len(plan.desired.targets) > 1)}: "
            f"{plural(len(group.changes), 'resource')} removed, {len(stateful)} stateful"
        )
        lines += [
            "      " + style(f"- Remove {c.logical_id} ({c.type})  STATEFUL: {c.keeps}", "warn") for c in stateful
        ]
    return lines


def _role_lines(plan: Plan) -> list[str]:
    """Region roles: the order instances are created and updated in, and a failover."""
    spec, template = plan.desired.spec, plan.desired.template
    if not roles.has_roles(template):
        return []
    lines = []
    created = roles.order_line(spec.regions, [r for _, r in plan.add], spec.primary, True)
    if created:
        lines.append(f"  {created}")
    if plan.actual.exists and plan.stackset_changes:
        order = spec.preferences.get("RegionOrder")
        lines.append(
            f"  update order: {', '.join(order)} (primary {spec.primary} first)"
            if order
            else f"  update order: all regions at once ({spec.preferences.get('RegionConcurrencyType', 'PARALLEL')})"
        )
    change = roles.failover(plan)
    if change:
        lines.append(
            f"  FAILOVER: primary region {change[0]} -> {change[1]}: deploy refuses it without ALLOW_FAILOVER=1"
        )
    return lines


def _region_reads(plan: Plan) -> list[str]:
    """What region_outputs reads for each region, and the order of passes when some is not there yet."""
    reads, regions = plan.desired.region_reads, plan.desired.spec.regions
    if not reads:
        return []
    lines = ["  read from other regions' stack outputs (per-region overrides):"]
    lines += [f"    {read.need.region}: {read.describe()}" for read in reads]
    if any(read.value is None for read in reads):
        lines.append(
            f"  deployed in passes, in the order {' -> '.join(regions)}: each region once the outputs it "
            "reads exist (what it depends on deploys first, then the regions before it)"
        )
    return lines


def summary(plans: list[Plan]) -> str:
    counts = {action: sum(1 for p in plans if p.action == action) for action in PlanAction}
    return ", ".join(f"{n} {action}" for action, n in counts.items() if n) or "nothing to do"


STATUS_HEADER = ("STACKSET", "REGION", "ACCOUNT", "STATUS", "DETAILED", "LAST OPERATION", "REASON")


def status(plans: list[Plan]) -> list[str]:
    """Every StackSet's instances as one table, account by account (region, status, last
    operation); accounts whose instances look alike are one group of rows when there are many
    (accountview.py); then the StackSets with no instance, and how many instances in all."""
    rows, absent, count, accounts = [], [], 0, set()
    for plan in plans:
        if not plan.actual.exists:
            absent.append(plan.name)
            continue
        rows += _status_rows(plan)
        count += len(plan.actual.instances)
        accounts |= {i.target for i in plan.actual.instances}
    lines = table(STATUS_HEADER, rows) if rows else []
    lines += [f"{name}: not deployed" for name in absent]
    deployed = plural(len(plans) - len(absent), "StackSet")
    where = f" in {plural(len(accounts), 'account')}" if len(accounts) > 1 else ""
    return [*lines, f"status: {plural(count, 'instance')} of {deployed}{where}"]


def _status_rows(plan: Plan) -> list[tuple]:
    order = {region: index for index, region in enumerate(plan.desired.spec.regions)}
    per_account: dict[str, list] = {}
    for i in sorted(plan.actual.instances, key=lambda i: (i.target, order.get(i.region, 99))):
        per_account.setdefault(i.target, []).append(i)
    looks = (
        (account, tuple((i.region, i.status, i.detailed, i.reason) for i in found))
        for account, found in per_account.items()
    )
    rows = []
    for group, _look in accountview.alike(looks):
        label = accountview.summed(group) if len(group) > accountview.ALIKE else None
        for account in [group[0]] if label else group:
            rows += [
                (
                    plan.name,
                    i.region,
                    label or i.target,
                    i.status,
                    i.detailed,
                    i.last_operation_id if not label else "(several)",
                    i.reason or "",
                )
                for i in per_account[account]
            ]
    return rows


def unhealthy(plans: list[Plan]) -> list[str]:
    """One line per instance that is not CURRENT: StackSet, account/region, status."""
    return [f"{p.name}: {i.account}/{i.region} {i.status}" for p in plans for i in p.actual.instances if not i.healthy]
