"""Roll-out commands: deploy (check, plan, change) and copy-tables (regional into global tables)."""

from __future__ import annotations

import sys

import click

from ..build import render as render_module
from ..changes import guard
from ..core.aws import Aws, translate_errors
from ..core.words import plural
from ..rollout import deploy as deploy_module
from ..rollout import planview, tablecopy
from ..rollout.pipeline import deploy_environment, prepare
from . import options
from .context import project as project_of
from .context import wait_settings
from .progress import PlainProgress, make_progress


@click.command()
@options.environment("The environment to roll out")
@options.stacksets
@click.option("--prune", is_flag=True, help="Remove stack instances no longer wanted (PRUNE=1)")
@click.option(
    "--retain-stacks/--delete-stacks",
    default=None,
    help="When pruning: keep the removed stacks (default in a production environment) or delete them (default elsewhere)",
)
@options.timeout(3600.0)
@click.option(
    "--allow-failover",
    is_flag=True,
    help="Accept a changed primary_region (ALLOW_FAILOVER=1; docs/regions.md: a planned failover)",
)
@click.option(
    "--allow-replace",
    default="",
    help="StackSet/LogicalId[,...]: stateful resources this run may replace or "
    "remove in a protected environment (ALLOW_REPLACE)",
)
@click.pass_context
def deploy(
    context: click.Context,
    environment: str,
    stacksets: tuple[str, ...],
    prune: bool,
    retain_stacks: bool | None,
    timeout: float,
    allow_failover: bool,
    allow_replace: str,
) -> None:
    """Check, plan and roll out every StackSet of an environment (exit 1 on any failed instance)."""

    def show(plans) -> None:
        for item in plans:
            click.echo("\n".join(planview.describe(item, show_diff=False, retain_stacks=retain_stacks)))

    allowed = guard.parse(allow_replace)
    progress = make_progress()
    project = project_of(context)
    deploy_options = deploy_module.DeployOptions(
        artifacts_bucket=project.platform.artifacts_bucket,
        prune=prune,
        retain_stacks=retain_stacks,
        wait=wait_settings(timeout),
        allow_failover=allow_failover,
        allow_replace=allowed,
    )
    with progress:
        rollout = deploy_environment(project, environment, Aws(), progress, deploy_options, stacksets, on_plans=show)
    if not rollout.results:
        click.echo(f"deploy: nothing to do ({plural(len(rollout.plans), 'StackSet')} unchanged)")
        return
    deploy_module.raise_on_failure(rollout.results)
    operations = sum(len(r.outcomes) for r in rollout.results)
    click.echo(f"deploy: {planview.summary(rollout.plans)}; {plural(operations, 'operation')} succeeded")


@click.command("copy-tables")
@options.environment("The environment whose tables to copy")
@options.stacksets
@click.pass_context
def copy_tables(context: click.Context, environment: str, stacksets: tuple[str, ...]) -> None:
    """Copy regional tables' items into the global tables that replace them (idempotent)."""
    project = project_of(context)
    prepared = prepare(project, environment, stacksets, run_lint=False)
    aws = Aws()
    with translate_errors():
        aws.account_id(prepared.specs[0].administrator_region)
        copied = tablecopy.copy_environment(
            aws, prepared.specs, render_module.read_generated(project), prepared.resolved, PlainProgress(sys.stderr)
        )
    total = sum(item.items for item in copied)
    click.echo(f"copy-tables: {plural(total, 'item')} copied in {plural(len(copied), 'table')}")
