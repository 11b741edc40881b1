"""The HTML report: one self-contained page (inline CSS, no scripts, no external assets),
written under reports/ as a stable latest name and a timestamped copy."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ..drift.detect import DriftReport
from . import (
    OUTSIDE_TITLE,
    cell,
    drifted_resources,
    not_checked_by_type,
    not_checked_note,
    outside_note,
    outside_rows,
    rule_lines,
    shown,
    summary_line,
)

_environment = Environment(
    loader=PackageLoader("cfnops.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["shown"] = shown


def render(report: DriftReport) -> str:
    template = _environment.get_template("drift.html.j2")
    return template.render(
        report=report,
        cell=cell,
        drifted=list(drifted_resources(report)),
        not_checked=not_checked_note(report),
        rules=rule_lines(report),
        not_checked_groups=not_checked_by_type(report),
        summary=summary_line(report),
        outside_title=OUTSIDE_TITLE,
        outside_note=outside_note(report),
        outside=outside_rows(report),
    )


def write(report: DriftReport, directory: Path) -> tuple[Path, Path]:
    """(latest, timestamped) paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    page = render(report)
    stamp = report.finished.replace(":", "").replace("-", "")
    latest = directory / f"drift-{report.environment}-latest.html"
    copy = directory / f"drift-{report.environment}-{stamp}.html"
    latest.write_text(page, encoding="utf-8")
    copy.write_text(page, encoding="utf-8")
    return latest, copy
