"""The one entry point. The only place that turns errors into exit codes (see errors.ExitCode)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from ..build import render as render_module
from ..core.errors import CfnopsError, ExitCode, InputError
from ..core.protocols import AwsFactory, Progress
from ..core.words import plural
from ..inputs import platform as platform_module
from ..inputs.project import Project


def _project(context: click.Context) -> Project:
    """The project, its platform loaded once (from pyproject.toml) on first use."""
    root = context.find_root()
    if not isinstance(root.obj, Project):
        root.obj = Project(root.obj, platform_module.load(root.obj))
    return root.obj


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project checkout (holds generated/, parameters/, stacksets/)",
)
@click.pass_context
def cli(context: click.Context, root: Path) -> None:
    """Render, check and roll out a platform's CloudFormation (the one pyproject.toml declares)."""
    context.obj = root


@cli.command()
@click.pass_context
def render(context: click.Context) -> None:
    """Render every template to generated/ (and generated/manifest.json)."""
    project = _project(context)
    started = time.perf_counter()
    written = render_module.write(project, render_module.render(project))
    elapsed = time.perf_counter() - started
    click.echo(
        f"rendered {plural(len(written), 'changed file')} in {elapsed:.2f}s"
        + (": " + ", ".join(written) if written else "")
    )


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
    from ..build import lint as lint_module

    platform = _project(context).platform
    names = list(templates) or list(platform.registry)
    unknown = [name for name in names if name not in platform.registry]
    if unknown:
        raise InputError(f"--template {unknown[0]}: unknown template: expected one of {', '.join(platform.registry)}")
    render_module.read_generated(_project(context))  # missing files are reported as stale
    started = time.perf_counter()
    result = lint_module.lint(_project(context), names, list(platform.regions), use_cache=not no_cache)
    elapsed = time.perf_counter() - started
    lint_module.gate(result)
    click.echo(
        f"lint: {plural(len(names), 'template')}, 0 findings ({len(result.linted)} linted, "
        f"{len(result.cached)} unchanged) in {elapsed:.2f}s"
    )


@cli.command()
@click.option("--env", "environment", required=True, help="dev, staging or prod")
@click.pass_context
def validate(context: click.Context, environment: str) -> None:
    """Validate an environment's parameter files against the templates and environment rules."""
    from ..inputs import params

    project = _project(context)
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


def _wait_settings(timeout: float):
    from ..rollout.operations import WaitSettings

    return WaitSettings(
        timeout=timeout,
        first_poll=float(os.environ.get("CFNOPS_POLL_SECONDS", "2")),
        max_poll=float(os.environ.get("CFNOPS_POLL_MAX_SECONDS", "9")),
    )


def _connected(region: str):
    """A fresh Aws whose endpoint and credentials have answered (GetCallerIdentity, within seconds)."""
    from ..core.aws import Aws

    aws = Aws()
    aws.account_id(region)
    return aws


def _plans(
    context: click.Context,
    environment: str,
    stacksets: tuple[str, ...],
    timeout: float,
    progress: Progress,
    run_lint: bool = True,
):
    from ..core.aws import Aws
    from ..rollout.pipeline import plan_all, prepare

    prepared = prepare(_project(context), environment, stacksets, run_lint=run_lint)
    aws = Aws()
    account, plans = plan_all(aws, prepared, progress, _wait_settings(timeout))
    return aws, account, plans


COLOURS = {"add": "green", "modify": "yellow", "replace": "magenta", "remove": "red", "warn": "red"}


def _colour(text: str, kind: str) -> str:
    return click.style(text, fg=COLOURS.get(kind), bold=kind == "warn")


