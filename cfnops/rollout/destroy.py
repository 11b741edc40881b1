"""Destroy an environment's StackSets: instances first, then the StackSets, dependents
before what they depend on. Stacks are deleted; data stays behind (Retain and Snapshot
policies in the templates). A production environment (prod) only with an explicit confirmation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ..awsfacts import statuses as aws_status
from ..core.errors import InputError
from ..core.protocols import AwsFactory, Progress
from ..inputs.platform import Environment
from ..inputs.stacksets import StackSetSpec, levels
from .operations import Outcome, Runner, WaitSettings
from .plan import read_actual


def confirm(environment: Environment, confirmation: str | None) -> None:
    """A production environment is destroyed only when the run names it."""
    name = environment.name
    if environment.production and confirmation != name:
        raise InputError(f"destroying {name} needs CONFIRM={name} (--confirm {name}); nothing was changed")


def destroy_one(aws: AwsFactory, spec: StackSetSpec, progress: Progress, wait: WaitSettings) -> list[Outcome]:
    client = aws.client("cloudformation", spec.administrator_region)
    actual = read_actual(client, spec)
    if not actual.exists:
        progress.note(spec.name, "does not exist: nothing to destroy")
        return []
    outcomes = []
    if actual.instances:
        targets = sorted({i.target for i in actual.instances})
        regions = sorted({i.region for i in actual.instances})
        selector = (
            {"DeploymentTargets": {"OrganizationalUnitIds": targets}} if spec.service_managed else {"Accounts": targets}
        )
        outcome = Runner(client, progress, wait).start(
            spec.name,
            aws_status.OperationAction.DELETE,
            lambda: client.delete_stack_instances(
                StackSetName=spec.name,
                Regions=regions,
                RetainStacks=False,
                **selector,
                OperationPreferences={k: v for k, v in spec.preferences.items() if k != "RegionOrder"},
            ),
        )
        outcomes.append(outcome)
        if outcome.failed or not outcome.succeeded:
            return outcomes
    client.delete_stack_set(StackSetName=spec.name)
    progress.note(spec.name, "deleted StackSet")
    return outcomes


def destroy_all(aws: AwsFactory, specs: list[StackSetSpec], progress: Progress, wait: WaitSettings) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for level in reversed(levels(specs)):
        with ThreadPoolExecutor(max_workers=len(level)) as pool:
            for result in pool.map(lambda spec: destroy_one(aws, spec, progress, wait), level):
                outcomes += result
        if any(o.failed or not o.succeeded for o in outcomes):
            break
    return outcomes
