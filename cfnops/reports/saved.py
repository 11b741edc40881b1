"""The environment's last drift report, kept for the plan: every ``cfnops drift`` run
writes its JSON report (``cfnops.drift/v2``) to ``.cache/drift/<env>.json``.

Under .cache (not reports/): it is state the tool reads back, like the lint cache, at one
place the plan always finds; reports/ is for people and can be moved (--html-dir,
CFNOPS_REPORTS_DIR). A run with --stackset replaces the file with a report of those
StackSets only.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..drift.detect import DriftReport
from ..inputs.project import Project
from . import json_load, json_report


def path(project: Project, environment: str) -> Path:
    return project.cache / "drift" / f"{environment}.json"


def save(project: Project, report: DriftReport) -> Path:
    target = path(project, report.environment)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.tmp")
    partial.write_text(json_report.render(report), encoding="utf-8")
    os.replace(partial, target)
    return target


def load(project: Project, environment: str) -> tuple[DriftReport | None, str]:
    """(the saved report, "") or (None, why there is none usable: one line)."""
    target = path(project, environment)
    if not target.exists():
        return None, ""
    try:
        report = json_load.load(target.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return (
            None,
            f"{project.display(target)}: not a cfnops.drift/v2 report ({type(error).__name__}: {error}); not used",
        )
    if report.environment != environment:
        return None, f"{project.display(target)}: a report of {report.environment}, expected {environment}; not used"
    return report, ""
