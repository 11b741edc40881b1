"""How a resolved value is shown: in a line of text, and in JSON."""

from __future__ import annotations

import json

from .diff import ABSENT
from .resolve import KnownAfterApply

SHOWN = 120  # characters of one value in a line


def shown(value: object) -> str:
    if value is ABSENT:
        return "(none)"
    if isinstance(value, KnownAfterApply):
        return f"(known after apply: {value.expression})"
    text = value if isinstance(value, str) else json.dumps(as_json(value), sort_keys=True, separators=(",", ":"))
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def as_json(value: object) -> object:
    """ABSENT is null; a value only deploy time knows is {"known_after_apply": expression}."""
    if value is ABSENT:
        return None
    if isinstance(value, KnownAfterApply):
        return {"known_after_apply": value.expression}
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value
