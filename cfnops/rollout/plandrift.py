"""The drift a plan shows next to its changes: what each StackSet's update would overwrite
and what stays, from a fresh detection (``plan --drift``) or from the environment's saved
drift report (reports/saved.py) when it is newer than the StackSet's last deploy."""

from __future__ import annotations

from ..changes import overwrite
from ..core.protocols import AwsFactory, Progress
from ..drift import detect as drift_module
from ..inputs.project import Project
from ..reports import saved
from . import deployed_at
from .operations import WaitSettings

FRESH = "DRIFT=1"


def from_saved(
    project: Project, aws: AwsFactory, plans, environment: str, progress: Progress
) -> tuple[dict | None, str]:
    """The drift of the environment's saved report for the StackSets it detected after their
    last deploy, and its source; (None, "") when there is none."""
    saved_report, problem = saved.load(project, environment)
    if problem:
        progress.note("drift", problem)
    if saved_report is None:
        return None, ""
    found = deployed_at.newer_drift(
        lambda spec: aws.client("cloudformation", spec.administrator_region), plans, saved_report
    )
    if not found:
        return None, ""
    source = f"drift from the report of {saved_report.finished}"
    progress.note("drift", f"{source}: {', '.join(found)}")
    by_name = {item.name: item for item in plans}
    return {name: overwrite.from_drift(by_name[name].resources, s) for name, s in found.items()}, source


def detected(
    project: Project, aws: AwsFactory, plans, environment: str, progress: Progress, wait: WaitSettings
) -> tuple[dict, str]:
    """DetectStackSetDrift on the planned StackSets that exist (ignore rules applied): per
    StackSet, the drift the update overwrites and the drift that stays."""
    rules = drift_module.load_ignore_rules(project.root / "drift-ignore.yaml", "drift-ignore.yaml")
    specs = [item.desired.spec for item in plans if item.actual.exists]
    if not specs:
        return {}, FRESH
    found = drift_module.detect_all(aws, specs, environment, progress, wait, rules)
    by_name = {item.name: item for item in plans}
    return {s.name: overwrite.from_drift(by_name[s.name].resources, s) for s in found.stacksets}, FRESH
