"""A StackSet whose instances read other regions' stack outputs (region_outputs) is applied
in passes, each planned afresh from what is deployed by then:

  pass 1: the regions whose values are all known (the sources exist: dependencies were
          deployed before this StackSet's level, and the first region reads no earlier one);
  pass n: the regions whose sources the passes before created or changed.

A region whose values are not all known is held back (not created, not removed); an
existing instance whose values changed (a replaced peering connection) gets its new
overrides in the pass after the one that changed them. It ends when a fresh plan has no
work; a region still waiting then, or values still changing after one pass per region
plus one, is a failure with the value it waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..core import interrupt
from ..core.errors import OperationFailedError
from .plan import Plan


def hold_back_removals(plan: Plan, blocked) -> Plan:
    """Instances of held-back regions are not in the wave's desired regions: they stay."""
    return replace(plan, remove=tuple(pair for pair in plan.remove if pair[1] not in blocked))


def apply_in_passes(
    replan: Callable[[], tuple[Plan, dict]],
    apply_plan: Callable,
    has_work: Callable[[Plan], bool],
    outcomes: list,
    passes: int,
) -> None:
    """``replan()`` -> (plan of the known regions, region -> reads still pending); each plan with
    work goes to ``apply_plan``, its outcomes to ``outcomes``. Stops at the first failure."""
    for _ in range(passes):
        interrupt.check()  # after Ctrl-C no new pass starts (its reads take a moment: check again after them)
        plan, blocked = replan()
        interrupt.check()
        if not has_work(plan):
            if blocked:
                raise OperationFailedError(_waiting(plan.name, blocked))
            return
        result = apply_plan(plan)
        outcomes.extend(result.outcomes)
        if result.failed:
            return
    raise OperationFailedError(f"{plan.name}: values read from other regions still changed after {passes} passes")


def _waiting(name: str, blocked) -> str:
    return "\n".join(
        f"{name}: {region} cannot be deployed: it reads {reads[0].source_name} {reads[0].need.source} "
        f"output {reads[0].need.output}, which is not there"
        for region, reads in blocked.items()
    )
