"""When a StackSet was last deployed, and which drift it is still worth showing.

The last deploy is the newest EndTimestamp of its operations other than drift detection
(ListStackSetOperations, read to the last page: a StackSet with many drift detections
can push its last deploy past the first page). No time when an operation is still queued or running (the state is moving) or
when none ever ended (never deployed): then no saved drift report counts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..awsfacts import statuses as aws_status
from ..drift.detect import DriftReport, StackSetDrift

UNSETTLED = (aws_status.Operation.RUNNING, aws_status.Operation.QUEUED, aws_status.Operation.STOPPING)
NOT_A_DEPLOY = aws_status.OperationAction.DETECT_DRIFT


def last_deploy(client, stackset_name: str) -> datetime | None:
    pages = client.get_paginator("list_stack_set_operations").paginate(StackSetName=stackset_name)
    summaries = [summary for page in pages for summary in page.get("Summaries", [])]
    if any(s.get("Status") in UNSETTLED for s in summaries):
        return None
    ended = [s["EndTimestamp"] for s in summaries if s.get("Action") != NOT_A_DEPLOY and s.get("EndTimestamp")]
    return max(ended) if ended else None


def report_time(report: DriftReport) -> datetime:
    return datetime.strptime(report.finished, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def newer_drift(client_for, plans, report: DriftReport) -> dict[str, StackSetDrift]:
    """StackSet name -> its drift in ``report``, for the planned StackSets the report
    detected successfully after their last deploy. ``client_for(spec)``: the CloudFormation
    client of its administrator region."""
    detected = {s.name: s for s in report.stacksets if s.detection_status == aws_status.Operation.SUCCEEDED}
    finished, found = report_time(report), {}
    for plan in plans:
        if not plan.actual.exists or plan.name not in detected:
            continue
        deployed = last_deploy(client_for(plan.desired.spec), plan.name)
        if deployed is not None and deployed < finished:
            found[plan.name] = detected[plan.name]
    return found
