"""Whether changed property paths replace a resource, from its registry schema.

A path replaces when it lies under (or above) one of the schema's
``createOnlyProperties`` pointers (``/properties/KeySchema``, ``*`` for any list
index); it may replace under a ``conditionalCreateOnlyProperties`` pointer. A type
without a schema cannot be judged: "Unknown". Where AWS's Template Reference documents
more (``awsfacts.update_behaviour``: Replacement, or "the update fails"), the stricter wins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

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


def _fact_for(
    type_name: str, path: str, old_values: Mapping[str, object], new_values: Mapping[str, object]
) -> update_behaviour.Fact | None:
    """The fact about the path's top-level property, evaluated against the change: a one-way
    setting changed away from its locked value (``old_values[path]``) becomes the failing fact
    it documents; a list whose existing element is edited, the stricter fact the page gives
    for that (``new_values[path]``: the new value)."""
    name, _, sub_path = path.strip("/").partition("/")
    fact = update_behaviour.documented(type_name, name)
    if fact is None or path not in old_values:
        return fact
    if fact.fails_when_changed_from(old_values[path]):
        return dataclasses.replace(fact, behaviour=Behaviour.UPDATE_FAILS, reason=fact.fails_reason)
    stricter = fact.edit_behaviour
    if (
        stricter is not None
        and path in new_values
        and fact.edits_existing(sub_path, old_values[path], new_values[path])
    ):
        return dataclasses.replace(fact, behaviour=stricter, reason=fact.edit_reason)
    return fact


def documented(
    type_name: str,
    property_paths: Iterable[str],
    old_values: Mapping[str, object] | None = None,
    new_values: Mapping[str, object] | None = None,
) -> update_behaviour.Fact | None:
    """The strictest documented fact about the changed top-level properties (None: none held);
    ``old_values`` and ``new_values`` (path -> deployed / new value) let a one-way setting's
    reverse fail and an edit of a list's existing element take its stricter fact."""
    found = [_fact_for(type_name, path, old_values or {}, new_values or {}) for path in property_paths]
    held = [fact for fact in found if fact is not None]
    return max(held, key=lambda fact: fact.behaviour.value) if held else None


def _decides(fact: update_behaviour.Fact | None) -> bool:
    """A documented replacement or interruption settles the schema's "may replace"; a documented
    plain update does not (the stricter wins)."""
    return fact is not None and fact.behaviour is not Behaviour.NO_INTERRUPTION


def replacement(
    type_name: str,
    property_paths: Iterable[str],
    region: str,
    old_values: Mapping[str, object] | None = None,
    new_values: Mapping[str, object] | None = None,
) -> str:
    """FAILS, ALWAYS, CONDITIONAL, INTERRUPTS, NEVER or UNKNOWN for a Modify of these paths (``/KeySchema/0``):
    the stricter of the registry schema and the documented facts. A documented property is
    definite where the schema hedges (conditionally create-only): the page decides it; only
    the schema's plain create-only (Replacement) is stricter than a documented interruption."""
    property_paths = list(property_paths)
    paths = [[p for p in path.split("/") if p] for path in property_paths]
    if not paths:
        return NEVER
    fact = documented(type_name, property_paths, old_values, new_values)
    if fact is not None and fact.behaviour is Behaviour.UPDATE_FAILS:
        return FAILS
    if fact is not None and fact.behaviour is Behaviour.REPLACEMENT:
        return ALWAYS
    if not schemas.is_known(type_name, region):
        return UNKNOWN
    if _hits(paths, schemas.create_only_properties(type_name, region)):
        return ALWAYS
    undocumented = [path for path in paths if not _decides(update_behaviour.documented(type_name, path[0]))]
    if _hits(undocumented, schemas.conditional_create_only_properties(type_name, region)):
        return CONDITIONAL
    if fact is not None and fact.behaviour is Behaviour.SOME_INTERRUPTIONS:
        return INTERRUPTS
    return NEVER
