"""An environment's life: bootstrap (roles and artifacts bucket), status (its instances), history
(what each StackSet received when) and destroy."""

from __future__ import annotations

import json
import sys

import click

from ..core.aws import translate_errors
from ..core.errors import OperationFailedError
from ..rollout import bootstrap as bootstrap_module
from ..rollout import destroy as destroy_module
from ..rollout import history as history_module
from ..rollout import planview, retained, teardown
from ..rollout.pipeline import bootstrap_environment, prepare
from . import options
from .context import connected, plans_of, wait_settings
from .context import project as project_of
from .progress import PlainProgress, make_progress


@click.command()
@options.environment("The environment whose instances to show")
@options.stacksets
@click.pass_context
def status(context: click.Context, environment: str, stacksets: tuple[str, ...]) -> None:
    """Show every StackSet's instances per region and account (exit 1 if any is not CURRENT)."""
    _, _, plans = plans_of(context, environment, stacksets, 3600.0, PlainProgress(sys.stderr), run_lint=False)
    click.echo("\n".join(planview.status(plans)))
    unhealthy = planview.unhealthy(plans)
    if unhealthy:
        raise OperationFailedError("\n".join(unhealthy))


HISTORY_FORMATS = {
    "text": lambda env, found: "\n".join(history_module.text(env, found)),
    "json": lambda env, found: json.dumps(history_module.as_json(env, found), indent=2),
    "markdown": lambda env, found: "\n".join(history_module.markdown(env, found)),
}


@click.command()
@options.environment("The environment whose configuration history to show")
@options.stacksets
@options.output_format(HISTORY_FORMATS)
@click.option(
    "--last",
    default=history_module.DEFAULT_LAST,
    show_default=True,
    type=click.IntRange(min=1),
    help="Operations per StackSet, newest first",
)
@click.pass_context
def history(
    context: click.Context, environment: str, stacksets: tuple[str, ...], output_format: str, last: int
) -> None:
    """What each StackSet received, when and where: its operations from AWS's own records, and
    what each changed (StackSet properties, a Region's overrides); * marks the files' configuration."""
    aws, _, plans = plans_of(context, environment, stacksets, 3600.0, PlainProgress(sys.stderr), run_lint=False)
    with translate_errors():
        found = [
            history_module.read(
                aws.client("cloudformation", plan.desired.spec.administrator_region),
                plan.desired,
                last,
                plan.actual.exists,
            )
            for plan in plans
        ]
    click.echo(HISTORY_FORMATS[output_format](environment, found))


@click.command()
@options.environment("The environment (its tag values and parameters)")
@options.timeout(1800.0, "Seconds to wait for the stack")
@click.option(
    "--recreate",
    is_flag=True,
    help="Delete a stack whose creation failed (lifting termination protection for that delete) and create it again (RECREATE=1)",
)
@click.pass_context
def bootstrap(context: click.Context, environment: str, timeout: float, recreate: bool) -> None:
    """Create or update the StackSet roles and the artifacts bucket (plain stack per admin region)."""
    project = project_of(context)
    done = bootstrap_environment(
        project, environment, connected, wait_settings(timeout), recreate, PlainProgress(sys.stderr)
    )
    for where, outcome in done:  # a region's stack, or (organization layout) the member accounts' StackSet
        label = f"{bootstrap_module.STACK_NAME} in {where}" if where in project.platform.regions else where
        click.echo(f"bootstrap: {label}: {outcome}")


@click.command()
@options.environment("The environment to destroy")
@options.stacksets
@click.option(
    "--confirm", "confirmation", default=None, help="The environment's name, to destroy a production one (CONFIRM=prod)"
)
@click.option(
    "--remove-retained",
    is_flag=True,
    help="Unprotected environments (dev) only: also remove what deletion policies kept (REMOVE_RETAINED=1)",
)
@options.timeout(3600.0)
@click.pass_context
def destroy(
    context: click.Context,
    environment: str,
    stacksets: tuple[str, ...],
    confirmation: str | None,
    remove_retained: bool,
    timeout: float,
) -> None:
    """Delete an environment's stack instances, then its StackSets (data stays: deletion policies)."""
    project = project_of(context)
    destroy_module.confirm(project.platform.environment(environment), confirmation)
    retained.check_removal(project.platform, environment, remove_retained)
    prepared = prepare(project, environment, stacksets, run_lint=False)
    progress = make_progress()
    with progress, translate_errors():
        aws = connected(prepared.specs[0].administrator_region)
        deleted = teardown.delete(aws, prepared, project.platform.artifacts_bucket, progress, wait_settings(timeout))
    click.echo(
        "\n".join(teardown.settle(aws, deleted, remove_retained, click.echo, project.platform.unprotected).lines())
    )
