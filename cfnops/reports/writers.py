"""The registry of drift-report writers, as cfn-lint's ``formatters/``: a name (the value of
``drift --format``) to a function of the report alone returning the whole text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from ..drift.detect import DriftReport
from . import html, json_report, markdown, text

Writer = Callable[[DriftReport], str]

WRITERS: Mapping[str, Writer] = MappingProxyType(
    {"text": text.render, "json": json_report.render, "markdown": markdown.render, "html": html.render}
)
