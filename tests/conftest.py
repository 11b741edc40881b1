from __future__ import annotations

import shutil
from pathlib import Path

import botocore.handlers
import pytest

from cfnops import render
from cfnops.project import Project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def templates() -> dict[str, dict]:
    """Every template freshly built from templates_src (not read from generated/)."""
    return render.build_templates()


@pytest.fixture
def tmp_project(tmp_path: Path) -> Project:
    """A scratch copy of parameters/, generated/ and stacksets/ to break on purpose."""
    for folder in ("parameters", "generated", "stacksets"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return Project(tmp_path)


def resources_of_type(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def ref(name: str) -> dict:
    return {"Ref": name}


def props(template: dict, name: str) -> dict:
    return template["Resources"][name]["Properties"]


@pytest.fixture
def aws_calls(monkeypatch) -> list[str]:
    """Every AWS API call ("service:Operation") made by a botocore session created during the
    test, counted when the call starts (before parameter validation, before any endpoint)."""
    calls: list[str] = []

    def count(model, **_) -> None:
        calls.append(f"{model.service_model.service_name}:{model.name}")

    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS",
                        [*botocore.handlers.BUILTIN_HANDLERS, ("provide-client-params", count)])
    return calls