@cli.command()
@click.option("--env", "environment", required=True, help="dev, staging or prod")
@click.option("--stackset", "stacksets", multiple=True, help="Only these StackSets (name in stacksets/)")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds to wait for an operation already running")
@click.option("--no-diff", is_flag=True, help="Resources only, without their changed property paths")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
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
    from ..changes import json_view, markdown, report
    from ..changes import text as changes_text
    from ..rollout import planview
    from .progress import PlainProgress

    progress = PlainProgress(sys.stderr)
    aws, _, plans = _plans(context, environment, stacksets, timeout, progress)
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
        click.echo(writer.render(report.build(environment, plans, drift)).rstrip("\n"))
    if any(item.changed for item in plans):
        raise SystemExit(int(ExitCode.DIFFERENCES))


def _saved_drift(
    context: click.Context, aws: AwsFactory, plans, environment: str, progress: Progress
) -> tuple[dict | None, str]:
    """The drift of the environment's saved report (reports/saved.py) for the StackSets it
    detected after their last deploy; (None, "") when there is none."""
    from ..changes import overwrite
    from ..core.aws import translate_errors
    from ..reports import saved
    from ..rollout import deployed_at

    report, problem = saved.load(_project(context), environment)
    if problem:
        progress.note("drift", problem)
    if report is None:
        return None, ""
    with translate_errors():
        found = deployed_at.newer_drift(
            lambda spec: aws.client("cloudformation", spec.administrator_region), plans, report
        )
    if not found:
        return None, ""
    source = f"drift from the report of {report.finished}"
    progress.note("drift", f"{source}: {', '.join(found)}")
    by_name = {item.name: item for item in plans}
    return {name: overwrite.from_drift(by_name[name].resources, s) for name, s in found.items()}, source


def _overwritten(
    context: click.Context, aws: AwsFactory, plans, environment: str, progress: Progress, timeout: float
) -> dict:
    """DetectStackSetDrift on the planned StackSets (ignore rules applied): per StackSet, the
    drift the update overwrites and the drift that stays."""
    from ..changes import overwrite
    from ..core.aws import translate_errors
    from ..drift import detect as drift_module

    project = _project(context)
    rules = drift_module.load_ignore_rules(project.root / "drift-ignore.yaml", "drift-ignore.yaml")
    specs = [item.desired.spec for item in plans if item.actual.exists]
    if not specs:
        return {}
    with translate_errors():
        found = drift_module.detect_all(aws, specs, environment, progress, _wait_settings(timeout), rules)
    by_name = {item.name: item for item in plans}
    return {s.name: overwrite.from_drift(by_name[s.name].resources, s) for s in found.stacksets}


