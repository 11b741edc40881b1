"""When each piece of a rollout starts: as soon as what it needs is done, not a level later.

``run_graph``: StackSets (or any keyed steps) with dependencies; each starts once every
dependency it has among them has finished without failure, concurrently with whatever else
is running, so that a StackSet whose dependencies are satisfied never waits for an unrelated
one (loan-processing, which depends on nothing, runs beside network; fraud-detection starts
when network is done, whatever drift-watch is doing). After a failure nothing new starts;
what is running finishes. The first error raised by a step is raised again once the running
steps have ended; Ctrl-C (Interrupted) at once.

``together``: calls that StackSets may run at once (operations of one StackSet on different
instances, under ManagedExecution: "non-conflicting operations such as two operations
updating different stack instances" run concurrently, conflicting ones are queued), each in
its own thread, results in the order given; one after another when not ``concurrent``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import TypeVar

from ..core.errors import Interrupted

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def run_graph(
    keys: Iterable[K],
    needs: Mapping[K, Iterable[K]],
    step: Callable[[K], R],
    failed: Callable[[R], bool],
) -> bool:
    """Run ``step`` for every key, each after the keys it ``needs`` (unknown keys ignored);
    True when no step failed. ``keys`` in a dependency order: the order steps are started in
    when several are ready at once."""
    order = list(keys)
    waiting = {key: {n for n in needs.get(key, ()) if n in order and n != key} for key in order}
    done: set[K] = set()
    running: dict[Future, K] = {}
    ok, error = True, None
    pool = ThreadPoolExecutor(max_workers=max(1, len(order)))
    with _interruptible(pool):
        while True:
            if ok and error is None:
                for key in [k for k in order if k not in done and k not in running.values() and waiting[k] <= done]:
                    running[pool.submit(step, key)] = key
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                done.add(running.pop(future))
                try:
                    ok = not failed(future.result()) and ok
                except Interrupted:
                    raise
                except BaseException as raised:  # noqa: BLE001 - raised again once the others have ended
                    error = error or raised
    if error is not None:
        raise error
    return ok


def together(calls: Sequence[Callable[[], R]], concurrent: bool) -> list[R]:
    """Each call's result, in order; concurrently when allowed (and more than one)."""
    if not concurrent or len(calls) < 2:
        return [call() for call in calls]
    pool = ThreadPoolExecutor(max_workers=len(calls))
    with _interruptible(pool):
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


@contextmanager
def _interruptible(pool: ThreadPoolExecutor) -> Iterator[None]:
    """Waits for the pool's threads at the end, but not after Ctrl-C: the threads stop at their
    next step by themselves (no request leaves after it, core/interrupt.py), and the command
    returns at once instead of waiting for a call already on its way."""
    try:
        yield
    except (Interrupted, KeyboardInterrupt):
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
