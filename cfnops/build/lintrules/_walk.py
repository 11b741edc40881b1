"""Helpers shared by the custom rules: walking properties without resolving intrinsics."""

from __future__ import annotations

from collections.abc import Iterator


def get(properties: object, *path: str) -> object:
    """properties[path[0]][path[1]]..., or None where any step is missing."""
    node = properties
    for step in path:
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node


def statements(node: object, path: list) -> Iterator[tuple[dict, list]]:
    """Every IAM policy statement below ``node``, with its path."""
    if isinstance(node, dict):
        statement = node.get("Statement")
        if isinstance(statement, list):
            for index, item in enumerate(statement):
                if isinstance(item, dict):
                    yield item, path + ["Statement", index]
        for key, value in node.items():
            if key != "Statement":
                yield from statements(value, path + [key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from statements(value, path + [index])


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]
