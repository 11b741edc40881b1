"""A plan as data for its writers (text, Markdown, JSON ``cfnops.plan/v2``): a function of
the plans (and, with DRIFT=1, the drift notes); none of it calls AWS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.verdicts import PlanAction
from .engine import Group, ResourceChange
from .overwrite import DriftNote
from .rehearsal import Rehearsal, Unrehearsed


@dataclass(frozen=True)
class Pruned:
    """What removing instances (PRUNE=1) does to their stacks: kept (RetainStacks: the stacks
    and their resources stay, outside the StackSet), or deleted with every resource (``groups``,
    each resource a Remove with what its DeletionPolicy keeps)."""

    kept: bool
    groups: tuple[Group, ...] = ()

    @staticmethod
    def stateful(group: Group) -> list[ResourceChange]:
        return [c for c in group.changes if c.destructive]


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
    pruned: Pruned | None = None  # None: no instances removed
    unrehearsed: tuple[Unrehearsed, ...] = ()  # plan --parity: changes the earlier environment does not run

    @property
    def destructive(self):
        """(group, change) for every stateful replacement or removal."""
        return [(g, c) for g in self.groups for c in g.changes if c.destructive]


@dataclass(frozen=True)
class PlanReport:
    environment: str
    stacksets: tuple[StackSetPlan, ...]
    drift_checked: bool = False
    protected: tuple[str, ...] = ()  # the environments whose deploy refuses unnamed data at risk
    rehearsed_in: str = ""  # plan --parity: the environment compared with ("": not compared)

    @property
    def changed(self) -> bool:
        return any(s.action != PlanAction.UNCHANGED for s in self.stacksets)


def _pruned(plan, retains: bool) -> Pruned | None:
    if not plan.remove:
        return None
    return Pruned(True) if retains else Pruned(False, tuple(plan.removed_resources))


def build(
    environment: str,
    plans: list,
    drift: Mapping[str, tuple[DriftNote, ...]] | None = None,
    *,
    retains_stacks: Callable[[Any], bool],
    protected: tuple[str, ...] = (),
    rehearsal: Rehearsal | None = None,
) -> PlanReport:
    """``plans``: plan.Plan values; ``drift``: StackSet name -> notes (None: drift not read);
    ``rehearsal``: what the earlier environment does not run yet (None: not compared);
    ``retains_stacks(plan)``: whether removing its instances (PRUNE=1) keeps their stacks."""
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
            pruned=_pruned(p, retains_stacks(p)),
            unrehearsed=rehearsal.notes.get(p.name, ()) if rehearsal else (),
        )
        for p in plans
    )
    return PlanReport(environment, stacksets, drift is not None, protected, rehearsal.earlier if rehearsal else "")
