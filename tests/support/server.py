"""The localcloud server as a subprocess, for tests that drive it over HTTP (the AWS CLI, a
counting proxy): started, waited for until it writes its env file, stopped afterwards."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 180  # a loaded CI machine starts Python and moto slowly; a dead server fails at once


@contextlib.contextmanager
def localcloud_server(env_file: Path, environment: Mapping[str, str] | None = None) -> Iterator[dict[str, str]]:
    """The server's exports (AWS_ENDPOINT_URL, credentials) once it listens; stopped on exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "--env-file", str(env_file)],
        cwd=ROOT,
        env=dict(environment) if environment is not None else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not (env_file.exists() and env_file.read_text().strip()):
            assert process.poll() is None, f"localcloud exited with {process.returncode} before it listened"
            assert time.monotonic() < deadline, f"localcloud did not listen within {START_SECONDS} s"
            time.sleep(0.1)
        yield dict(line.removeprefix("export ").split("=", 1) for line in env_file.read_text().splitlines())
    finally:
        process.terminate()
        process.wait(timeout=30)
