"""Drift of every environment at once (``cfnops drift --env all``): one detection over every
environment's StackSets, as one DriftReport (environment ``all``, a row per StackSet, which
carries its environment in its name), and that report split back per environment for the
saved reports the plan reads (``.cache/drift/<env>.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..core.errors import OperationFailedError
from ..core.protocols import AwsFactory, Progress
from ..core.verdicts import DriftVerdict
from ..inputs.stacksets import StackSetSpec
from ..rollout.operations import WaitSettings
from .detect import DriftReport, IgnoreRule, detect_all
from .outside import Readers

ALL = "all"


def detect_environments(
    aws: AwsFactory,
    specs: Mapping[str, list[StackSetSpec]],
    progress: Progress,
    wait: WaitSettings,
    rules: tuple[IgnoreRule, ...],
    readers: Readers | None = None,
) -> DriftReport:
    """One report across ``specs`` (environment -> its StackSets), same statuses and exit codes."""
    every = [spec for environment_specs in specs.values() for spec in environment_specs]
    return detect_all(aws, every, ALL, progress, wait, rules, readers)


def per_environment(report: DriftReport, specs: Mapping[str, list[StackSetSpec]]) -> dict[str, DriftReport]:
    """The report of each environment, as if it had been detected alone."""
    split = {}
    for environment, environment_specs in specs.items():
        names = {spec.name for spec in environment_specs}
        stacksets = tuple(s for s in report.stacksets if s.name in names)
        regions = tuple(r for r in report.regions if any(r in spec.regions for spec in environment_specs))
        split[environment] = replace(report, environment=environment, stacksets=stacksets, regions=regions)
    return split


def chosen(environments: tuple[str, ...], environment: str) -> tuple[str, ...]:
    """The environments ``--env`` names: all of them for ``all``, else the one."""
    return environments if environment == ALL else (environment,)


def raise_on_failure(report: DriftReport) -> None:
    """OperationFailedError naming each StackSet whose detection failed, with its operation."""
    if report.status == DriftVerdict.FAILED:
        raise OperationFailedError(
            "\n".join(
                f"{s.name}: detection {s.detection_status} (operation {s.operation_id})"
                for s in report.stacksets
                if s.status == DriftVerdict.FAILED
            )
        )


def differs(report: DriftReport) -> bool:
    """Drift found: CloudFormation's, or cfnops's own findings outside it (they count as drift)."""
    return report.status == DriftVerdict.DRIFTED or bool(report.found_outside)
