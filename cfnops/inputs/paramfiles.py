"""Read parameter files into layers of settings, each remembering its file and key.

A file has up to four top-level keys::

    environment: staging          # env files only: must match the file name
    defaults:    {Param: value}   # for every template that declares Param
    templates:   {template: {Param: value}}
    regions:     {region: {template: {Param: value}}}   # env files only

``parameters/common.yaml`` holds ``defaults`` and ``templates`` shared by every
environment; an environment's own file overrides it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError, shown_value
from . import safeyaml
from .problems import Problems

SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class Setting:
    """One value as written in a file."""

    value: object
    file: str
    key: str


@dataclass(frozen=True)
class ParameterFile:
    file: str
    environment: str | None
    defaults: dict[str, Setting] = field(default_factory=dict)
    templates: dict[str, dict[str, Setting]] = field(default_factory=dict)
    regions: dict[str, dict[str, dict[str, Setting]]] = field(default_factory=dict)


def expected_one_of(names: Iterable[str]) -> str:
    return "expected one of " + ", ".join(names)


def unknown(name: str, choices: Iterable[str], what: str) -> str:
    choices = list(choices)
    close = difflib.get_close_matches(name, choices, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown {what}{hint}: {expected_one_of(choices)}"


class _Reader(Problems):
    """Walks one file's YAML, collecting every problem as a one-line message."""

    def mapping(self, value: object, key: str, what: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(key, f"expected a mapping of {what}, got {type_name(value)}")
            return {}
        return value

    def settings(self, value: object, key: str) -> dict[str, Setting]:
        result = {}
        for name, item in self.mapping(value, key, "parameter names to values").items():
            item_key = f"{key}.{name}"
            if not isinstance(name, str):
                self.problem(item_key, "parameter names must be strings")
            elif not (isinstance(item, SCALARS) or is_scalar_list(item)):
                self.problem(item_key, f"expected a string, number, boolean or list of them, got {type_name(item)}")
            else:
                result[name] = Setting(item, self.file, item_key)
        return result

    def per_template(self, value: object, key: str, templates: Mapping) -> dict[str, dict[str, Setting]]:
        result = {}
        for name, section in self.mapping(value, key, "template names to parameters").items():
            if name not in templates:
                self.problem(f"{key}.{name}", unknown(str(name), templates, "template"))
            else:
                result[name] = self.settings(section, f"{key}.{name}")
        return result


def is_scalar_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, SCALARS) and not isinstance(v, bool) for v in value)


def type_name(value: object) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "nothing" if value is None else names.get(type(value), type(value).__name__)


def parse_yaml(path: Path, file: str, root: Path | None = None) -> object:
    """Every input file is read by safeyaml (duplicate keys, aliases, size, depth, symlinks)."""
    return safeyaml.load(path, file, root)


def load(
    path: Path, file: str, environment: str | None, templates: Mapping, regions: Iterable[str], root: Path | None = None
) -> ParameterFile:
    """Read one file; ``environment`` None means the common file (no environment, no regions)."""
    data = parse_yaml(path, file, root)
    reader = _Reader(file)
    allowed = ("defaults", "templates") if environment is None else ("environment", "defaults", "templates", "regions")
    if data is None:
        raise InputError(f"{file}: file is empty: expected a mapping with keys {', '.join(allowed)}")
    if not isinstance(data, dict):
        raise InputError(f"{file}: expected a mapping with keys {', '.join(allowed)}, got {type_name(data)}")
    for key in data:
        if key not in allowed:
            reader.problem(str(key), unknown(str(key), allowed, "top-level key"))
    if environment is not None and data.get("environment") != environment:
        reader.problem(
            "environment", f"expected {environment!r} (the file's name), got {shown_value(data.get('environment'))}"
        )
    parsed = ParameterFile(
        file=file,
        environment=environment,
        defaults=reader.settings(data.get("defaults"), "defaults"),
        templates=reader.per_template(data.get("templates"), "templates", templates),
        regions=_regions(reader, data.get("regions"), templates, list(regions)),
    )
    reader.raise_if_any()
    return parsed


def _regions(reader: _Reader, value: object, templates: Mapping, regions: list[str]) -> dict:
    result = {}
    for region, section in reader.mapping(value, "regions", "regions to template overrides").items():
        if region not in regions:
            reader.problem(f"regions.{region}", unknown(str(region), regions, "region"))
        else:
            result[region] = reader.per_template(section, f"regions.{region}", templates)
    return result
