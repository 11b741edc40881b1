"""Offline commands: render, check, lint (the gate) and validate (parameter files)."""

from __future__ import annotations

import time

import click

from ..build import lint as lint_module
from ..build import render as render_module
from ..core.errors import InputError
from ..core.words import plural
from ..inputs import params
from . import options
from .context import project as project_of


@click.command()
@click.pass_context
def render(context: click.Context) -> None:
    """Render every template to generated/ (and generated/manifest.json)."""
    project = project_of(context)
    started = time.perf_counter()
    written = render_module.write(project, render_module.render(project))
    elapsed = time.perf_counter() - started
    click.echo(
        f"rendered {plural(len(written), 'changed file')} in {elapsed:.2f}s"
        + (": " + ", ".join(written) if written else "")
    )


@click.command()
@click.pass_context
def check(context: click.Context) -> None:
    """Fail (exit 5) when generated/ differs from a fresh render."""
    render_module.check(project_of(context))
    click.echo("generated/ is up to date")


@click.command()
@click.option("--template", "templates", multiple=True, help="Lint only these templates (default: all)")
@click.option("--no-cache", is_flag=True, help="Lint even templates whose content has not changed")
@click.pass_context
def lint(context: click.Context, templates: tuple[str, ...], no_cache: bool) -> None:
    """cfn-lint (+ our rules) and checkov on generated/: any finding fails (exit 4)."""
    project = project_of(context)
    platform = project.platform
    names = list(templates) or list(platform.registry)
    unknown = [name for name in names if name not in platform.registry]
    if unknown:
        raise InputError(f"--template {unknown[0]}: unknown template: expected one of {', '.join(platform.registry)}")
    render_module.read_generated(project)  # missing files are reported as stale
    started = time.perf_counter()
    result = lint_module.lint(project, names, list(platform.regions), use_cache=not no_cache)
    elapsed = time.perf_counter() - started
    lint_module.raise_on_findings(result)
    click.echo(
        f"lint: {plural(len(names), 'template')}, 0 findings ({len(result.linted)} linted, "
        f"{len(result.cached)} unchanged) in {elapsed:.2f}s"
    )


@click.command()
@options.environment("The environment whose parameter files to validate")
@click.pass_context
def validate(context: click.Context, environment: str) -> None:
    """Validate an environment's parameter files against the templates and environment rules."""
    project = project_of(context)
    resolved = params.resolve_deployed(project, environment, render_module.read_generated(project))
    sources = [
        project.display(p) for p in (project.common_parameters, project.parameter_path(environment)) if p.exists()
    ]
    click.echo(f"{environment}: {' + '.join(sources)}")
    for template, regions in resolved.values.items():
        count = len(next(iter(regions.values())))
        overrides = {
            r.key for values in regions.values() for r in values.values() if r.key and r.key.startswith("regions.")
        }
        click.echo(
            f"  {template:<18} {len(regions)} {'region ' if len(regions) == 1 else 'regions'}  {count:>3} parameters  {len(overrides):>2} region overrides"
        )
    click.echo(
        "  checked: types, allowed values, patterns, lengths, ranges, required and unknown keys, no literal secrets, "
        f"{len(project.platform.environment_rules)} environment rules, {len(project.platform.cross_rules)} cross-parameter rules"
    )
    click.echo(f"OK: {environment} parameters are valid")
