"""How CloudFormation reads template values that moto takes literally."""

from __future__ import annotations

from typing import Any


def flag(value: Any) -> bool:
    """A flag as CloudFormation means it: the strings "true"/"false" (any case) are
    booleans, never truthy text (bool("false") is True)."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)
