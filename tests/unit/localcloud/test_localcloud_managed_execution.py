"""ManagedExecution on localcloud as AWS documents it
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ManagedExecution.html):
with Active true, non-conflicting operations of one StackSet run concurrently and
conflicting ones queue (QUEUED, then RUNNING once the one before has finished, in request
order); one drift detection at a time per StackSet (a second one is refused, as
DetectStackSetDrift documents). Without it, a second operation is
refused while one runs. Operations here take LOCALCLOUD_OPERATION_SECONDS each; their times
are read from DescribeStackSetOperation, as a client sees them."""

from __future__ import annotations

import json
import time
import warnings
from datetime import timedelta

import boto3
import pytest

import localcloud

localcloud.install()
from moto import mock_aws  # noqa: E402

SECONDS = 0.6
CLOCKS = timedelta(milliseconds=10)  # the timestamps mix wall and monotonic clocks: microseconds apart
TEMPLATE = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
ACCOUNT = "123456789012"


def _client(managed: bool):
    client = boto3.client("cloudformation", region_name="us-east-1")
    client.create_stack_set(StackSetName="ops", TemplateBody=TEMPLATE, ManagedExecution={"Active": managed})
    return client


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", str(SECONDS))
    monkeypatch.setenv("LOCALCLOUD_PERMISSIONS", "off")  # about operations; the account has no roles
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield


def describe(cfn, operation: str) -> dict:
    return cfn.describe_stack_set_operation(StackSetName="ops", OperationId=operation)["StackSetOperation"]


def settle(cfn, operations: list[str]) -> dict[str, dict]:
    """Each operation's last description, and the statuses it was seen in, polled until done."""
    seen: dict[str, list[str]] = {op: [] for op in operations}
    while True:
        described = {op: describe(cfn, op) for op in operations}
        for op, detail in described.items():
            if not seen[op] or seen[op][-1] != detail["Status"]:
                seen[op].append(detail["Status"])
        if all("EndTimestamp" in d for d in described.values()):
            return {op: {**described[op], "seen": seen[op]} for op in operations}
        time.sleep(0.05)


def create(cfn, region: str) -> str:
    return cfn.create_stack_instances(StackSetName="ops", Accounts=[ACCOUNT], Regions=[region])["OperationId"]


def _started(operation: dict):
    """When it began RUNNING: each runs SECONDS once started."""
    return operation["EndTimestamp"] - timedelta(seconds=SECONDS)


def test_non_conflicting_operations_run_concurrently(environment):
    cfn = _client(managed=True)
    first, second = create(cfn, "us-east-1"), create(cfn, "eu-west-1")  # different instances
    assert describe(cfn, second)["Status"] == "RUNNING"
    done = settle(cfn, [first, second])
    assert _started(done[second]) < done[first]["EndTimestamp"] - CLOCKS
    assert [d["Status"] for d in done.values()] == ["SUCCEEDED", "SUCCEEDED"]


def test_conflicting_operations_queue_in_request_order(environment):
    cfn = _client(managed=True)
    first = create(cfn, "us-east-1")
    second = cfn.update_stack_set(StackSetName="ops", UsePreviousTemplate=True)["OperationId"]  # every instance
    assert describe(cfn, second)["Status"] == "QUEUED"
    done = settle(cfn, [first, second])
    assert done[second]["seen"][:2] == ["QUEUED", "RUNNING"]
    assert _started(done[second]) >= done[first]["EndTimestamp"] - CLOCKS
    summary = cfn.list_stack_instances(StackSetName="ops")["Summaries"]
    assert [(s["Status"], s["LastOperationId"]) for s in summary] == [("CURRENT", second)]


def test_drift_detections_of_one_stackset_never_overlap(environment):
    """DetectStackSetDrift: "You can only run a single drift detection operation on a given
    stack set at one time" (refused even under ManagedExecution); one asked for while an
    update runs queues behind it."""
    cfn = _client(managed=True)
    settle(cfn, [create(cfn, "us-east-1")])
    first = cfn.detect_stack_set_drift(StackSetName="ops")["OperationId"]
    with pytest.raises(cfn.exceptions.OperationInProgressException):
        cfn.detect_stack_set_drift(StackSetName="ops")
    settle(cfn, [first])
    update = cfn.update_stack_set(StackSetName="ops", UsePreviousTemplate=True)["OperationId"]
    detection = cfn.detect_stack_set_drift(StackSetName="ops")["OperationId"]
    assert describe(cfn, detection)["Status"] == "QUEUED"
    done = settle(cfn, [update, detection])
    assert _started(done[detection]) >= done[update]["EndTimestamp"] - CLOCKS


def test_without_managed_execution_a_second_operation_is_refused(environment):
    cfn = _client(managed=False)
    create(cfn, "us-east-1")
    with pytest.raises(cfn.exceptions.OperationInProgressException):
        create(cfn, "eu-west-1")


def test_a_poll_is_answered_while_another_call_is_still_working(environment):
    """DescribeStackSetOperation does not wait for a call that holds the engine (another
    StackSet's CreateStackInstances creating its stacks): on AWS a poll never waits for that."""
    import threading

    from localcloud.stacksets import responses

    cfn = _client(True)
    operation = cfn.create_stack_instances(StackSetName="ops", Accounts=[ACCOUNT], Regions=["us-east-1"])["OperationId"]
    answered: list[str] = []
    with responses._lock:  # another call, still at work
        poll = threading.Thread(target=lambda: answered.append(describe(cfn, operation)["Status"]))
        poll.start()
        poll.join(5)
        while_working = list(answered)
    poll.join()
    assert while_working and while_working[0] in ("RUNNING", "SUCCEEDED")
