"""Canonical forms of property values, for drift ignore rules: two values that are equal
after normalising mean the same thing to AWS, and nothing else is made equal.

- ``iam-policy``: every IAM policy document in the value (a mapping with ``Statement``)
  in canonical form: a single-item list equals its scalar (Action, NotAction, Resource,
  NotResource, each principal kind, each condition value), statement and list order do not
  matter, ``Version`` is kept as written, an account id principal equals its
  ``arn:aws:iam::<id>:root`` (IAM documents both forms as the same principal). A list of
  named policies (``PolicyName``) is compared by name, not by order. Every principal,
  action, resource and condition survives normalising: a change in any of them stays a
  difference.
- ``ecs-container-defaults``: ECS container definitions with the values ECS documents as
  defaults filled in where the definition leaves them out (Essential true, Cpu 0, empty
  MountPoints, VolumesFrom, PortMappings, Environment; a port mapping's Protocol tcp and,
  in awsvpc mode, HostPort = ContainerPort), environment variables by name.
- ``service-tags``: tags without the keys AWS services add themselves: every ``aws:``
  key (reserved for AWS; nobody else can set one) and the keys the rule names, unless the
  template sets that key itself. No other tag is ever dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

ACCOUNT = re.compile(r"^\d{12}$")
LIST_ELEMENTS = ("Action", "NotAction", "Resource", "NotResource")
PRINCIPALS = ("Principal", "NotPrincipal")


def _sorted(items: list) -> list:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _principal(value: Any) -> Any:
    if not isinstance(value, dict):
        return value  # "*" stays "*": IAM treats it differently from {"AWS": "*"} in places
    canonical = {}
    for kind, names in value.items():
        names = _as_list(names)
        if kind == "AWS":
            names = [
                f"arn:aws:iam::{name}:root" if isinstance(name, str) and ACCOUNT.match(name) else name for name in names
            ]
        canonical[kind] = sorted(set(names), key=str)
    return canonical


def _condition(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {
        operator: {
            key: sorted({json.dumps(v, sort_keys=True) for v in _as_list(values)}) for key, values in entries.items()
        }
        if isinstance(entries, dict)
        else entries
        for operator, entries in value.items()
    }


def _statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    canonical = dict(statement)
    for element in LIST_ELEMENTS:
        if element in canonical:
            canonical[element] = sorted(set(_as_list(canonical[element])), key=str)
    for element in PRINCIPALS:
        if element in canonical:
            canonical[element] = _principal(canonical[element])
    if "Condition" in canonical:
        canonical["Condition"] = _condition(canonical["Condition"])
    return canonical


def policy_document(document: Any) -> Any:
    """One IAM policy document in canonical form (a JSON string is parsed first)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return document
    if not isinstance(document, dict) or "Statement" not in document:
        return document
    return {**document, "Statement": _sorted([_statement(s) for s in _as_list(document["Statement"])])}


def iam_policy(value: Any, rule_keys: tuple[str, ...] = (), properties: dict | None = None) -> Any:
    """Every policy document in ``value``, at any depth, in canonical form."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return iam_policy(json.loads(value))
        except ValueError:
            return value  # not JSON (``{{resolve:ssm:...}}``): compared as the string it is
    if isinstance(value, dict):
        if "Statement" in value:
            return policy_document(value)
        return {key: iam_policy(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [iam_policy(item) for item in value]
        if all(isinstance(item, dict) and "PolicyName" in item for item in items):
            return sorted(items, key=lambda item: str(item["PolicyName"]))
        return items
    return value


CONTAINER_DEFAULTS = {
    "Essential": True,
    "Cpu": 0,
    "MountPoints": [],
    "VolumesFrom": [],
    "PortMappings": [],
    "Environment": [],
}


def _port_mapping(mapping: Any, awsvpc: bool) -> Any:
    if not isinstance(mapping, dict):
        return mapping
    filled = {"Protocol": "tcp", **mapping}
    if awsvpc and "ContainerPort" in filled:
        filled.setdefault("HostPort", filled["ContainerPort"])
    return filled


def _container(definition: Any, awsvpc: bool) -> Any:
    if not isinstance(definition, dict):
        return definition
    filled = {**CONTAINER_DEFAULTS, **definition}
    filled["PortMappings"] = [_port_mapping(m, awsvpc) for m in _as_list(filled["PortMappings"])]
    filled["Environment"] = sorted(
        _as_list(filled["Environment"]), key=lambda v: str(v.get("Name")) if isinstance(v, dict) else str(v)
    )
    return filled


def ecs_container_defaults(value: Any, rule_keys: tuple[str, ...] = (), properties: dict | None = None) -> Any:
    awsvpc = str((properties or {}).get("NetworkMode", "")).lower() in ("awsvpc", "host")
    if not isinstance(value, list):
        return value
    return sorted(
        (_container(d, awsvpc) for d in value), key=lambda d: str(d.get("Name")) if isinstance(d, dict) else str(d)
    )


def _service_key(key: Any, rule_keys: tuple[str, ...], declared: set) -> bool:
    return isinstance(key, str) and (key.lower().startswith("aws:") or (key in rule_keys and key not in declared))


def _declared_keys(properties: dict | None) -> set:
    tags = (properties or {}).get("Tags")
    return {t.get("Key") for t in tags if isinstance(t, dict)} if isinstance(tags, list) else set(tags or ())


def service_tags(value: Any, rule_keys: tuple[str, ...] = (), properties: dict | None = None) -> Any:
    """Tags as {key: value}, without the keys AWS services add (``aws:`` and ``rule_keys``), but
    never a key the template itself sets (``properties``, the template's side): a rule naming
    one cannot hide a change to it."""
    declared = _declared_keys(properties)
    pairs: Iterable[tuple[Any, Any]]
    if isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list) and all(isinstance(t, dict) and "Key" in t for t in value):
        pairs = ((t["Key"], t.get("Value")) for t in value)
    else:
        return value
    return {key: item for key, item in pairs if not _service_key(key, rule_keys, declared)}


NORMALISERS: dict[str, Callable[..., Any]] = {
    "iam-policy": iam_policy,
    "ecs-container-defaults": ecs_container_defaults,
    "service-tags": service_tags,
}
