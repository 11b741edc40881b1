"""WHAT the platform is: troposphere templates, one build() per template.

``REGISTRY`` is the one list of templates that render, lint, parameter validation,
tests and StackSets read. Names are the template names users type: a module with a
``build()`` is found by its file name (``discover``), never listed a second time.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from types import MappingProxyType

from troposphere import Template

BuildFunction = Callable[[], Template]


class DuplicateTemplateError(ValueError):
    pass


def build_registry(entries: Iterable[tuple[str, BuildFunction]]) -> MappingProxyType:
    """name -> build function, read-only; a name given twice is an error."""
    registry: dict[str, BuildFunction] = {}
    for name, build in entries:
        if name in registry:
            raise DuplicateTemplateError(f"template {name!r} is registered twice")
        registry[name] = build
    return MappingProxyType(registry)


def is_template(source: str) -> bool:
    """A module is a template when it defines ``build()`` with no arguments at top level."""
    return any(
        isinstance(node, ast.FunctionDef)
        and node.name == "build"
        and not (node.args.args or node.args.posonlyargs or node.args.kwonlyargs or node.args.vararg or node.args.kwarg)
        for node in ast.parse(source).body
    )


def discover(directory: Path, package: str) -> list[tuple[str, BuildFunction]]:
    """Every template module of ``directory``, named after its file (``fraud_detection.py`` is
    ``fraud-detection``), in name order: adding a template is adding its module, no list to edit."""
    found = []
    for path in sorted(directory.glob("*.py")):
        if not path.name.startswith("_") and is_template(path.read_text(encoding="utf-8")):
            module = importlib.import_module(f"{package}.{path.stem}")
            found.append((path.stem.replace("_", "-"), module.build))
    return found


def _bootstrap(workloads: MappingProxyType) -> tuple[str, BuildFunction]:
    """The bootstrap template: its execution role is derived from the workloads."""
    from . import stackset_roles

    return BOOTSTRAP, partial(stackset_roles.build, workloads)


BOOTSTRAP = "stackset-roles"  # a plain stack per administrator region, not a StackSet
WORKLOADS = build_registry(discover(Path(__file__).parent, __name__))  # the templates StackSets deploy
REGISTRY = build_registry([*WORKLOADS.items(), _bootstrap(WORKLOADS)])
