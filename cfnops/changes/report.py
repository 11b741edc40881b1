"""A plan as data for its writers (text, Markdown, JSON ``cfnops.plan/v2``): a function of
the plans (and, with DRIFT=1, the drift notes); none of it calls AWS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .engine import Group
from .overwrite import DriftNote


@dataclass(frozen=True)
class StackSetPlan:
    name: str
    template: str
    action: str  # create | update | unchanged
    regions: tuple[str, ...]
    stackset_changes: tuple[str, ...]
    parameters: tuple  # plan.ParameterChange (NoEcho masked)
    add_instances: tuple[tuple[str, str], ...]
    remove_instances: tuple[tuple[str, str], ...]
    groups: tuple[Group, ...]
    drift: tuple[DriftNote, ...] = ()

    @property
    def destructive(self):
        """(group, change) for every stateful replacement or removal."""
        return [(g, c) for g in self.groups for c in g.changes if c.destructive]


@dataclass(frozen=True)
class PlanReport:
    environment: str
    stacksets: tuple[StackSetPlan, ...]
    drift_checked: bool = False

    @property
    def changed(self) -> bool:
        return any(s.action != "unchanged" for s in self.stacksets)


def build(environment: str, plans: list, drift: Mapping[str, tuple[DriftNote, ...]] | None = None) -> PlanReport:
    """``plans``: plan.Plan values; ``drift``: StackSet name -> notes (None: drift not read)."""
    stacksets = tuple(
        StackSetPlan(
            name=p.name,
            template=p.desired.spec.template,
            action=p.action,
            regions=tuple(p.desired.spec.regions),
            stackset_changes=p.stackset_changes,
            parameters=p.parameter_changes if p.actual.exists else (),
            add_instances=p.add,
            remove_instances=p.remove,
            groups=p.resources,
            drift=(drift or {}).get(p.name, ()),
        )
        for p in plans
    )
    return PlanReport(environment, stacksets, drift is not None)
