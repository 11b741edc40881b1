"""plan: preview every StackSet of an environment (exit 0 no changes, 2 changes)."""

from __future__ import annotations

import sys

import click

from ..changes import text as changes_text
from ..core.aws import translate_errors
from ..core.errors import ExitCode
from ..rollout import plandrift, rehearsal
from ..rollout.planwriters import WRITERS, PlanOutput
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
@options.output_format(WRITERS)
@click.option(
    "--drift",
    "with_drift",
    is_flag=True,
    help="Detect drift first and list what the update would overwrite and what stays (DRIFT=1)",
)
@click.option(
    "--parity",
    is_flag=True,
    help="Also compare with the environment before this one (the platform's order): each template change "
    "it does not run yet needs approval (PARITY=1)",
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
    parity: bool,
) -> None:
    """Preview every StackSet of an environment: exit 0 no changes, 2 changes."""
    progress = PlainProgress(sys.stderr)
    aws, _, plans = plans_of(context, environment, stacksets, timeout, progress)
    project = project_of(context)
    drift: dict | None
    with translate_errors():
        if with_drift:
            drift, source = plandrift.detected(project, aws, plans, environment, progress, wait_settings(timeout))
        else:
            drift, source = plandrift.from_saved(project, aws, plans, environment, progress)
        compared = rehearsal.compare(project, aws, plans, environment) if parity else None
    style = _colour if output_format == "text" and sys.stdout.isatty() else changes_text.plain
    output = PlanOutput(
        environment,
        plans,
        project.platform.protected,
        drift,
        source,
        show_diff=not no_diff,
        style=style,
        rehearsal=compared,
    )
    click.echo(WRITERS[output_format](output).rstrip("\n"))
    if any(item.changed for item in plans):
        raise SystemExit(int(ExitCode.DIFFERENCES))
