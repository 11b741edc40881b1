"""One stack instance's resource changes, and instances with identical changes grouped."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from . import replacement, stateful
from .diff import ABSENT, PropertyChange, differences, references
from .resolve import ATTRIBUTES, Instance, KnownAfterApply, Resource, resolve

ADD, MODIFY, MAY_REPLACE, REPLACE, REMOVE = "Add", "Modify", "May replace", "Replace", "Remove"
WILL_FAIL = "Will fail"  # the service rejects the update (documented); the fix is a new resource
INTERRUPT = "Interrupt"  # documented "Some interruptions": downtime, same identity (readers unchanged)
ORDER = (WILL_FAIL, REPLACE, REMOVE, MAY_REPLACE, INTERRUPT, MODIFY, ADD)
ACTION_BY_REPLACEMENT = {
    replacement.FAILS: WILL_FAIL,
    replacement.ALWAYS: REPLACE,
    replacement.CONDITIONAL: MAY_REPLACE,
    replacement.INTERRUPTS: INTERRUPT,
}


@dataclass(frozen=True)
class ResourceChange:
    logical_id: str
    type: str
    action: str  # ADD | MODIFY | INTERRUPT | MAY_REPLACE | REPLACE | REMOVE | WILL_FAIL
    properties: tuple[PropertyChange, ...] = ()
    policy: str = ""  # what decides what is kept: DeletionPolicy (Remove), UpdateReplacePolicy (Replace)
    replacement: str = replacement.NEVER  # the schema's verdict on the changed paths (UNKNOWN without a schema)

    @property
    def stateful(self) -> bool:
        return stateful.is_stateful(self.type)

    @property
    def destructive(self) -> bool:
        """A stateful resource this update replaces (or may) or removes: what deploy's guard stops."""
        return self.stateful and self.action in (REPLACE, MAY_REPLACE, REMOVE)

    @property
    def interrupts(self) -> bool:
        """A stateful resource with downtime: a production environment's guard asks for consent (ALLOW_REPLACE)."""
        return self.stateful and self.action == INTERRUPT

    @property
    def fails(self) -> bool:
        """AWS documents that this update is rejected: refused in every environment."""
        return self.action == WILL_FAIL

    @property
    def fact(self):
        """The documented fact behind a non-obvious verdict (None when the schema decided)."""
        return replacement.documented(
            self.type,
            [p.path for p in self.properties],
            {p.path: p.old for p in self.properties},
            {p.path: p.new for p in self.properties},
        )

    @property
    def keeps(self) -> str:
        return stateful.keeps(self.policy) if self.destructive else ""


def _removed(resource: Resource) -> ResourceChange:
    policy = stateful.deletion_policy(resource.type, resource.attributes.get("DeletionPolicy"), resource.properties)
    return ResourceChange(resource.logical_id, resource.type, REMOVE, policy=policy)


def _modified(
    old: Resource, new: Resource, region: str, extra: tuple[PropertyChange, ...] = ()
) -> ResourceChange | None:
    properties = differences(old.properties, new.properties)
    changed = {c.path for c in properties}
    properties += [c for c in extra if c.path not in changed]
    verdict = replacement.replacement(
        new.type,
        [c.path for c in properties],
        region,
        {c.path: c.old for c in properties},
        {c.path: c.new for c in properties},
    )
    attributes = [
        PropertyChange(name, old.attributes.get(name, ABSENT), new.attributes.get(name, ABSENT))
        for name in ATTRIBUTES
        if old.attributes.get(name) != new.attributes.get(name)
    ]
    if not properties and not attributes:
        return None
    action = ACTION_BY_REPLACEMENT.get(verdict, MODIFY)
    replaces = action in (REPLACE, MAY_REPLACE)
    policy = stateful.update_replace_policy(new.attributes.get("UpdateReplacePolicy")) if replaces else ""
    return ResourceChange(new.logical_id, new.type, action, tuple(properties + attributes), policy, verdict)


def _knock_on(template: Mapping, logical_id: str, replaced: set[str], old: Resource) -> tuple[PropertyChange, ...]:
    """Where ``logical_id`` reads a replaced resource: that value changes, known after apply."""
    raw = ((template.get("Resources") or {}).get(logical_id) or {}).get("Properties") or {}
    found = []
    for path, names in references(raw):
        hit = sorted(names & replaced)
        if hit:
            found.append(
                PropertyChange(
                    path,
                    _at(old.properties, path),
                    KnownAfterApply(f"{hit[0]} (replaced)", hit[0]),
                    f"{', '.join(hit)} is replaced",
                )
            )
    return tuple(found)


def _at(value: object, path: str) -> object:
    for part in [p for p in path.split("/") if p]:
        if isinstance(value, dict):
            value = value.get(part, ABSENT)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return ABSENT
    return value


def compare(
    old: Mapping[str, Resource], new: Mapping[str, Resource], new_template: Mapping, region: str
) -> tuple[ResourceChange, ...]:
    """Resolved deployed vs resolved new resources of one instance. A renamed logical id (or
    a changed type) is a Remove and an Add; a replacement changes what reads it, which may
    replace that in turn."""
    changes: dict[str, ResourceChange] = {}
    added = [ResourceChange(k, new[k].type, ADD) for k in new if k not in old or old[k].type != new[k].type]
    removed = [_removed(old[k]) for k in old if k not in new or old[k].type != new[k].type]
    kept = [k for k in new if k in old and old[k].type == new[k].type]
    for key in kept:
        change = _modified(old[key], new[key], region)
        if change:
            changes[key] = change
    replaced: set[str] = set()
    while True:
        now_replaced = {k for k, c in changes.items() if c.action == REPLACE}
        if now_replaced == replaced:
            break
        replaced = now_replaced
        for key in kept:
            if key not in replaced:
                extra = _knock_on(new_template, key, replaced, old[key])
                change = _modified(old[key], new[key], region, extra) if extra else changes.get(key)
                if change:
                    changes[key] = change
    everything = removed + added + list(changes.values())
    return tuple(sorted(everything, key=lambda c: (ORDER.index(c.action), c.logical_id)))


def instance_changes(
    old_template: Mapping | None,
    old_parameters: Mapping[str, str],
    new_template: Mapping,
    new_parameters: Mapping[str, str],
    instance: Instance,
) -> tuple[ResourceChange, ...]:
    """Deployed template + parameters vs new ones for one instance (old None: a new instance)."""
    old = resolve(old_template, old_parameters, instance) if old_template is not None else {}
    return compare(old, resolve(new_template, new_parameters, instance), new_template, instance.region)


@dataclass(frozen=True)
class Group:
    """Instances (target, region) whose changes are identical."""

    instances: tuple[tuple[str, str], ...]
    changes: tuple[ResourceChange, ...]

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(region for _, region in self.instances))


def _key(changes: tuple[ResourceChange, ...]) -> str:
    return json.dumps(
        [
            [c.logical_id, c.action, c.policy, [[p.path, repr(p.old), repr(p.new)] for p in c.properties]]
            for c in changes
        ]
    )


def group(per_instance: list[tuple[tuple[str, str], tuple[ResourceChange, ...]]]) -> tuple[Group, ...]:
    """((target, region), changes) in order -> groups in order of first appearance; no-change instances dropped."""
    groups: dict[str, tuple[list, tuple]] = {}
    for instance, changes in per_instance:
        if changes:
            groups.setdefault(_key(changes), ([], changes))[0].append(instance)
    return tuple(Group(tuple(instances), changes) for instances, changes in groups.values())
