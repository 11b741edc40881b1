"""An environment's life: bootstrap (roles and artifacts bucket), status (its instances) and destroy."""

from __future__ import annotations

import json
import sys

import click

from ..build import lint
from ..build import render as render_module
from ..core.aws import translate_errors
from ..core.errors import OperationFailedError
from ..core.words import plural
from ..inputs import params
from ..inputs import stacksets as config
from ..rollout import bootstrap as bootstrap_module
from ..rollout import destroy as destroy_module
from ..rollout import planview, retained, retained_record
from ..rollout.pipeline import prepare
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
    unhealthy = [
        f"{p.name}: {i.account}/{i.region} {i.status}" for p in plans for i in p.actual.instances if not i.healthy
    ]
    if unhealthy:
        raise OperationFailedError("\n".join(unhealthy))


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
    template = project.platform.bootstrap
    render_module.check(project)
    templates = render_module.read_generated(project)
    lint.raise_on_findings(lint.lint(project, [template], list(project.platform.regions)))
    specs = config.load_project(project, environment, templates)
    resolved = params.resolve_deployed(project, environment, templates, specs)
    regions = list(dict.fromkeys(spec.administrator_region for spec in specs))
    text = project.template_path(template).read_text(encoding="utf-8")
    aws = connected(regions[0])
    account = aws.account_id(regions[0])
    for region in regions:
        values = resolved.plain(template, region)
        values["RoleRegion"] = regions[0]
        request = bootstrap_module.Request(
            region,
            text,
            values,
            wait_settings(timeout),
            environment,
            recreate,
            artifacts_bucket=project.platform.bucket(account, region),
            bucket_pattern=project.platform.artifacts_bucket,
        )
        done = bootstrap_module.deploy_region(aws, request)
        click.echo(f"bootstrap: {bootstrap_module.STACK_NAME} in {region}: {done}")


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
    region = prepared.specs[0].administrator_region
    names = {spec.name for spec in prepared.specs}
    progress = make_progress()
    with progress, translate_errors():
        aws = connected(region)
        where = retained_record.Where.of(aws, project.platform.artifacts_bucket, region, environment)
        recorded = retained_record.read(aws, where)
        collected = [
            item
            for spec in prepared.specs
            for item in retained.collect(aws, spec, json.loads(prepared.texts[spec.template]))
        ]
        outcomes = destroy_module.destroy_all(aws, prepared.specs, progress, wait_settings(timeout))
    others = [item for item in recorded if item.stackset not in names]  # StackSets this run left alone
    kept = retained_record.merged(collected, [item for item in recorded if item.stackset in names])
    failed = [f"{o.stackset}: {r.account}/{r.region} {r.status}: {r.reason}" for o in outcomes for r in o.failed]
    if failed or any(o.status != "SUCCEEDED" for o in outcomes):
        _record(aws, where, others + kept)
        raise OperationFailedError("\n".join(failed) or "an operation did not succeed")
    if remove_retained:
        kept = _remove(aws, where, others, kept)
    recorded_in = _record(aws, where, others + kept)
    for item in kept:
        click.echo(
            f"retained: {item.stackset} {item.region} {item.account} {item.logical_id} ({item.resource_type}, "
            f"{item.policy}) {item.physical_id}\n    remove: {item.command}"
        )
    click.echo(
        f"destroy: {plural(len(prepared.specs), 'StackSet')} of {environment} removed; "
        f"{plural(len(kept), 'retained resource')} stay in place"
        + (f" (recorded in {recorded_in})" if kept and recorded_in else "")
        + (
            "; a deploy of the same environment needs them gone: see above"
            + (
                f", or for {', '.join(project.platform.unprotected)} REMOVE_RETAINED=1 "
                "(which finds them from the record later too)"
                if project.platform.unprotected
                else ""
            )
            if kept and not remove_retained
            else ""
        )
    )


def _remove(aws, where: retained_record.Where, others: list, kept: list) -> list:
    """Remove what a remover knows; what is left (no remover, or its removal failed). A failure
    is recorded with the rest before it stops the command."""
    removable, left = retained.removable(kept)
    with translate_errors():
        problems = retained.remove(aws, removable)
    left += [item for item, _ in problems]
    if problems:
        _record(aws, where, others + left)
        raise OperationFailedError("\n".join(line for _, line in problems))
    click.echo(f"destroy: removed the {plural(len(removable), 'resource')} the StackSets retained")
    return left


def _record(aws, where: retained_record.Where, items: list) -> str:
    """Write the record; where it is ('' with no artifacts bucket to keep it in: said in one line)."""
    with translate_errors():
        if retained_record.write(aws, where, items):
            return str(where)
    if items:
        click.echo(f"destroy: not recorded: no bucket {where.bucket} (run `make bootstrap ENV={where.environment}`)")
    return ""
