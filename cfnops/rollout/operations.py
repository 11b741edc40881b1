"""Start StackSet operations and wait for them.

botocore has no waiters for StackSet operations: this is the one loop. It polls
DescribeStackSetOperation (one call per poll) with exponential backoff, capped at
``max_poll`` seconds (1.5 by default, CFNOPS_POLL_MAX_SECONDS to change it: with the call's
own time, the end of an operation is seen within 2 s of its EndTimestamp) and shortened by up to ``jitter`` at
random so that concurrent waits do not poll in step, up to a configurable timeout. Only an
operation still running after ``long_after`` (10 minutes) backs off further, up to
``long_poll`` (30 s).

Call budget per operation: at most one DescribeStackSetOperation every 1.2 s for its first
10 minutes (<= 500 calls), then one every 24-30 s, plus one ListStackSetOperationResults
page per 100 instances at the end. AWS publishes no per-action rate for CloudFormation's
read APIs (throttling answers with ``Throttling``, which botocore's standard retry mode backs
off from, core/aws.py); a rollout's concurrent waits (one per StackSet of a level, 8 on this
platform) stay under 7 calls a second for the account. When the operation has ended it
reads every instance's result once (ListStackSetOperationResults), so that a failed
instance is reported with its StatusReason even when the operation SUCCEEDED under
failure tolerance. A call refused with OperationInProgressException waits for the running
operation, then starts again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from ..awsfacts import statuses as aws_status  # AWS's status vocabulary
from ..core import interrupt
from ..core.aws import error_code
from ..core.errors import OperationFailedError
from ..core.protocols import CloudFormationClient, Progress

DONE = (aws_status.Operation.SUCCEEDED, aws_status.Operation.FAILED, aws_status.Operation.STOPPED)
MIN_RETRY_SECONDS = 0.5
ACTIVE = (aws_status.Operation.RUNNING, aws_status.Operation.QUEUED, aws_status.Operation.STOPPING)


@dataclass(frozen=True)
class WaitSettings:
    timeout: float = 3600.0
    first_poll: float = 2.0
    max_poll: float = 1.5  # the end of an operation is seen within this many seconds
    long_after: float = 600.0  # an operation still running after this long ...
    long_poll: float = 30.0  # ... is polled at most this often
    backoff: float = 1.5
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: float = 0.2  # each sleep is shortened by up to this fraction, at random
    random: Callable[[], float] = random.random

    def cap(self, elapsed: float) -> float:
        """The longest sleep between two polls of an operation waited for ``elapsed`` seconds."""
        return max(self.max_poll, self.long_poll) if elapsed >= self.long_after else self.max_poll

    def pause(self, delay: float, elapsed: float = 0.0) -> float:
        """The sleep before the next poll: never longer than the cap."""
        return min(delay, self.cap(elapsed)) * (1 - self.jitter * self.random())


@dataclass(frozen=True)
class InstanceResult:
    account: str
    region: str
    status: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    stackset: str
    operation_id: str
    action: str
    status: str
    reason: str
    results: tuple[InstanceResult, ...]
    polls: int
    seconds: float
    drift_details: dict = field(default_factory=dict)  # StackSetDriftDetectionDetails, for DETECT_DRIFT

    @property
    def failed(self) -> tuple[InstanceResult, ...]:
        return tuple(r for r in self.results if r.status in (aws_status.Result.FAILED, aws_status.Result.CANCELLED))

    @property
    def succeeded(self) -> bool:
        """The operation as a whole (each instance's result is in ``results``)."""
        return self.status == aws_status.Operation.SUCCEEDED


class Runner:
    """Runs operations on one client, reporting to ``progress`` (see progress.py)."""

    def __init__(self, client: CloudFormationClient, progress: Progress, settings: WaitSettings):
        self.client, self.progress, self.settings = client, progress, settings

    def _sleep(self, seconds: float) -> None:
        """The configured sleep; the real one ends at once on Ctrl-C."""
        if self.settings.sleep is time.sleep:
            interrupt.sleep(seconds)
        else:
            self.settings.sleep(seconds)
            interrupt.check()

    def start(self, stackset: str, action: str, call: Callable[[], dict], operation_id: str = "") -> Outcome:
        """Start an operation (waiting out any other one first) and wait for it. ``operation_id``
        is the fresh OperationId the call sends: refused as existing, it is our own request that
        reached CloudFormation on an attempt whose answer was lost (botocore retries a call with
        the same arguments), so it is waited for, not started again."""
        deadline = self.settings.clock() + self.settings.timeout
        while True:
            interrupt.check()  # after Ctrl-C nothing new starts
            try:
                operation_id = call()["OperationId"]
                break
            except ClientError as error:
                if error_code(error) == "OperationIdAlreadyExistsException" and operation_id:
                    self.progress.note(
                        stackset, f"operation {operation_id} was started by a retried request; waiting for it"
                    )
                    break
                if error_code(error) != "OperationInProgressException":
                    raise
                running = self.running_operation(stackset)
                self.progress.note(stackset, f"another operation is running ({running or 'unknown'}); waiting for it")
                if running:
                    self.wait(stackset, running, "OTHER")
                elif self.settings.clock() > deadline:
                    raise OperationFailedError(f"{stackset}: still busy after {self.settings.timeout:.0f}s") from None
                else:  # refused, but the running operation is not listed yet: look again shortly
                    self._sleep(max(self.settings.first_poll, MIN_RETRY_SECONDS))
        return self.wait(stackset, operation_id, action)

    def running_operation(self, stackset: str) -> str | None:
        for page in self.client.get_paginator("list_stack_set_operations").paginate(StackSetName=stackset):
            for summary in page["Summaries"]:
                if summary["Status"] in ACTIVE:
                    return summary["OperationId"]
        return None

    def wait(self, stackset: str, operation_id: str, action: str) -> Outcome:
        settings = self.settings
        started = settings.clock()
        delay, polls = settings.first_poll, 0
        interrupt.started(stackset, operation_id, action)
        self.progress.started(stackset, operation_id, action)
        while True:
            interrupt.check()
            operation = self.client.describe_stack_set_operation(StackSetName=stackset, OperationId=operation_id)[
                "StackSetOperation"
            ]
            polls += 1
            status = operation["Status"]
            if status in DONE:
                break
            if settings.clock() - started + delay >= settings.timeout:
                raise OperationFailedError(
                    f"{stackset}: operation {operation_id} still {status} after {settings.timeout:.0f}s; "
                    "it keeps running in AWS: run deploy again to wait for it and go on"
                )
            elapsed = settings.clock() - started
            self._sleep(settings.pause(delay, elapsed))
            delay = min(settings.cap(elapsed), delay * settings.backoff)
        interrupt.finished(operation_id)
        results = self.results(stackset, operation_id)
        outcome = Outcome(
            stackset,
            operation_id,
            operation.get("Action", action),
            status,
            operation.get("StatusReason", ""),
            results,
            polls,
            settings.clock() - started,
            operation.get("StackSetDriftDetectionDetails", {}),
        )
        self.progress.instances(stackset, results)
        self.progress.finished(outcome)
        return outcome

    def results(self, stackset: str, operation_id: str) -> tuple[InstanceResult, ...]:
        found = []
        paginator = self.client.get_paginator("list_stack_set_operation_results")
        for page in paginator.paginate(StackSetName=stackset, OperationId=operation_id):
            for summary in page["Summaries"]:
                found.append(
                    InstanceResult(
                        summary.get("Account", ""),
                        summary.get("Region", ""),
                        summary.get("Status", ""),
                        summary.get("StatusReason", ""),
                    )
                )
        return tuple(found)
