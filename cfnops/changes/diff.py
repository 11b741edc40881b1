"""Property-level differences between two resolved values, as paths (``/KeySchema/0/KeyType``)."""

from __future__ import annotations

import re
from dataclasses import dataclass


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()  # the property is not set on that side


@dataclass(frozen=True)
class PropertyChange:
    path: str  # JSON pointer below Properties; attributes as "DeletionPolicy"
    old: object
    new: object
    note: str = ""  # why a value only deploy time knows changes (its resource is replaced)


def differences(old: object, new: object, path: str = "") -> list[PropertyChange]:
    """Dicts key by key; lists of the same length item by item; anything else whole."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new), key=str):
            found += differences(old.get(key, ABSENT), new.get(key, ABSENT), f"{path}/{key}")
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            change
            for index, (a, b) in enumerate(zip(old, new, strict=True))
            for change in differences(a, b, f"{path}/{index}")
        ]
    return [PropertyChange(path or "/", old, new)]


_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}")


def references(properties: object, path: str = ""):
    """(path, logical ids) of every Ref, Fn::GetAtt and Fn::Sub in unresolved ``properties``:
    where a resource's new physical id or attributes land. Other functions keep the path."""
    if isinstance(properties, list):
        for index, item in enumerate(properties):
            yield from references(item, f"{path}/{index}")
        return
    if not isinstance(properties, dict):
        return
    if len(properties) == 1:
        ((key, argument),) = properties.items()
        if key == "Ref" and isinstance(argument, str):
            yield path or "/", {argument}
            return
        if key == "Fn::GetAtt":
            name = argument.split(".", 1)[0] if isinstance(argument, str) else str(argument[0])
            yield path or "/", {name}
            return
        if key == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
            yield path or "/", {name for name in _SUB_NAME.findall(text) if name not in variables}
            for value in variables.values():
                yield from references(value, path)
            return
        if key.startswith("Fn::"):  # its result sits where the function is
            for item in argument if isinstance(argument, list) else [argument]:
                yield from references(item, path)
            return
    for key, item in properties.items():
        yield from references(item, f"{path}/{key}")
