"""The documentation as tests read it: README.md and docs/*.md, and one section of it by its heading.

Tests that keep a documented list true (the seed deviations, the known limits, the types localcloud
reads) look the section up by its title, wherever the docs keep it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = re.compile(r"^(#{1,6}) (.+)$")


def files(root: Path = ROOT) -> list[Path]:
    """The documentation: the README, then docs/ in name order."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def section(title: str, root: Path = ROOT) -> str:
    """The text under the heading `title` (any level) up to the next heading of its level or higher."""
    for path in files(root):
        lines = path.read_text(encoding="utf-8").splitlines()
        found = _section_in(lines, title)
        if found is not None:
            return found
    raise AssertionError(f"no documentation section titled {title!r} in README.md or docs/")


def _section_in(lines: list[str], title: str) -> str | None:
    fenced = False
    start, level = None, 0
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if not match:
            continue
        if start is not None and len(match.group(1)) <= level:
            return "\n".join(lines[start:number])
        if start is None and match.group(2).strip() == title:
            start, level = number + 1, len(match.group(1))
    return None if start is None else "\n".join(lines[start:])
