"""Statuses and verdicts are spelled once (awsfacts/statuses.py, core/verdicts.py): no module of
cfnops compares a value with one of their words written out, nor keeps such words in a table."""

from __future__ import annotations

import ast
import inspect
from enum import StrEnum
from pathlib import Path

import pytest

from cfnops.awsfacts import statuses
from cfnops.core import verdicts
from tests.conftest import ROOT

DEFINED_IN = {Path(statuses.__file__).resolve(), Path(verdicts.__file__).resolve()}
WORDS = {
    member.value
    for module in (statuses, verdicts)
    for _, enum in inspect.getmembers(module, inspect.isclass)
    if issubclass(enum, StrEnum) and enum.__module__ == module.__name__
    for member in enum
}
MODULES = sorted(path for path in (ROOT / "cfnops").rglob("*.py") if path.resolve() not in DEFINED_IN)


def _words(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in WORDS]


def spelled_out(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, word) where a status word is compared with, or is a key of a table."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            found += [(node.lineno, word) for side in (node.left, *node.comparators) for word in _words(side)]
        elif isinstance(node, ast.Dict):
            found += [(node.lineno, word) for key in node.keys if key is not None for word in _words(key)]
    return found


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_no_status_word_spelled_out(path):
    assert spelled_out(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_scan_finds_a_spelled_out_status():
    tree = ast.parse('if outcome.status != "SUCCEEDED":\n    pass\nICONS = {"DRIFTED": "x"}\nok = s in ("CURRENT",)')
    assert spelled_out(tree) == [(1, "SUCCEEDED"), (3, "DRIFTED"), (4, "CURRENT")]
