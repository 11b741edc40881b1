"""The one entry point: the command group assembled from the command modules, and the only
place that turns errors into exit codes (see errors.ExitCode)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..core import interrupt
from ..core.aws import describe, is_aws_error
from ..core.errors import CfnopsError, ExitCode
from . import about, approval, build, deploy, drift, lifecycle, plan


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


COMMANDS = (
    build.render,
    build.check,
    build.lint,
    build.validate,
    plan.plan,
    deploy.deploy,
    deploy.copy_tables,
    lifecycle.status,
    lifecycle.history,
    lifecycle.bootstrap,
    lifecycle.destroy,
    drift.drift,
    drift.parity,
    about.platform,
    approval.approval,
)
for _command in COMMANDS:
    cli.add_command(_command)


def _fail(error: CfnopsError) -> int:
    for line in str(error).splitlines() or [type(error).__name__]:
        click.echo(f"error: {line}", err=True)
    return int(error.exit_code)


def _as_failure(error: Exception) -> CfnopsError | None:
    """What a user can cause outside cfnops' own errors, as one line: botocore's failures
    (aws.describe), and files that cannot be read or written."""
    if is_aws_error(error):
        return describe(error)
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return CfnopsError(f"{where}{error.strerror or error}")
    return None


def main(argv: list[str] | None = None) -> int:
    previous = interrupt.install()
    try:
        return _run(argv)
    finally:
        interrupt.restore(previous)


def _run(argv: list[str] | None) -> int:
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
