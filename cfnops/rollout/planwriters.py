"""The registry of plan writers, as cfn-lint's ``formatters/``: a name (the value of ``plan
--format``) to a function of one ``PlanOutput`` returning the whole text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..changes import json_view, markdown, report
from ..changes import text as changes_text
from ..changes.rehearsal import Rehearsal
from . import planview
from .deploy import retains_stacks


@dataclass(frozen=True)
class PlanOutput:
    """What a plan writer is given: the environment's plans, the drift each StackSet's update
    overwrites or keeps (None: not known) and where that drift came from; ``show_diff`` and
    ``style`` matter to the terminal's text only."""

    environment: str
    plans: list
    protected: tuple[str, ...]  # the platform's protected environments (inputs/platform.py)
    drift: dict | None = None
    drift_source: str = ""
    show_diff: bool = True
    style: Callable[[str, str], str] = changes_text.plain
    rehearsal: Rehearsal | None = None  # plan --parity: what the earlier environment does not run yet


def _text(output: PlanOutput) -> str:
    lines = []
    for item in output.plans:
        lines += planview.describe(item, show_diff=output.show_diff, style=output.style)
        lines += changes_text.drift_lines((output.drift or {}).get(item.name, ()), output.style, output.drift_source)
    return "\n".join(lines + [f"plan: {planview.summary(output.plans)}"])


def plan_report(
    environment: str, plans: list, drift, protected: tuple[str, ...], rehearsal: Rehearsal | None = None
) -> report.PlanReport:
    """The plan as the JSON and Markdown writers (and the bench) read it; PRUNE's kept stacks
    as deploy decides them (RetainStacks defaults)."""
    return report.build(
        environment,
        plans,
        drift,
        retains_stacks=lambda plan: retains_stacks(plan.desired.spec, None),
        protected=protected,
        rehearsal=rehearsal,
    )


def _of_report(render: Callable[[report.PlanReport], str]) -> Callable[[PlanOutput], str]:
    return lambda output: render(
        plan_report(output.environment, output.plans, output.drift, output.protected, output.rehearsal)
    )


Writer = Callable[[PlanOutput], str]

WRITERS: Mapping[str, Writer] = MappingProxyType(
    {"text": _text, "json": _of_report(json_view.render), "markdown": _of_report(markdown.render)}
)
