"""`cfnops platform`: the platform's own data (environments, regions), one per line,
for the Makefile and CI to iterate instead of keeping a copy."""

from __future__ import annotations

import click

from .context import project as project_of


@click.group("platform")
def platform() -> None:
    """Print what the platform declares, one name a line (the Makefile and CI read these)."""


@platform.command()
@click.pass_context
def environments(context: click.Context) -> None:
    """The platform's environments, in its order."""
    click.echo("\n".join(project_of(context).platform.environments))


@platform.command()
@click.pass_context
def regions(context: click.Context) -> None:
    """The platform's regions, in its order."""
    click.echo("\n".join(project_of(context).platform.regions))
