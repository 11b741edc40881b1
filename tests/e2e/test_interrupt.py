"""Ctrl-C during a rollout: no operation starts after the signal, the command returns
within 2 seconds with exit 130, naming the operations still running."""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings

import pytest

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
    stopped: list[float] = []  # when STOP was set: by a thread reading the wakeup pipe, or the handler
    handled: list[float] = []  # when the SIGINT handler ran in the main thread (delivery takes a moment)
    original = aws_module.Aws.__init__
    original_set = interrupt.STOP.set

    def set_stop():
        stopped.append(time.monotonic())
        if threading.current_thread() is threading.main_thread():
            handled.append(stopped[-1])
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
    assert stopped and handled and stopped[0] >= signalled[0]
    # from when the handler ran: under CPU load the signal's delivery alone can take a while,
    # and that is the machine's, not cfnops' (a wait that ignored STOP would still take a poll or more)
    assert returned - handled[0] < 2
    assert [name for at, name in calls if at > stopped[0]] == []  # nothing started after Ctrl-C was handled
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("interrupted: nothing new was started; still running in AWS: ")
    assert " CREATE (" in err and err.endswith("run the same command again to wait for them and converge")


class CountingEndpoint:
    """The emulator's side of the wire: every mutating StackSet request it receives, with when;
    at the ``n``-th request of ``action`` it sends SIGINT to this process before answering it.
    ``sent`` is the client's side: when each mutating request passed cfnops' last check before
    it leaves (core/interrupt.refuse_request at before-send; a hook registered after it)."""

    def __init__(self, action: str, n: int):
        self.action, self.n, self.received, self.sent, self.signalled = action, n, [], [], None

    def install(self, monkeypatch) -> None:
        from moto.cloudformation.responses import CloudFormationResponse

        from cfnops.core import aws as aws_module
        from cfnops.core import interrupt

        original_init = aws_module.Aws.__init__

        def record_sent(event_name: str, **_):
            action = event_name.rsplit(".", 1)[-1]
            if action in MUTATING:
                self.sent.append((time.monotonic(), action))

        def init(aws, session=None):
            original_init(aws, session)
            aws.session.events.register_first("before-send", record_sent)  # after refuse_request

        monkeypatch.setattr(aws_module.Aws, "__init__", init)

        original = CloudFormationResponse.call_action
        endpoint = self

        def call_action(response):
            action = response._get_action()
            if action in MUTATING:
                endpoint.received.append((time.monotonic(), action))
                if (
                    endpoint.signalled is None
                    and [a for _, a in endpoint.received].count(endpoint.action) == endpoint.n
                ):
                    endpoint.signalled = float("inf")  # being sent
                    os.kill(os.getpid(), signal.SIGINT)
                    # delivered when cfnops has seen it (its handler, or a check reading the wakeup
                    # pipe): kill() returns before the kernel runs the handler in some thread
                    interrupt.STOP.wait(10)
                    endpoint.signalled = time.monotonic()
            return original(response)

        monkeypatch.setattr(CloudFormationResponse, "call_action", call_action)


@pytest.mark.parametrize(
    "action, n",
    [
        ("CreateStackSet", 1),  # the synchronous first call of a StackSet's two-call creation
        ("CreateStackInstances", 1),  # the second call of it
        ("CreateStackInstances", 2),  # a sibling StackSet of the same level (once slipped through)
        ("UpdateStackInstances", 1),  # the protection step after a creation
    ],
)
def test_ctrl_c_at_a_mutating_step_leaves_no_mutating_request_after_the_signal(
    tmp_path, monkeypatch, capsys, action, n
):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0.5")  # operations run while the next steps are decided
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0.1")
    monkeypatch.setenv("CFNOPS_POLL_MAX_SECONDS", "0.2")
    endpoint = CountingEndpoint(action, n)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        endpoint.install(monkeypatch)
        code = main(["--root", str(project.root), "deploy", "--env", "staging"])
    assert endpoint.signalled, f"the rollout sent no {action} number {n}: {endpoint.received}"
    # no timing here: in-process, the emulator does an instance's whole work inside the call
    # being answered (seconds under load); the test above times the exit during waits
    sent_after = [action for at, action in endpoint.sent if at > endpoint.signalled]
    assert (code, sent_after) == (ExitCode.INTERRUPTED, [])
    # what reaches the endpoint after the signal is only what had passed the check before it, in
    # flight in another thread when the signal came (no process can take back a request on the wire)
    received_after = [action for at, action in endpoint.received if at > endpoint.signalled]
    in_flight = len([1 for at, _ in endpoint.sent if at <= endpoint.signalled]) - (
        len(endpoint.received) - len(received_after)
    )
    assert len(received_after) <= in_flight
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("interrupted: ")
