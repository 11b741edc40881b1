"""Options several commands share, each declared once."""

from __future__ import annotations

from collections.abc import Callable

import click


def environment(purpose: str = "", help: str = "dev, staging or prod") -> Callable:
    """``--env``, required: one of the platform's environments."""
    return click.option("--env", "environment", required=True, help=help + (f" ({purpose})" if purpose else ""))


stacksets = click.option("--stackset", "stacksets", multiple=True, help="Only these StackSets (name in stacksets/)")


def timeout(default: float, help: str = "Seconds to wait for each operation") -> Callable:
    return click.option("--timeout", default=default, show_default=True, help=help)


def output_format(choices: list[str]) -> Callable:
    return click.option("--format", "output_format", type=click.Choice(choices), default="text", show_default=True)
