"""Ctrl-C during a rollout: no operation starts after the signal, the command returns
within 2 seconds with exit 130, naming the operations still running."""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings

import localcloud
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from tests.support.rollout import MUTATING, copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402


def test_ctrl_c_during_a_rollout_starts_nothing_new_and_returns_within_2_seconds(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "3")  # operations stay RUNNING: the threads poll
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0.2")
    monkeypatch.setenv("CFNOPS_POLL_MAX_SECONDS", "0.5")
    from cfnops.core import aws as aws_module
    from cfnops.core import interrupt

    calls: list[tuple[float, str]] = []
    signalled: list[float] = []
    stopped: list[float] = []  # when the SIGINT handler ran (the signal's delivery takes a moment)
    original = aws_module.Aws.__init__
    original_set = interrupt.STOP.set

    def set_stop():
        stopped.append(time.monotonic())
        original_set()

    def record(model, **_):
        if model.name in MUTATING:
            calls.append((time.monotonic(), model.name))

    def init(self, session=None):
        original(self, session)
        self.session.events.register("before-call", record)

    def interrupt_when_level_two_runs():
        deadline = time.monotonic() + 120
        while sum(name == "CreateStackInstances" for _, name in calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        signalled.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        monkeypatch.setattr(aws_module.Aws, "__init__", init)
        monkeypatch.setattr(interrupt.STOP, "set", set_stop)
        threading.Thread(target=interrupt_when_level_two_runs, daemon=True).start()
        code = main(["--root", str(project.root), "deploy", "--env", "staging"])
        returned = time.monotonic()
    assert code == ExitCode.INTERRUPTED == 130
    assert signalled, "the rollout ended before the test could interrupt it"
    assert returned - signalled[0] < 2
    assert stopped and stopped[0] >= signalled[0]
    assert [name for at, name in calls if at > stopped[0]] == []  # nothing started after Ctrl-C was handled
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("interrupted: nothing new was started; still running in AWS: ")
    assert " CREATE (" in err and err.endswith("run the same command again to wait for them and converge")
