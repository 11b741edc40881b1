"""The second platforms under tests/fixtures, copied to a scratch folder and run through the CLI
as a user runs them."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import localcloud
from cfnops.cli.main import main
from tests.conftest import ROOT

localcloud.install()
from moto import mock_aws  # noqa: E402

MINI = ROOT / "tests" / "fixtures" / "miniplatform"
ORG = ROOT / "tests" / "fixtures" / "orgplatform"


def copy(fixture: Path, into: Path) -> Path:
    """A scratch copy of the fixture platform, as a checkout of its own."""
    root = into / fixture.name.removesuffix("platform")
    shutil.copytree(fixture, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def on_localcloud(root: Path, monkeypatch) -> Iterator[Path]:
    """For a fixture: ``root`` with localcloud in-process, operations done at once."""
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield root


def cli(root: Path, *arguments: str) -> int:
    return main(["--root", str(root), *arguments])
