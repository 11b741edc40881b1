"""Ctrl-C: once it is pressed, no new operation starts, waits end at once, and the process
says which operations are still running in AWS.

``install`` (cli.main) makes SIGINT set ``STOP`` before it raises KeyboardInterrupt in the
main thread, so that the threads running StackSets see it at their next step: Runner checks
it before starting an operation and while waiting (its sleep wakes up), and every client
(core/aws.py) refuses to send any request once it is set (``refuse_request``). ``RUNNING`` holds
the operations started and not yet finished, for the message.
"""

from __future__ import annotations

import signal
import threading

from .errors import Interrupted

STOP = threading.Event()
_running: dict[str, tuple[str, str]] = {}  # operation id -> (StackSet, action)
_lock = threading.Lock()


def started(stackset: str, operation_id: str, action: str) -> None:
    with _lock:
        _running[operation_id] = (stackset, action)


def finished(operation_id: str) -> None:
    with _lock:
        _running.pop(operation_id, None)


def check() -> None:
    """Raise Interrupted once Ctrl-C was pressed (called before anything new starts)."""
    if STOP.is_set():
        raise Interrupted(message())


def refuse_request(**_) -> None:
    """botocore's before-call and before-send hook (core/aws.py): after Ctrl-C no request
    leaves, a call of a two-call step or a botocore retry included, whatever thread makes it."""
    check()


def sleep(seconds: float) -> None:
    """time.sleep that Ctrl-C ends at once."""
    STOP.wait(seconds)
    check()


def message() -> str:
    with _lock:
        running = sorted(_running.items(), key=lambda item: item[1])
    if not running:
        return "interrupted: no operation was running and nothing new was started; run the same command again to go on"
    listed = ", ".join(f"{stackset} {action} ({operation_id})" for operation_id, (stackset, action) in running)
    return (
        f"interrupted: nothing new was started; still running in AWS: {listed}; "
        "run the same command again to wait for them and converge"
    )


def install():
    """Reset, and route SIGINT through STOP; returns the previous handler (for ``restore``)."""
    STOP.clear()
    with _lock:
        _running.clear()

    def on_interrupt(signum, frame):
        STOP.set()
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, on_interrupt)


def restore(previous) -> None:
    """The command is over (its threads have ended): the previous SIGINT handler, STOP clear."""
    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, previous)
    STOP.clear()
    with _lock:
        _running.clear()
