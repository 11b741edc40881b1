from __future__ import annotations

import inspect
import re
import shutil
import threading
import types
from pathlib import Path

import boto3
import botocore.handlers
import pytest
from botocore.stub import Stubber

from cfnops.build import render
from cfnops.core import interrupt
from cfnops.core.aws import Aws
from cfnops.inputs import platform as platform_module
from cfnops.inputs.project import Project

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = platform_module.load(ROOT)  # the fraud platform, as the CLI loads it


# What makes a test `slow` (left out of `make test-fast`, still in `make test`): moto in-process
# (mock_aws), a full rollout (Run), the localcloud server (`python -m ...localcloud`) or the demo.
# Looked for in the test's code, in every fixture it uses, and in the tests/ functions they call.
SLOW_NAMES = frozenset({"mock_aws", "Run"})
SLOW_STRINGS = re.compile(r"(^|\.)localcloud$|^scripts/demo\.py$")


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _is_slow(func, seen: set) -> bool:
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    codes = list(_code_objects(code))
    names = {name for c in codes for name in c.co_names}
    if names & SLOW_NAMES or any(isinstance(k, str) and SLOW_STRINGS.search(k) for c in codes for k in c.co_consts):
        return True
    called = (func.__globals__.get(name) for name in names)
    return any(_is_slow(f, seen) for f in called if inspect.isfunction(f) and f.__module__.startswith("tests."))


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        fixtures = [defs[-1].func for defs in item._fixtureinfo.name2fixturedefs.values() if defs]
        if any(_is_slow(func, set()) for func in [getattr(item, "function", None), *fixtures]):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _no_interrupt_left_over():
    """An interrupted command leaves STOP set for the threads still finishing their calls (a new
    process starts clear; core/interrupt.restore): once they have ended, the next test starts clear."""
    yield
    if interrupt.STOP.is_set():
        for thread in threading.enumerate():
            if thread.name.startswith("ThreadPoolExecutor"):
                thread.join(60)
        interrupt.STOP.clear()


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT, PLATFORM)


@pytest.fixture(scope="session")
def templates() -> dict[str, dict]:
    """Every template freshly built from templates_src (not read from generated/)."""
    return render.build_templates(PLATFORM)


@pytest.fixture
def tmp_project(tmp_path: Path) -> Project:
    """A scratch copy of parameters/, generated/ and stacksets/ (and quotas.yaml, and pyproject.toml, which
    names the platform) to break on purpose."""
    for folder in ("parameters", "generated", "stacksets"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for file in ("pyproject.toml", "quotas.yaml"):  # the platform, and the quotas the account raised
        shutil.copy(ROOT / file, tmp_path / file)
    if (ROOT / ".cache" / "lint").exists():  # keyed on template bytes: holds for unchanged templates only
        shutil.copytree(ROOT / ".cache" / "lint", tmp_path / ".cache" / "lint")
    return Project(tmp_path, PLATFORM)


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

    monkeypatch.setattr(
        botocore.handlers, "BUILTIN_HANDLERS", [*botocore.handlers.BUILTIN_HANDLERS, ("provide-client-params", count)]
    )
    return calls


@pytest.fixture
def aws():
    """An Aws with fake credentials, for the Stubber (never reaches an endpoint)."""
    return Aws(boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"))


@pytest.fixture
def stub(aws):
    """botocore's Stubber on the `aws` fixture's us-east-1 CloudFormation client: every call must be expected."""
    stubber = Stubber(aws.client("cloudformation", "us-east-1"))
    stubber.activate()
    yield stubber
    stubber.assert_no_pending_responses()
    stubber.deactivate()
