"""localcloud changes moto only through its patch registry (localcloud/core/registry.py): the
registry applied every patch it lists, recorded every change, and changed nothing it did not
record; an order dependency between two patches must be stated."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from localcloud.core import registry
from tests.conftest import ROOT

MODULES = """
import json, sys
import localcloud
localcloud.install()
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("moto", "localcloud"))))
"""

# Every attribute of every class and module in moto and localcloud, before and after install().
CHANGES = """
import importlib, inspect, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)

def snapshot():
    values = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in ("moto", "localcloud") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            values[f"{name}.{attribute}"] = value
            if inspect.isclass(value) and value.__module__ == name:
                for member, item in list(vars(value).items()):
                    values[f"{name}.{value.__qualname__}.{member}"] = item
    return values

before = snapshot()
import localcloud
from localcloud.core import registry
localcloud.install()
after = snapshot()
changed = sorted(key for key, value in after.items() if key in before and before[key] is not value)
added = sorted(key for key in after if key not in before)
current = {r.target: vars(r.owner).get(r.attribute) is r.value for r in registry.APPLIED}
print(json.dumps({
    "changed": changed,
    "added": added,
    "patches": [p.name for p in registry.PATCHES],
    "applied": [[r.patch, r.target] for r in registry.APPLIED],
    "last_is_current": [t for t, ok in current.items() if not ok],
}))
"""


def run(script: str, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def installed() -> dict:
    modules = run(MODULES).strip()
    return json.loads(run(CHANGES, modules))


def test_every_listed_patch_was_applied_and_changed_something(installed):
    applied = {patch for patch, _ in installed["applied"]}
    assert applied == set(installed["patches"])


def test_nothing_changed_in_moto_that_the_registry_did_not_record(installed):
    recorded = {target for _, target in installed["applied"]}
    assert set(installed["changed"] + installed["added"]) - recorded == set()
    assert recorded - set(installed["changed"] + installed["added"]) == set()


def test_each_attribute_holds_the_last_replacement_recorded_for_it(installed):
    assert installed["last_is_current"] == []


@pytest.fixture
def empty(monkeypatch):
    monkeypatch.setattr(registry, "PATCHES", [])
    monkeypatch.setattr(registry, "APPLIED", [])


class Moto:
    def handler(self) -> str:
        return "moto"


def test_two_patches_of_one_attribute_need_a_stated_order(empty, monkeypatch):
    monkeypatch.setattr(Moto, "handler", Moto.handler)

    @registry.patch("first")
    def first() -> None:
        inner = registry.unwrapped(Moto, "handler")
        registry.replace(Moto, "handler", lambda self: "first+" + inner(self))

    @registry.patch("second, unaware of first")
    def second() -> None:
        inner = registry.unwrapped(Moto, "handler")
        registry.replace(Moto, "handler", lambda self: "second+" + inner(self))

    with pytest.raises(registry.OrderError, match=r"second.*replaces .*Moto.handler, which .*first replaced"):
        registry.install()


def test_after_orders_patches_whatever_their_registration_order(empty, monkeypatch):
    monkeypatch.setattr(Moto, "handler", Moto.handler)

    def inner_patch() -> None:
        inner = registry.unwrapped(Moto, "handler")
        registry.replace(Moto, "handler", lambda self: "inner+" + inner(self))

    @registry.patch("outer", after=(inner_patch,))
    def outer_patch() -> None:
        inner = registry.unwrapped(Moto, "handler")
        registry.replace(Moto, "handler", lambda self: "outer+" + inner(self))

    registry.patch("inner")(inner_patch)  # registered second, applied first
    registry.install()
    assert Moto().handler() == "outer+inner+moto"
    assert [r.patch.rsplit(".", 1)[1] for r in registry.APPLIED] == ["inner_patch", "outer_patch"]


def test_a_change_outside_a_registered_patch_is_refused(empty, monkeypatch):
    monkeypatch.setattr(Moto, "handler", Moto.handler)
    with pytest.raises(RuntimeError, match="outside a registered patch"):
        registry.replace(Moto, "handler", lambda self: "rogue")
