"""A scratch copy of the checkout, for tests that edit the platform as a user would (add a template,
an environment) and run the documented commands there against a localcloud server."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from tests.support.doccommands import Block
from tests.support.server import localcloud_server

ROOT = Path(__file__).resolve().parents[2]
BLOCK_SECONDS = 900  # a block may deploy an environment on a loaded machine


def scratch_checkout(target: Path) -> Path:
    """The checkout's files (tracked, and new ones git does not ignore) with their times kept, so
    make sees its `.venv` (shared, a link) as up to date."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    # the lint cache is keyed by each template's content, so the checkout's serves the copy too
    # (and what the copy lints serves the next test): only the templates the test changed are linted
    (ROOT / ".cache" / "lint").mkdir(parents=True, exist_ok=True)
    (target / ".cache").mkdir()
    (target / ".cache" / "lint").symlink_to(ROOT / ".cache" / "lint")
    return target


def run_blocks(blocks: Iterable[Block], checkout: Path, work: Path) -> None:
    """Each block as one bash script (``set -euo pipefail``) in the checkout, in order, with the
    localcloud server's exports in the environment; a failing block fails with its output."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MAKEFLAGS", "MFLAGS"))}
    server_environment = {**clean, "LOCALCLOUD_OPERATION_SECONDS": "0.2"}
    with localcloud_server(work / "localcloud.env", server_environment) as exports:
        environment = {**clean, **exports, "CFNOPS_REPORTS_DIR": str(work / "reports")}
        for block in blocks:
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", block.text],
                cwd=checkout,
                env=environment,
                capture_output=True,
                text=True,
                timeout=BLOCK_SECONDS,
            )
            assert result.returncode == 0, f"{block.where}: exit {result.returncode}\n" + (
                result.stdout[-3000:] + result.stderr[-3000:]
            )
