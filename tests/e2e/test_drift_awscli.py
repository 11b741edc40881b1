"""AWS's documented drift workflow, run with the AWS CLI (a client nobody here wrote) against
the localcloud server after a real rollout (the mini platform's prod): shapes, statuses,
one detection at a time, the drift APIs without NOT_CHECKED records, DriftInformation on
stacks and resources, --logical-resource-ids, and a bad NextToken as a ValidationError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import fixture_platforms
from tests.support.server import localcloud_server

BIN = Path(sys.executable).parent
STACKSET = "audit-logs-prod"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The localcloud server, and the mini platform's prod rolled out on it through the CLI."""
    root = fixture_platforms.copy(fixture_platforms.MINI, tmp_path_factory.mktemp("awscli"))
    environment = {**os.environ, "LOCALCLOUD_OPERATION_SECONDS": "12"}  # a CLI call takes a second or more
    with localcloud_server(root.parent / "env", environment) as exports:
        environment = {**environment, **exports, "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""}
        for arguments in (["render"], ["bootstrap", "--env", "prod"], ["deploy", "--env", "prod"]):
            done = subprocess.run(
                [str(BIN / "cfnops"), "--root", str(root), *arguments], env=environment, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
        yield environment


def aws(environment: dict, *arguments: str, ok: bool = True) -> dict | str:
    done = subprocess.run(
        [str(BIN / "aws"), "cloudformation", *arguments, "--output", "json"],
        env=environment,
        capture_output=True,
        text=True,
    )
    if not ok:
        assert done.returncode != 0
        return done.stderr
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def wait(environment: dict, operation_id: str) -> dict:
    for _ in range(100):
        operation = aws(
            environment, "describe-stack-set-operation", "--stack-set-name", STACKSET, "--operation-id", operation_id
        )
        if operation["StackSetOperation"]["Status"] not in ("RUNNING", "QUEUED"):
            return operation["StackSetOperation"]
        time.sleep(0.2)
    raise AssertionError("the drift detection did not end")


def test_the_documented_stackset_drift_workflow(server):
    started = aws(server, "detect-stack-set-drift", "--stack-set-name", STACKSET)
    running = aws(
        server, "describe-stack-set-operation", "--stack-set-name", STACKSET, "--operation-id", started["OperationId"]
    )
    details = running["StackSetOperation"]["StackSetDriftDetectionDetails"]
    assert (running["StackSetOperation"]["Action"], details["DriftDetectionStatus"]) == ("DETECT_DRIFT", "IN_PROGRESS")
    # one drift detection at a time, and DescribeStackSet does not show a running one
    refused = aws(server, "detect-stack-set-drift", "--stack-set-name", STACKSET, ok=False)
    assert "OperationInProgressException" in refused
    assert (
        "StackSetDriftDetectionDetails"
        not in aws(server, "describe-stack-set", "--stack-set-name", STACKSET)["StackSet"]
    )
    done = wait(server, started["OperationId"])
    assert (done["Status"], done["StackSetDriftDetectionDetails"]["DriftDetectionStatus"]) == ("SUCCEEDED", "COMPLETED")
    assert done["StackSetDriftDetectionDetails"]["InProgressStackInstancesCount"] == 0
    shown = aws(server, "describe-stack-set", "--stack-set-name", STACKSET)["StackSet"]["StackSetDriftDetectionDetails"]
    assert shown["DriftStatus"] == "IN_SYNC"
    instances = aws(
        server, "list-stack-instances", "--stack-set-name", STACKSET, "--filters", "Name=DRIFT_STATUS,Values=IN_SYNC"
    )["Summaries"]
    assert {i["DriftStatus"] for i in instances} == {"IN_SYNC"} and instances
    first = instances[0]
    drifts = aws(
        server,
        "list-stack-instance-resource-drifts",
        "--stack-set-name",
        STACKSET,
        "--stack-instance-account",
        first["Account"],
        "--stack-instance-region",
        first["Region"],
        "--operation-id",
        started["OperationId"],
        "--stack-instance-resource-drift-statuses",
        "IN_SYNC",
        "NOT_CHECKED",
    )["Summaries"]
    assert drifts and {d["StackResourceDriftStatus"] for d in drifts} == {"IN_SYNC"}  # never NOT_CHECKED
    bad = aws(
        server,
        "list-stack-instance-resource-drifts",
        "--stack-set-name",
        STACKSET,
        "--stack-instance-account",
        first["Account"],
        "--stack-instance-region",
        first["Region"],
        "--operation-id",
        started["OperationId"],
        "--next-token",
        "not-a-token",
        ok=False,
    )
    assert "ValidationError" in bad and "Invalid NextToken" in bad


def test_the_documented_stack_drift_workflow(server):
    instance = aws(server, "list-stack-instances", "--stack-set-name", STACKSET)["Summaries"][0]
    stack, region = instance["StackId"], instance["Region"]
    resources = aws(server, "list-stack-resources", "--stack-name", stack, "--region", region)["StackResourceSummaries"]
    logical_id = resources[0]["LogicalResourceId"]
    detection = aws(
        server, "detect-stack-drift", "--stack-name", stack, "--logical-resource-ids", logical_id, "--region", region
    )
    status = aws(
        server,
        "describe-stack-drift-detection-status",
        "--stack-drift-detection-id",
        detection["StackDriftDetectionId"],
        "--region",
        region,
    )
    assert (status["DetectionStatus"], status["StackDriftStatus"]) == ("DETECTION_COMPLETE", "IN_SYNC")
    drifts = aws(server, "describe-stack-resource-drifts", "--stack-name", stack, "--region", region)
    assert [d["LogicalResourceId"] for d in drifts["StackResourceDrifts"]] == [logical_id]  # only the one asked for
    record = drifts["StackResourceDrifts"][0]
    assert isinstance(json.loads(record["ExpectedProperties"]), dict) and isinstance(
        json.loads(record["ActualProperties"]), dict
    )
    [described] = aws(server, "describe-stacks", "--stack-name", stack, "--region", region)["Stacks"]
    assert described["DriftInformation"]["StackDriftStatus"] == "IN_SYNC"
    listed = aws(server, "list-stack-resources", "--stack-name", stack, "--region", region)["StackResourceSummaries"]
    assert {r["LogicalResourceId"]: r["DriftInformation"]["StackResourceDriftStatus"] for r in listed}[logical_id] == (
        "IN_SYNC"
    )
