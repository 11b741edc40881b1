"""Speed figures for `make bench`: printed, compared with their targets, never asserted.

- render: every template from a cold process (interpreter start included), target < 1 s
- lint, nothing changed: a whole `cfnops lint` process on a warm cache, target < 0.5 s
- lint, cold: every template linted (in parallel), for reference
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def wall(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def median_of(command: list[str], cwd: Path, runs: int = RUNS) -> float:
    return statistics.median(wall(command, cwd) for _ in range(runs))


def report(name: str, seconds: float, target: float | None) -> None:
    verdict = "" if target is None else ("  ok" if seconds < target else f"  OVER TARGET ({target:.2f}s)")
    goal = "" if target is None else f"  target < {target:.2f}s"
    print(f"{name:<44} {seconds:7.3f}s{goal}{verdict}")


def main() -> None:
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for folder in ("parameters", "generated"):
            shutil.copytree(ROOT / folder, work / folder)
        render = [python, "-m", "cfnops", "--root", str(work), "render"]
        lint = [python, "-m", "cfnops", "--root", str(work), "lint"]
        print(f"machine: {sys.platform}, python {sys.version.split()[0]}, median of {RUNS} runs\n")
        report("render all templates (cold process)", median_of(render, ROOT), 1.0)
        report("lint, cold (no cache, parallel)", wall(lint + ["--no-cache"], ROOT), None)
        report("lint, nothing changed (whole process)", median_of(lint, ROOT), 0.5)
        template = work / "generated" / "network.json"
        template.write_text(template.read_text().replace("Platform network", "Platform network (bench edit)"))
        report("lint, one template changed", wall(lint, ROOT), None)


if __name__ == "__main__":
    main()
