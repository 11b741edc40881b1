from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cfnops.build import render
from cfnops.inputs import platform as platform_module
from cfnops.inputs.project import Project

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = platform_module.load(ROOT)  # the fraud platform, as the CLI loads it


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT, PLATFORM)


@pytest.fixture(scope="session")
def templates() -> dict[str, dict]:
    """Every template freshly built from templates_src (not read from generated/)."""
    return render.build_templates(PLATFORM)


@pytest.fixture
def tmp_project(tmp_path: Path) -> Project:
    """A scratch copy of parameters/, generated/ and stacksets/ (and pyproject.toml, which
    names the platform) to break on purpose."""
    for folder in ("parameters", "generated", "stacksets"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return Project(tmp_path, PLATFORM)


def resources_of_type(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def ref(name: str) -> dict:
    return {"Ref": name}


def props(template: dict, name: str) -> dict:
    return template["Resources"][name]["Properties"]
