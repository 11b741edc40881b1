"""Resource changes as terminal lines: per group of instances with identical changes,
each resource with its action, its changed property paths (old -> new) and, when it holds
data, what its policy keeps. ``style(text, kind)`` colours (kinds: add, modify, replace,
remove, warn); the default leaves text plain."""

from __future__ import annotations

from collections.abc import Callable

from ..awsfacts.update_behaviour import Behaviour
from ..core.words import plural
from .engine import ADD, INTERRUPT, MAY_REPLACE, MODIFY, REMOVE, REPLACE, WILL_FAIL, Group, ResourceChange
from .overwrite import DriftNote
from .values import shown

SIGN = {ADD: "+", MODIFY: "~", MAY_REPLACE: "±", REPLACE: "±", REMOVE: "-", WILL_FAIL: "!", INTERRUPT: "~"}
KIND = {
    ADD: "add",
    MODIFY: "modify",
    MAY_REPLACE: "replace",
    REPLACE: "replace",
    REMOVE: "remove",
    WILL_FAIL: "warn",
    INTERRUPT: "modify",
}


def plain(text: str, kind: str) -> str:
    return text


LABEL = {
    Behaviour.UPDATE_FAILS: "UPDATE WILL FAIL",
    Behaviour.REPLACEMENT: "REPLACEMENT",
    Behaviour.SOME_INTERRUPTIONS: "INTERRUPTION",
    Behaviour.NO_INTERRUPTION: "IN PLACE",
}


def _documented(change: ResourceChange) -> str:
    """The AWS fact behind the verdict, with its page (every view links it), or the schema's gap."""
    fact = change.fact
    if fact is not None:
        also = f" (see also {fact.see_also})" if fact.see_also else ""
        return f"  {LABEL[fact.behaviour]}: {fact.reason} ({fact.page}){also}"
    if change.action == MODIFY and change.replacement == "Unknown":
        return "  (no registry schema: replacement unknown)"
    return ""


def where(group: Group, several_targets: bool) -> str:
    regions = ", ".join(group.regions)
    if not several_targets:
        return regions
    return regions + " (" + ", ".join(dict.fromkeys(t for t, _ in group.instances)) + ")"


def group_lines(
    group: Group,
    new_instances: set,
    several_targets: bool,
    details: bool = True,
    style: Callable[[str, str], str] = plain,
) -> list[str]:
    if all(c.action == ADD for c in group.changes) and set(group.instances) <= new_instances:
        return [f"  new instance in {where(group, several_targets)}: creates {plural(len(group.changes), 'resource')}"]
    lines = [f"  resources in {where(group, several_targets)}:"]
    for change in group.changes:
        head = f"{SIGN[change.action]} {change.action:<11} {change.logical_id} ({change.type})"
        if change.destructive:
            head += f"  STATEFUL: {change.keeps}"
        head += _documented(change)
        lines.append("    " + style(head, "warn" if change.destructive or change.fails else KIND[change.action]))
        for prop in change.properties if details else ():
            note = f"  [{prop.note}]" if prop.note else ""
            lines.append(f"        {prop.path}: {shown(prop.old)} -> {shown(prop.new)}{note}")
    return lines


SAYS = {
    "overwrites": "will overwrite the out-of-band change",
    "may overwrite": "may overwrite the out-of-band change",
    "stays": "drift stays:",
    "removed": "removes the drifted resource",
}


def drift_lines(
    notes: tuple[DriftNote, ...], style: Callable[[str, str], str] = plain, source: str = "DRIFT=1"
) -> list[str]:
    """ "will overwrite the out-of-band change `/RetentionInDays 7` in us-west-2" and the like;
    ``source``: where the drift comes from (a fresh detection, or a saved report)."""
    lines = [f"  drift ({source}):"] if notes else []
    for note in notes:
        what = f"`{note.path} {note.actual}` (template: {note.expected})" if note.path else f"({note.actual})"
        lines.append(
            "    "
            + style(
                f"{SAYS[note.verdict]} {what} in {note.region} ({note.account}): {note.logical_id}",
                "modify" if note.verdict == "stays" else "warn",
            )
        )
    return lines