@cli.command()
@click.option("--env", "environment", required=True, help="dev, staging or prod")
@click.option("--stackset", "stacksets", multiple=True, help="Only these StackSets (name in stacksets/)")
@click.option("--prune", is_flag=True, help="Remove stack instances no longer wanted (PRUNE=1)")
@click.option(
    "--retain-stacks/--delete-stacks",
    default=None,
    help="When pruning: keep the removed stacks (default in prod) or delete them (default elsewhere)",
)
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds to wait for each operation")
@click.option(
    "--allow-failover",
    is_flag=True,
    help="Accept a changed primary_region (ALLOW_FAILOVER=1; README: planned failover)",
)
@click.option(
    "--allow-replace",
    default="",
    help="StackSet/LogicalId[,...]: stateful resources this run may replace or "
    "remove in staging and prod (ALLOW_REPLACE)",
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
    from ..core.aws import Aws
    from ..rollout import deploy as deploy_module
    from ..rollout import planview
    from ..rollout.pipeline import deploy_environment
    from .progress import make_progress

    def show(plans) -> None:
        for item in plans:
            click.echo("\n".join(planview.describe(item, show_diff=False, retain_stacks=retain_stacks)))

    from ..changes import guard

    allowed = guard.parse(allow_replace)
    progress = make_progress()
    options = deploy_module.DeployOptions(
        artifacts_bucket=_project(context).platform.artifacts_bucket,
        prune=prune,
        retain_stacks=retain_stacks,
        wait=_wait_settings(timeout),
        allow_failover=allow_failover,
        allow_replace=allowed,
    )
    with progress:
        rollout = deploy_environment(_project(context), environment, Aws(), progress, options, stacksets, on_plans=show)
    if not rollout.results:
        click.echo(f"deploy: nothing to do ({plural(len(rollout.plans), 'StackSet')} unchanged)")
        return
    deploy_module.raise_on_failure(rollout.results)
    operations = sum(len(r.outcomes) for r in rollout.results)
    click.echo(f"deploy: {planview.summary(rollout.plans)}; {plural(operations, 'operation')} succeeded")


@cli.command("copy-tables")
@click.option("--env", "environment", required=True, help="dev, staging or prod")
@click.option("--stackset", "stacksets", multiple=True, help="Only these StackSets (name in stacksets/)")
@click.pass_context
def copy_tables(context: click.Context, environment: str, stacksets: tuple[str, ...]) -> None:
    """Copy regional tables' items into the global tables that replace them (idempotent)."""
    from ..core.aws import Aws, translate_errors
    from ..rollout import tablecopy
    from ..rollout.pipeline import prepare
    from .progress import PlainProgress

    project = _project(context)
    prepared = prepare(project, environment, stacksets, run_lint=False)
    aws = Aws()
    with translate_errors():
        aws.account_id(prepared.specs[0].administrator_region)
        copied = tablecopy.copy_environment(
            aws, prepared.specs, render_module.read_generated(project), prepared.resolved, PlainProgress(sys.stderr)
        )
    total = sum(item.items for item in copied)
    click.echo(f"copy-tables: {plural(total, 'item')} copied in {plural(len(copied), 'table')}")


@cli.command()
@click.option("--env", "environment", required=True, help="dev, staging or prod")
@click.option("--stackset", "stacksets", multiple=True, help="Only these StackSets (name in stacksets/)")
@click.pass_context
def status(context: click.Context, environment: str, stacksets: tuple[str, ...]) -> None:
    """Show every StackSet's instances per region and account (exit 1 if any is not CURRENT)."""
    from ..core.errors import OperationFailedError
    from ..rollout import planview
    from .progress import PlainProgress

    _, _, plans = _plans(context, environment, stacksets, 3600.0, PlainProgress(sys.stderr), run_lint=False)
    click.echo("\n".join(planview.status(plans)))
    unhealthy = [
        f"{p.name}: {i.account}/{i.region} {i.status}" for p in plans for i in p.actual.instances if not i.healthy
    ]
    if unhealthy:
        raise OperationFailedError("\n".join(unhealthy))


@cli.command()
@click.option("--env", "environment", required=True, help="dev, staging or prod (for tag values)")
@click.option("--timeout", default=1800.0, show_default=True, help="Seconds to wait for the stack")
@click.option(
    "--recreate",
    is_flag=True,
    help="Delete a stack whose creation failed (lifting termination protection for that delete) and create it again (RECREATE=1)",
)
@click.pass_context
def bootstrap(context: click.Context, environment: str, timeout: float, recreate: bool) -> None:
    """Create or update the StackSet roles and the artifacts bucket (plain stack per admin region)."""
    from ..build import lint
    from ..inputs import params
    from ..inputs import stacksets as config
    from ..rollout import bootstrap as bootstrap_module

    project = _project(context)
    template = project.platform.bootstrap
    render_module.check(project)
    templates = render_module.read_generated(project)
    lint.gate(lint.lint(project, [template], list(project.platform.regions)))
    specs = config.load_project(project, environment, templates)
    resolved = params.resolve_deployed(project, environment, templates, specs)
    regions = list(dict.fromkeys(spec.administrator_region for spec in specs))
    text = project.template_path(template).read_text(encoding="utf-8")
    aws = _connected(regions[0])
    for region in regions:
        values = resolved.plain(template, region)
        values["RoleRegion"] = regions[0]
        request = bootstrap_module.Request(region, text, values, _wait_settings(timeout), environment, recreate)
        done = bootstrap_module.deploy_region(aws, request)
        click.echo(f"bootstrap: {bootstrap_module.STACK_NAME} in {region}: {done}")


@cli.command()
@click.option("--env", "environment", required=True, help="dev, staging or prod")
@click.option("--stackset", "stacksets", multiple=True, help="Only these StackSets (name in stacksets/)")
@click.option("--confirm", "confirmation", default=None, help="Must be 'prod' to destroy prod (CONFIRM=prod)")
@click.option(
    "--remove-retained", is_flag=True, help="dev only: also remove what deletion policies kept (REMOVE_RETAINED=1)"
)
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds to wait for each operation")
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
    from ..core.aws import translate_errors
    from ..core.errors import OperationFailedError
    from ..rollout import destroy as destroy_module
    from ..rollout import retained
    from ..rollout.pipeline import prepare
    from .progress import make_progress

    destroy_module.confirm(environment, confirmation)
    retained.check_removal(environment, remove_retained)
    project = _project(context)
    prepared = prepare(project, environment, stacksets, run_lint=False)
    progress = make_progress()
    with progress, translate_errors():
        aws = _connected(prepared.specs[0].administrator_region)
        kept = [
            item
            for spec in prepared.specs
            for item in retained.collect(aws, spec, json.loads(prepared.texts[spec.template]))
        ]
        outcomes = destroy_module.destroy_all(aws, prepared.specs, progress, _wait_settings(timeout))
    failed = [f"{o.stackset}: {r.account}/{r.region} {r.status}: {r.reason}" for o in outcomes for r in o.failed]
    if failed or any(o.status != "SUCCEEDED" for o in outcomes):
        raise OperationFailedError("\n".join(failed) or "an operation did not succeed")
    if remove_retained:
        kept, left = retained.removable(kept)
        with translate_errors():
            problems = retained.remove(aws, kept)
        if problems:
            raise OperationFailedError("\n".join(problems))
        click.echo(f"destroy: removed the {plural(len(kept), 'resource')} the StackSets retained")
        kept = left
    for item in kept:
        click.echo(
            f"retained: {item.stackset} {item.region} {item.account} {item.logical_id} ({item.resource_type}, "
            f"{item.policy}) {item.physical_id}\n    remove: {item.command}"
        )
    click.echo(
        f"destroy: {plural(len(prepared.specs), 'StackSet')} of {environment} removed; "
        f"{plural(len(kept), 'retained resource')} stay in place"
        + (
            " (a deploy of the same environment needs them gone: see above, or for dev REMOVE_RETAINED=1)"
            if kept and not remove_retained
            else ""
        )
    )


@cli.command()
@click.option("--env", "environment", required=True, help="dev, staging, prod, or all: every environment in one report")
@click.option("--stackset", "stacksets", multiple=True, help="Only these StackSets (name in stacksets/)")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
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
    help="Ignore rules: resource type, property, normaliser and reason (see README)",
)
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds to wait for each detection")
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
    from ..core.aws import translate_errors
    from ..drift import across
    from ..drift import detect as drift_module
    from ..drift.outside import Readers
    from ..reports import html, json_report, markdown, saved, text
    from ..rollout.pipeline import prepare
    from .progress import PlainProgress

    project = _project(context)
    ignore_path = ignore_file if ignore_file.is_absolute() else project.root / ignore_file
    rules = drift_module.load_ignore_rules(ignore_path, project.display(ignore_path))
    environments = project.platform.environments if environment == across.ALL else (environment,)
    specs = {env: prepare(project, env, stacksets, run_lint=False).specs for env in environments}
    region = next(iter(specs.values()))[0].administrator_region
    with translate_errors():
        aws = _connected(region)
        report = across.detect_environments(
            aws, specs, PlainProgress(sys.stderr), _wait_settings(timeout), rules, Readers(aws, aws.account_id(region))
        )
    if environment != across.ALL:
        report = across.per_environment(report, specs)[environment]
    writer = {"text": text, "json": json_report, "markdown": markdown}[output_format]
    body = writer.render(report)
    if output:
        output.write_text(body, encoding="utf-8")
    else:
        click.echo(body.rstrip("\n"))
    latest, copy = html.write(report, html_dir if html_dir.is_absolute() else project.root / html_dir)
    click.echo(f"HTML report: {latest} (this run: {copy})", err=True)
    for one in across.per_environment(report, specs).values():  # the plan reads each environment's own
        click.echo(f"saved for plan: {project.display(saved.save(project, one))}", err=True)
    if report.status == "FAILED":
        from ..core.errors import OperationFailedError

        failed = [
            f"{s.name}: detection {s.detection_status} (operation {s.operation_id})"
            for s in report.stacksets
            if s.status == "FAILED"
        ]
        raise OperationFailedError("\n".join(failed))
    if report.status == "DRIFTED" or report.found_outside:  # cfnops's own findings count as drift
        raise SystemExit(int(ExitCode.DIFFERENCES))


