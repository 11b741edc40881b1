"""Whether changed property paths replace a resource, from its registry schema.

A path replaces when it lies under (or above) one of the schema's
``createOnlyProperties`` pointers (``/properties/KeySchema``, ``*`` for any list
index); it may replace under a ``conditionalCreateOnlyProperties`` pointer. A type
without a schema cannot be judged: "Unknown". Where AWS's Template Reference documents
more (``awsfacts.update_behaviour``: Replacement, or "the update fails"), the stricter wins.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..awsfacts import schemas, update_behaviour
from ..awsfacts.update_behaviour import Behaviour

ALWAYS, CONDITIONAL, NEVER, UNKNOWN, FAILS = "Always", "Conditional", "Never", "Unknown", "Fails"
INTERRUPTS = "Interrupts"  # documented "Some interruptions": downtime, same identity


def _segments(pointer: str) -> list[str]:
    parts = [p for p in pointer.split("/") if p]
    return parts[1:] if parts and parts[0] == "properties" else parts


def _overlaps(path: list[str], pointer: list[str]) -> bool:
    """One is a prefix of the other (``*`` in the pointer matches any segment)."""
    return all(p == "*" or p == q for p, q in zip(pointer, path, strict=False))


def _hits(paths: list[list[str]], pointers: Iterable[str]) -> bool:
    return any(_overlaps(path, _segments(pointer)) for path in paths for pointer in pointers)


def documented(type_name: str, property_paths: Iterable[str]) -> update_behaviour.Fact | None:
    """The strictest documented fact about the changed top-level properties (None: none held)."""
    found = [update_behaviour.documented(type_name, path.strip("/").split("/")[0]) for path in property_paths]
    held = [fact for fact in found if fact is not None]
    return max(held, key=lambda fact: fact.behaviour.value) if held else None


def replacement(type_name: str, property_paths: Iterable[str], region: str) -> str:
    """FAILS, ALWAYS, CONDITIONAL, INTERRUPTS, NEVER or UNKNOWN for a Modify of these paths (``/KeySchema/0``):
    the stricter of the registry schema and the documented facts. A documented property is
    definite where the schema hedges (conditionally create-only): the page decides it; only
    the schema's plain create-only (Replacement) is stricter than a documented interruption."""
    property_paths = list(property_paths)
    paths = [[p for p in path.split("/") if p] for path in property_paths]
    if not paths:
        return NEVER
    fact = documented(type_name, property_paths)
    if fact is not None and fact.behaviour is Behaviour.UPDATE_FAILS:
        return FAILS
    if fact is not None and fact.behaviour is Behaviour.REPLACEMENT:
        return ALWAYS
    if not schemas.is_known(type_name, region):
        return UNKNOWN
    if _hits(paths, schemas.create_only_properties(type_name, region)):
        return ALWAYS
    undocumented = [path for path in paths if update_behaviour.documented(type_name, path[0]) is None]
    if _hits(undocumented, schemas.conditional_create_only_properties(type_name, region)):
        return CONDITIONAL
    if fact is not None and fact.behaviour is Behaviour.SOME_INTERRUPTIONS:
        return INTERRUPTS
    return NEVER
