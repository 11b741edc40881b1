"""Whether changed property paths replace a resource, from its registry schema.

A path replaces when it lies under (or above) one of the schema's
``createOnlyProperties`` pointers (``/properties/KeySchema``, ``*`` for any list
index); it may replace under a ``conditionalCreateOnlyProperties`` pointer. A type
without a schema cannot be judged: "Unknown".
"""

from __future__ import annotations

from collections.abc import Iterable

from ..awsfacts import schemas

ALWAYS, CONDITIONAL, NEVER, UNKNOWN = "Always", "Conditional", "Never", "Unknown"


def _segments(pointer: str) -> list[str]:
    parts = [p for p in pointer.split("/") if p]
    return parts[1:] if parts and parts[0] == "properties" else parts


def _overlaps(path: list[str], pointer: list[str]) -> bool:
    """One is a prefix of the other (``*`` in the pointer matches any segment)."""
    return all(p == "*" or p == q for p, q in zip(pointer, path, strict=False))


def _hits(paths: list[list[str]], pointers: Iterable[str]) -> bool:
    return any(_overlaps(path, _segments(pointer)) for path in paths for pointer in pointers)


def replacement(type_name: str, property_paths: Iterable[str], region: str) -> str:
    """ALWAYS, CONDITIONAL, NEVER or UNKNOWN for a Modify of these paths (``/KeySchema/0``)."""
    paths = [[p for p in path.split("/") if p] for path in property_paths]
    if not paths:
        return NEVER
    if not schemas.is_known(type_name, region):
        return UNKNOWN
    if _hits(paths, schemas.create_only_properties(type_name, region)):
        return ALWAYS
    if _hits(paths, schemas.conditional_create_only_properties(type_name, region)):
        return CONDITIONAL
    return NEVER
