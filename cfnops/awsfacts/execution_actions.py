"""What CloudFormation's execution role needs for a set of templates, from the
registry schemas: every permission of every handler (create, read, update, delete) of
every resource type used. read runs after each create and during drift detection.

Wildcards in a schema (``dynamodb:Describe*``) are expanded to the actions IAM knows;
actions IAM's catalogue does not know are dropped, each with the types asking for it.
Dynamic references (``{{resolve:secretsmanager:...}}``) are resolved by CloudFormation
with the execution role, so they add the actions that read them. A permission a handler
calls only for a property no resource of the templates sets (``handler_calls``) is
withheld: IAM group and user attachments, cross-account peering's AssumeRole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import handler_calls, iam_catalog, schemas

DYNAMIC_REFERENCE_ACTIONS = {
    "{{resolve:secretsmanager:": ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
    "{{resolve:ssm:": ("ssm:GetParameters",),
}


class UnsupportedTemplate(ValueError):
    """A template whose resources cannot all be seen (transforms create types of their own)."""


@dataclass(frozen=True)
class Need:
    """One action and the (type, handler) pairs whose schemas list it."""

    action: str
    sources: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Derivation:
    needs: tuple[Need, ...]  # known to IAM, canonical spelling, sorted
    dropped: tuple[Need, ...] = field(default=())  # listed by a schema, unknown to IAM
    withheld: tuple[Need, ...] = field(default=())  # called only for properties our templates do not set

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(need.action for need in self.needs)


def resource_types(templates: Iterable[Mapping]) -> tuple[str, ...]:
    types: set[str] = set()
    for template in templates:
        if template.get("Transform"):
            raise UnsupportedTemplate(f"transform {template['Transform']} creates resources cfnops cannot see")
        types.update(resource["Type"] for resource in (template.get("Resources") or {}).values())
    return tuple(sorted(types))


def _dynamic_reference_needs(templates: Iterable[Mapping]) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for template in templates:
        text = json.dumps(template)
        for marker, actions in DYNAMIC_REFERENCE_ACTIONS.items():
            if marker in text:
                for action in actions:
                    found.setdefault(action, set()).add(("dynamic reference", marker.strip("{:")))
    return found


def derive(templates: Iterable[Mapping]) -> Derivation:
    templates = list(templates)
    wanted: dict[str, set[tuple[str, str]]] = _dynamic_reference_needs(templates)
    withheld: dict[str, set[tuple[str, str]]] = {}
    for type_name in resource_types(templates):
        for handler in schemas.HANDLERS:
            for permission in schemas.handler_permissions(type_name, handler):
                used = handler_calls.used_by(type_name, permission, templates)
                (wanted if used else withheld).setdefault(permission, set()).add((type_name, handler))
    for permission in wanted:
        withheld.pop(permission, None)  # another type needs it unconditionally
    needs: dict[str, set[tuple[str, str]]] = {}
    dropped = []
    for permission, sources in wanted.items():
        expanded = (
            iam_catalog.expand(permission)
            if "*" in permission
            else ((iam_catalog.canonical(permission),) if iam_catalog.is_known(permission) else ())
        )
        if not expanded:
            dropped.append(Need(permission, tuple(sorted(sources))))
        for action in expanded:
            needs.setdefault(action, set()).update(sources)
    return Derivation(
        tuple(Need(a, tuple(sorted(s))) for a, s in sorted(needs.items())),
        tuple(sorted(dropped, key=lambda need: need.action)),
        tuple(Need(a, tuple(sorted(s))) for a, s in sorted(withheld.items())),
    )
