"""What CloudFormation's drift never compares, taken out of the template's properties before
localcloud compares them (cfnops.awsfacts.drift_support.not_compared: AWS's drift page and
the registry schemas' write-only properties), so the rehearsal never reports a difference
AWS would not."""

from __future__ import annotations

from typing import Any

from cfnops.awsfacts import drift_support


def compared(kind: str, value: Any, path: tuple[str, ...] = ()) -> Any:
    """``value`` without the properties AWS's drift does not compare, at any depth."""
    if isinstance(value, dict):
        return {
            name: compared(kind, item, (*path, name))
            for name, item in value.items()
            if not drift_support.not_compared(kind, (*path, name))
        }
    if isinstance(value, list):
        return [compared(kind, item, (*path, str(index))) for index, item in enumerate(value)]
    return value