@cli.command()
@click.option(
    "--deployed", is_flag=True, help="Also read each stack's ConfigHash/ConfigManifest outputs and compare them"
)
@click.pass_context
def parity(context: click.Context, deployed: bool) -> None:
    """List the resolved values that differ between environments and whether rules explain them."""
    from ..drift import parity as parity_module

    project = _project(context)
    environments = project.platform.environments
    templates = render_module.read_generated(project)
    differences = parity_module.compare(project, templates, environments)
    click.echo(parity_module.render(differences, environments))
    if deployed:
        from ..core.aws import translate_errors
        from ..drift.deployed_config import read_environment

        with translate_errors():
            aws = _connected(project.platform.regions[0])
            rows = [row for env in environments for row in read_environment(project, aws, env, templates)]
        click.echo("")
        click.echo(parity_module.render_deployed(rows))


def _fail(error: CfnopsError) -> int:
    for line in str(error).splitlines() or [type(error).__name__]:
        click.echo(f"error: {line}", err=True)
    return int(error.exit_code)


def _as_failure(error: Exception) -> CfnopsError | None:
    """What a user can cause outside cfnops' own errors, as one line: botocore's failures
    (aws.describe), and files that cannot be read or written."""
    if type(error).__module__.startswith("botocore"):
        from ..core.aws import describe, is_aws_error

        if is_aws_error(error):
            return describe(error)
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return CfnopsError(f"{where}{error.strerror or error}")
    return None


