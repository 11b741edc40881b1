"""The one entry point. The only place that turns errors into exit codes (see errors.ExitCode)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import render as render_module
from .errors import CfnopsError, ExitCode, InputError
from .project import Project


def _project(context: click.Context) -> Project:
    return context.obj


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Project checkout (holds generated/, parameters/, stacksets/)")
@click.pass_context
def cli(context: click.Context, root: Path) -> None:
    """Render, check and roll out the fraud platform's CloudFormation."""
    context.obj = Project(root)


@cli.command()
@click.pass_context
def render(context: click.Context) -> None:
    """Render every template to generated/ (and generated/manifest.json)."""
    project = _project(context)
    started = time.perf_counter()
    written = render_module.write(project, render_module.render(project))
    elapsed = time.perf_counter() - started
    click.echo(f"rendered {len(written)} changed file(s) in {elapsed:.2f}s" + (": " + ", ".join(written) if written else ""))


@cli.command()
@click.pass_context
def check(context: click.Context) -> None:
    """Fail (exit 5) when generated/ differs from a fresh render."""
    render_module.check(_project(context))
    click.echo("generated/ is up to date")


@cli.command()
@click.option("--template", "templates", multiple=True, help="Lint only these templates (default: all)")
@click.option("--no-cache", is_flag=True, help="Lint even templates whose content has not changed")
@click.pass_context
def lint(context: click.Context, templates: tuple[str, ...], no_cache: bool) -> None:
    """cfn-lint (+ our rules) and checkov on generated/: any finding fails (exit 4)."""
    from templates_src import REGISTRY
    from templates_src.conventions import REGIONS

    from . import lint as lint_module

    names = list(templates) or list(REGISTRY)
    unknown = [name for name in names if name not in REGISTRY]
    if unknown:
        raise InputError(f"--template {unknown[0]}: unknown template: expected one of {', '.join(REGISTRY)}")
    render_module.read_generated(_project(context))  # missing files are reported as stale
    started = time.perf_counter()
    result = lint_module.lint(_project(context), names, list(REGIONS), use_cache=not no_cache)
    elapsed = time.perf_counter() - started
    lint_module.gate(result)
    click.echo(f"lint: {len(names)} template(s), 0 findings ({len(result.linted)} linted, "
               f"{len(result.cached)} unchanged) in {elapsed:.2f}s")


@cli.command()
@click.option("--env", "environment", required=True, help="dev, staging or prod")
@click.pass_context
def validate(context: click.Context, environment: str) -> None:
    """Validate an environment's parameter files against the templates and environment rules."""
    from templates_src.conventions import REGIONS

    from . import env_rules, params

    project = _project(context)
    resolved = params.resolve(project, environment, render_module.read_generated(project), REGIONS)
    sources = [project.display(p) for p in (project.common_parameters, project.parameter_path(environment)) if p.exists()]
    click.echo(f"{environment}: {' + '.join(sources)}")
    for template, regions in resolved.values.items():
        count = len(next(iter(regions.values())))
        overrides = {r.key for values in regions.values() for r in values.values() if r.key and r.key.startswith("regions.")}
        click.echo(f"  {template:<18} {len(regions)} regions  {count:>3} parameters  {len(overrides):>2} region overrides")
    click.echo(
        "  checked: types, allowed values, patterns, lengths, ranges, required and unknown keys, no literal secrets, "
        f"{len(env_rules.ENVIRONMENT_RULES)} environment rules, {len(env_rules.CROSS_RULES)} cross-parameter rules"
    )
    click.echo(f"OK: {environment} parameters are valid")


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, standalone_mode=False)
    except CfnopsError as error:
        for line in str(error).splitlines():
            click.echo(f"error: {line}", err=True)
        return int(error.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return int(ExitCode.ERROR)
    except click.ClickException as error:  # usage errors: bad input on the command line
        click.echo(f"error: {error.format_message()}", err=True)
        return int(ExitCode.INVALID_INPUT)
    return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
