"""Ctrl-C: once it is pressed, no new operation starts, waits end at once, and the process
says which operations are still running in AWS.

``install`` (cli.main) makes SIGINT set ``STOP`` before it raises KeyboardInterrupt in the
main thread, so that the threads running StackSets see it at their next step: Runner checks
it before starting an operation and while waiting (its sleep wakes up), and every client
(core/aws.py) refuses to send any request once it is set (``refuse_request``). ``RUNNING`` holds
the operations started and not yet finished, for the message.

Python runs a signal's handler in the main thread only when that thread next holds the GIL;
until then the other threads go on and could send a request. So the signal also writes a byte
to a pipe at once, from C (``signal.set_wakeup_fd``), and ``check`` reads that pipe too.
"""

from __future__ import annotations

import os
import signal
import threading

from .errors import Interrupted

STOP = threading.Event()
_running: dict[str, tuple[str, str]] = {}  # operation id -> (StackSet, action)
_lock = threading.Lock()
_wakeup: tuple[int, int] | None = None  # the pipe the signal writes to (read end, write end)


def started(stackset: str, operation_id: str, action: str) -> None:
    with _lock:
        _running[operation_id] = (stackset, action)


def finished(operation_id: str) -> None:
    with _lock:
        _running.pop(operation_id, None)


def _signal_arrived() -> bool:
    """Whether SIGINT reached the process, its Python handler run yet or not."""
    with _lock:
        if _wakeup is not None:
            try:
                arrived = os.read(_wakeup[0], 512)
            except BlockingIOError:
                arrived = b""
            if int(signal.SIGINT) in arrived:
                STOP.set()
    return STOP.is_set()


def check() -> None:
    """Raise Interrupted once Ctrl-C was pressed (called before anything new starts)."""
    if STOP.is_set() or _signal_arrived():
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
    """Reset, and route SIGINT through STOP and the wakeup pipe; returns what ``restore`` puts back."""
    global _wakeup
    STOP.clear()
    with _lock:
        _running.clear()

    def on_interrupt(signum, frame):
        STOP.set()
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return None
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)
    with _lock:
        _wakeup = (read, write)
    return signal.signal(signal.SIGINT, on_interrupt), signal.set_wakeup_fd(write, warn_on_full_buffer=False)


def restore(previous) -> None:
    """The command is over: the previous SIGINT handler and wakeup descriptor. STOP stays as it
    is: after Ctrl-C the command returns without waiting for its threads (schedule.py), and a
    thread still finishing its call must find STOP set at its next step, not a cleared one (it
    sent a new request after the return when this cleared it); ``install`` clears it for the
    next command."""
    global _wakeup
    if previous is not None and threading.current_thread() is threading.main_thread():
        handler, wakeup_fd = previous
        signal.set_wakeup_fd(wakeup_fd)
        signal.signal(signal.SIGINT, handler)
        with _lock:
            if _wakeup is not None:
                os.close(_wakeup[0])
                os.close(_wakeup[1])
            _wakeup = None
