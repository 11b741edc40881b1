"""After Ctrl-C the command returns without waiting for its threads (rollout/schedule.py); a thread
still finishing its call must be refused at its next step, after the command has returned too
(restore once cleared STOP, and such a thread sent a new request)."""

from __future__ import annotations

import threading

from cfnops.cli import main as cli_main
from cfnops.core import interrupt
from cfnops.core.errors import ExitCode, Interrupted


def test_a_thread_of_an_interrupted_command_is_refused_after_the_command_returned(monkeypatch):
    finishing, returned, outcome = threading.Event(), threading.Event(), []

    def still_in_its_call():
        finishing.set()
        returned.wait(10)
        try:
            interrupt.refuse_request()  # its next request
            outcome.append("sent")
        except Interrupted:
            outcome.append("refused")

    class InterruptedCommand:  # the click group, interrupted while a thread is in its call
        def main(self, **_):
            threading.Thread(target=still_in_its_call, name="in-its-call").start()
            finishing.wait(10)
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_main, "cli", InterruptedCommand())
    assert cli_main.main(["deploy"]) == ExitCode.INTERRUPTED
    returned.set()
    [thread] = [t for t in threading.enumerate() if t.name == "in-its-call"]
    thread.join(10)
    assert outcome == ["refused"]


def test_the_next_command_starts_clear():
    interrupt.STOP.set()
    previous = interrupt.install()
    try:
        interrupt.check()  # nothing raised: a new command
    finally:
        interrupt.restore(previous)
