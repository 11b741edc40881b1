"""Options several commands share, each declared once."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import click
from click.shell_completion import CompletionItem

from ..core.errors import CfnopsError, InputError
from ..drift.across import ALL
from ..inputs.paramfiles import unknown
from .context import project


class Environment(click.ParamType):
    """One of the platform's environments, read from the project when the command line is
    parsed (the platform is pluggable: no names here); ``every`` is the extra word a command
    accepts for all of them at once ("" where it accepts none)."""

    name = "environment"

    def __init__(self, every: str = "") -> None:
        self.every = every

    def choices(self, context: click.Context) -> list[str]:
        return list(project(context).platform.environments) + ([self.every] if self.every else [])

    def convert(self, value, param, context):
        choices = self.choices(context) if context is not None else []
        if value not in choices:  # a cfnops error: one line, exit INVALID_INPUT (cli/main.py)
            raise InputError(f"--env {value}: {unknown(value, choices, 'environment')}")
        return value

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        try:
            return "[" + "|".join(self.choices(ctx)) + "]"
        except CfnopsError:  # help stays readable in a directory that holds no project
            return None

    def shell_complete(self, context, param, incomplete):
        return [CompletionItem(name) for name in self.choices(context) if name.startswith(incomplete)]


def environment(help: str = "The environment", every: str = "") -> Callable:
    """``--env``, required: one of the platform's environments; ``every`` (the text after
    "all:") lets the command take ``all`` too."""
    text = help + (f"; {ALL}: {every}" if every else "")
    return click.option("--env", "environment", required=True, type=Environment(ALL if every else ""), help=text)


stacksets = click.option("--stackset", "stacksets", multiple=True, help="Only these StackSets (name in stacksets/)")


def timeout(default: float, help: str = "Seconds to wait for each operation") -> Callable:
    return click.option("--timeout", default=default, show_default=True, help=help)


def output_format(choices: Iterable[str]) -> Callable:
    """``--format``: one of a writer registry's names (reports.WRITERS, changes.WRITERS)."""
    return click.option(
        "--format", "output_format", type=click.Choice(list(choices)), default="text", show_default=True
    )
