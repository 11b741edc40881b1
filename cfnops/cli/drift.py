"""Comparing what is deployed: drift (CloudFormation drift detection) and parity (between environments)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..build import render as render_module
from ..core.aws import translate_errors
from ..core.errors import ExitCode
from ..drift import across
from ..drift import detect as drift_module
from ..drift import parity as parity_module
from ..drift.deployed_config import read_environment
from ..drift.outside import Readers
from ..reports import html, saved
from ..reports.writers import WRITERS
from ..rollout.pipeline import prepare
from . import options
from .context import connected, wait_settings
from .context import project as project_of
from .progress import PlainProgress


@click.command()
@options.environment("The environment to check", every="every environment in one report")
@options.stacksets
@options.output_format(WRITERS)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here instead of stdout"
)
@click.option(
    "--html-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    envvar="CFNOPS_REPORTS_DIR",
    help="Where the HTML page goes (drift-<env>-latest.html and a timestamped copy)",
)
@click.option(
    "--ignore-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("drift-ignore.yaml"),
    show_default=True,
    help="Ignore rules: resource type, property, normaliser and reason (see docs/drift.md)",
)
@options.timeout(3600.0, "Seconds to wait for each detection")
@click.pass_context
def drift(
    context: click.Context,
    environment: str,
    stacksets: tuple[str, ...],
    output_format: str,
    output: Path | None,
    html_dir: Path,
    ignore_file: Path,
    timeout: float,
) -> None:
    """CloudFormation drift detection across every region (--env all: every environment, one
    report), and what it cannot see: exit 0 in sync, 2 drifted or found, 1 failed."""
    project = project_of(context)
    ignore_path = ignore_file if ignore_file.is_absolute() else project.root / ignore_file
    rules = drift_module.load_ignore_rules(ignore_path, project.display(ignore_path))
    environments = across.chosen(project.platform.environments, environment)
    specs = {env: prepare(project, env, stacksets, run_lint=False).specs for env in environments}
    region = next(iter(specs.values()))[0].administrator_region
    with translate_errors():
        aws = connected(region)
        readers = Readers(aws, aws.account_id(region))
        report = across.detect_environments(
            aws, specs, PlainProgress(sys.stderr), wait_settings(timeout), rules, readers
        )
    reports = across.per_environment(report, specs)  # the plan reads each environment's own
    if environment != across.ALL:
        report = reports[environment]
    body = WRITERS[output_format](report)
    if output:
        output.write_text(body, encoding="utf-8")
    else:
        click.echo(body.rstrip("\n"))
    latest, copy = html.write(report, html_dir if html_dir.is_absolute() else project.root / html_dir)
    click.echo(f"HTML report: {latest} (this run: {copy})", err=True)
    for one in reports.values():
        click.echo(f"saved for plan: {project.display(saved.save(project, one))}", err=True)
    across.raise_on_failure(report)
    if across.differs(report):
        raise SystemExit(int(ExitCode.DIFFERENCES))


@click.command()
@click.option(
    "--deployed", is_flag=True, help="Also read each stack's ConfigHash/ConfigManifest outputs and compare them"
)
@click.pass_context
def parity(context: click.Context, deployed: bool) -> None:
    """List the resolved values that differ between environments and whether rules explain them."""
    project = project_of(context)
    environments = project.platform.environments
    templates = render_module.read_generated(project)
    differences = parity_module.compare(project, templates, environments)
    click.echo(parity_module.render(differences, environments))
    if deployed:
        with translate_errors():
            aws = connected(project.platform.regions[0])
            rows = [row for env in environments for row in read_environment(project, aws, env, templates)]
        click.echo("")
        click.echo(parity_module.render_deployed(rows))
