"""plan: preview every StackSet of an environment (exit 0 no changes, 2 changes)."""

from __future__ import annotations

import sys

import click

from ..changes import json_view, markdown, overwrite, report
from ..changes import text as changes_text
from ..core.aws import translate_errors
from ..core.errors import ExitCode
from ..core.protocols import AwsFactory, Progress
from ..drift import detect as drift_module
from ..reports import saved
from ..rollout import deployed_at, planview
from ..rollout.deploy import retains_stacks
from . import options
from .context import plans_of, wait_settings
from .context import project as project_of
from .progress import PlainProgress

COLOURS = {"add": "green", "modify": "yellow", "replace": "magenta", "remove": "red", "warn": "red"}


def _colour(text: str, kind: str) -> str:
    return click.style(text, fg=COLOURS.get(kind), bold=kind == "warn")


@click.command()
@options.environment("The environment to preview")
@options.stacksets
@options.timeout(3600.0, "Seconds to wait for an operation already running")
@click.option("--no-diff", is_flag=True, help="Resources only, without their changed property paths")
@options.output_format(["text", "json", "markdown"])
@click.option(
    "--drift",
    "with_drift",
    is_flag=True,
    help="Detect drift first and list what the update would overwrite and what stays (DRIFT=1)",
)
@click.pass_context
def plan(
    context: click.Context,
    environment: str,
    stacksets: tuple[str, ...],
    timeout: float,
    no_diff: bool,
    output_format: str,
    with_drift: bool,
) -> None:
    """Preview every StackSet of an environment: exit 0 no changes, 2 changes."""
    progress = PlainProgress(sys.stderr)
    aws, _, plans = plans_of(context, environment, stacksets, timeout, progress)
    drift: dict | None
    if with_drift:
        drift, source = _overwritten(context, aws, plans, environment, progress, timeout), "DRIFT=1"
    else:
        drift, source = _saved_drift(context, aws, plans, environment, progress)
    if output_format == "text":
        style = _colour if sys.stdout.isatty() else changes_text.plain
        for item in plans:
            click.echo(
                "\n".join(
                    planview.describe(item, show_diff=not no_diff, style=style)
                    + changes_text.drift_lines((drift or {}).get(item.name, ()), style, source)
                )
            )
        click.echo(f"plan: {planview.summary(plans)}")
    else:
        writer = {"json": json_view, "markdown": markdown}[output_format]
        built = report.build(
            environment, plans, drift, retains_stacks=lambda p: retains_stacks(p.desired.spec.environment, None)
        )
        click.echo(writer.render(built).rstrip("\n"))
    if any(item.changed for item in plans):
        raise SystemExit(int(ExitCode.DIFFERENCES))


def _saved_drift(
    context: click.Context, aws: AwsFactory, plans, environment: str, progress: Progress
) -> tuple[dict | None, str]:
    """The drift of the environment's saved report (reports/saved.py) for the StackSets it
    detected after their last deploy; (None, "") when there is none."""
    saved_report, problem = saved.load(project_of(context), environment)
    if problem:
        progress.note("drift", problem)
    if saved_report is None:
        return None, ""
    with translate_errors():
        found = deployed_at.newer_drift(
            lambda spec: aws.client("cloudformation", spec.administrator_region), plans, saved_report
        )
    if not found:
        return None, ""
    source = f"drift from the report of {saved_report.finished}"
    progress.note("drift", f"{source}: {', '.join(found)}")
    by_name = {item.name: item for item in plans}
    return {name: overwrite.from_drift(by_name[name].resources, s) for name, s in found.items()}, source


def _overwritten(
    context: click.Context, aws: AwsFactory, plans, environment: str, progress: Progress, timeout: float
) -> dict:
    """DetectStackSetDrift on the planned StackSets (ignore rules applied): per StackSet, the
    drift the update overwrites and the drift that stays."""
    project = project_of(context)
    rules = drift_module.load_ignore_rules(project.root / "drift-ignore.yaml", "drift-ignore.yaml")
    specs = [item.desired.spec for item in plans if item.actual.exists]
    if not specs:
        return {}
    with translate_errors():
        found = drift_module.detect_all(aws, specs, environment, progress, wait_settings(timeout), rules)
    by_name = {item.name: item for item in plans}
    return {s.name: overwrite.from_drift(by_name[s.name].resources, s) for s in found.stacksets}