def main(argv: list[str] | None = None) -> int:
    from ..core import interrupt

    previous = interrupt.install()
    try:
        return _run(argv)
    finally:
        interrupt.restore(previous)


def _run(argv: list[str] | None) -> int:
    from ..core import interrupt

    try:
        cli.main(args=argv, standalone_mode=False)
    except CfnopsError as error:
        return _fail(error)
    except (click.exceptions.Abort, KeyboardInterrupt):
        interrupt.STOP.set()
        click.echo(interrupt.message(), err=True)
        return int(ExitCode.INTERRUPTED)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except click.ClickException as error:  # usage errors: bad input on the command line
        click.echo(f"error: {error.format_message()}", err=True)
        return int(ExitCode.INVALID_INPUT)
    except Exception as error:  # the one place that turns failures into exit codes
        failure = _as_failure(error)
        if failure is None:
            if os.environ.get("CFNOPS_DEBUG"):
                raise
            failure = CfnopsError(
                f"internal error: {type(error).__name__}: {str(error)[:200]} "
                "(a bug in cfnops; CFNOPS_DEBUG=1 shows the traceback)"
            )
        return _fail(failure)
    return int(ExitCode.OK)


def main_entry() -> None:
    """Console-script entry point (`.venv/bin/cfnops`, and `python -m cfnops`). After Ctrl-C the
    process ends at once rather than wait for threads still inside an AWS call."""
    code = main()
    if code == ExitCode.INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main_entry()
