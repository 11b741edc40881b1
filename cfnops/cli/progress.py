"""Progress of StackSet operations per account and region.

On a terminal: a live table (rich). Otherwise (CI, pipes): one plain line per change.
Thread-safe: independent StackSets report from their own threads.
"""

from __future__ import annotations

import sys
import threading
from typing import IO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from ..awsfacts.statuses import Result
from ..core.words import plural
from ..rollout.operations import InstanceResult, Outcome

COLOURS: dict[str, str] = {  # by StackSetOperationResultSummary.Status
    Result.SUCCEEDED: "green",
    Result.FAILED: "red",
    Result.CANCELLED: "yellow",
    Result.RUNNING: "cyan",
    Result.PENDING: "dim",
}


class PlainProgress:
    def __init__(self, stream: IO[str] | None = None):
        self.stream = stream or sys.stdout
        self._seen: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()

    def _print(self, line: str) -> None:
        with self._lock:
            print(line, file=self.stream, flush=True)

    def note(self, stackset: str, message: str) -> None:
        self._print(f"[{stackset}] {message}")

    def started(self, stackset: str, operation_id: str, action: str) -> None:
        self._print(f"[{stackset}] {action} operation {operation_id} started")

    def instances(self, stackset: str, results: tuple[InstanceResult, ...]) -> None:
        for result in results:
            key = (stackset, result.account, result.region)
            if self._seen.get(key) != result.status:
                self._seen[key] = result.status
                reason = f": {result.reason}" if result.reason else ""
                self._print(f"[{stackset}] {result.region} {result.account} {result.status}{reason}")

    def finished(self, outcome: Outcome) -> None:
        self._print(
            f"[{outcome.stackset}] {outcome.action} {outcome.status} "
            f"({plural(len(outcome.results), 'instance')}, {plural(outcome.polls, 'poll')}, {outcome.seconds:.1f}s)"
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


class LiveProgress(PlainProgress):
    """A table of StackSet x account/region that redraws in place; notes print above it."""

    def __init__(self, console: Console):
        super().__init__(console.file)
        self.console = console
        self.rows: dict[tuple[str, str, str], tuple[str, str]] = {}
        self._live_started = False
        self.live = Live(self._table(), console=console, refresh_per_second=4, transient=False)

    def _table(self) -> Table:
        table = Table(title="StackSet rollout", expand=False)
        for column in ("StackSet", "Region", "Account", "Status", "Reason"):
            table.add_column(column)
        for (stackset, region, account), (status, reason) in sorted(self.rows.items()):
            colour = COLOURS.get(status, "white")
            table.add_row(stackset, region, account, f"[{colour}]{status}[/]", reason)
        return table

    def _print(self, line: str) -> None:
        with self._lock:
            self.console.print(line, markup=False, highlight=False)

    def started(self, stackset: str, operation_id: str, action: str) -> None:
        with self._lock:
            if not self._live_started:  # nothing to show until an operation starts (a no-op stays quiet)
                self.live.start()
                self._live_started = True
        super().started(stackset, operation_id, action)

    def instances(self, stackset: str, results: tuple[InstanceResult, ...]) -> None:
        with self._lock:
            for result in results:
                self.rows[(stackset, result.region, result.account)] = (result.status, result.reason)
            self.live.update(self._table())

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self._live_started:
            self.live.stop()


def make_progress(stream: IO[str] | None = None) -> PlainProgress:
    stream = stream or sys.stdout
    if stream.isatty():
        return LiveProgress(Console(file=stream))
    return PlainProgress(stream)
