"""When rollout steps start (schedule.py): each once what it needs is done, beside unrelated ones;
nothing new after a failure; one step's operations at once only where allowed."""

from __future__ import annotations

import threading
import time

import pytest

from cfnops.rollout import schedule


class Log:
    def __init__(self):
        self.events: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def add(self, what: str, key: str) -> None:
        with self.lock:
            self.events.append((what, key))

    def index(self, what: str, key: str) -> int:
        return self.events.index((what, key))


def test_a_step_starts_when_its_own_dependencies_are_done_not_when_an_unrelated_one_is():
    log, slow_may_end = Log(), threading.Event()

    def step(key: str) -> str:
        log.add("start", key)
        if key == "slow":  # unrelated to "after": it ends only once "after" has started
            assert slow_may_end.wait(5), "'after' waited for the unrelated 'slow' step"
        if key == "after":
            slow_may_end.set()
        log.add("end", key)
        return key

    needs = {"after": ["base"], "slow": []}
    assert schedule.run_graph(["base", "slow", "after"], needs, step, lambda result: False)
    assert log.index("end", "base") < log.index("start", "after")
    assert log.index("start", "after") < log.index("end", "slow")


def test_nothing_new_starts_after_a_failure_and_running_steps_finish():
    log = Log()

    def step(key: str) -> bool:
        log.add("start", key)
        if key == "running":
            time.sleep(0.2)
        log.add("end", key)
        return key == "fails"

    needs = {"later": ["running"]}
    assert not schedule.run_graph(["fails", "running", "later"], needs, step, lambda failed: failed)
    assert ("end", "running") in log.events and ("start", "later") not in log.events


def test_a_step_error_is_raised_once_the_others_have_ended():
    log = Log()

    def step(key: str) -> None:
        if key == "broken":
            raise RuntimeError("boom")
        time.sleep(0.2)
        log.add("end", key)

    with pytest.raises(RuntimeError, match="boom"):
        schedule.run_graph(["broken", "other"], {}, step, lambda result: False)
    assert log.events == [("end", "other")]


def test_together_overlaps_when_concurrent_and_keeps_the_order_of_results():
    both_running = threading.Barrier(2, timeout=5)

    def call(n: int):
        return lambda: (both_running.wait(), n)[1]

    assert schedule.together([call(1), call(2)], concurrent=True) == [1, 2]


def test_together_runs_in_turn_when_not_concurrent():
    log = Log()

    def call(n: str):
        return lambda: (log.add("start", n), time.sleep(0.05), log.add("end", n), n)[-1]

    assert schedule.together([call("a"), call("b")], concurrent=False) == ["a", "b"]
    assert [e for e, _ in log.events] == ["start", "end", "start", "end"]


def test_ctrl_c_in_a_step_is_raised_at_once_without_waiting_for_a_call_on_its_way():
    from cfnops.core.errors import Interrupted

    release = threading.Event()

    def step(key: str) -> None:
        if key == "interrupted":
            raise Interrupted("interrupted")
        release.wait(5)  # a call already sent: it returns when it returns

    started = time.monotonic()
    try:
        with pytest.raises(Interrupted):
            schedule.run_graph(["on its way", "interrupted"], {}, step, lambda result: False)
        assert time.monotonic() - started < 2
    finally:
        release.set()
