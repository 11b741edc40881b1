"""What every command needs from the command line's context: the project (its platform
loaded once), the wait settings of a timeout, and an AWS session that has answered."""

from __future__ import annotations

import os

import click

from ..core.aws import Aws
from ..core.protocols import Progress
from ..inputs import platform as platform_module
from ..inputs.project import Project
from ..rollout.operations import WaitSettings
from ..rollout.pipeline import plan_all, prepare


def project(context: click.Context) -> Project:
    """The project, its platform loaded once (from pyproject.toml) on first use."""
    root = context.find_root()
    if not isinstance(root.obj, Project):
        root.obj = Project(root.obj, platform_module.load(root.obj))
    return root.obj


def wait_settings(timeout: float) -> WaitSettings:
    return WaitSettings(
        timeout=timeout,
        first_poll=float(os.environ.get("CFNOPS_POLL_SECONDS", "2")),
        max_poll=float(os.environ.get("CFNOPS_POLL_MAX_SECONDS", "1.5")),
    )


def connected(region: str) -> Aws:
    """A fresh Aws whose endpoint and credentials have answered (GetCallerIdentity, within seconds)."""
    aws = Aws()
    aws.account_id(region)
    return aws


def plans_of(
    context: click.Context,
    environment: str,
    stacksets: tuple[str, ...],
    timeout: float,
    progress: Progress,
    run_lint: bool = True,
):
    """(the Aws it planned with, the caller account, one plan per StackSet)."""
    prepared = prepare(project(context), environment, stacksets, run_lint=run_lint)
    aws = Aws()
    account, plans = plan_all(aws, prepared, progress, wait_settings(timeout))
    return aws, account, plans
