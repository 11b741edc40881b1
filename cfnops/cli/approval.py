"""`cfnops approval PLAN.json`: whether CI's deploy of the plan's environment waits for a
person, and why (cfnops/changes/ci_gate.py decides; the workflow only reads the answer)."""

from __future__ import annotations

from pathlib import Path

import click

from ..changes import ci_gate
from .context import project as project_of

FORMATS = {"outputs": ci_gate.outputs, "markdown": ci_gate.summary}


@click.command()
@click.argument("plan_json", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="outputs",
    show_default=True,
    help="outputs: key=value lines for $GITHUB_OUTPUT (environment, needs_approval, approvals, "
    "allow_replace); markdown: the reasons, for the job summary",
)
@click.pass_context
def approval(context: click.Context, plan_json: Path, output_format: str) -> None:
    """From a plan's JSON (cfnops plan --format json): the CI environment its deploy runs in
    (<env>-approval when a protected environment's plan needs a person), and why."""
    gate = ci_gate.read(project_of(context).platform, plan_json)
    click.echo(FORMATS[output_format](gate))
