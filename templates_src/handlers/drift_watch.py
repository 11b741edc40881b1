"""The drift watch: on its schedule, DetectStackSetDrift on each of the environment's StackSets
administered in this region, waited for within the invocation, then CloudWatch metrics per
StackSet and for the environment (drifted instances, drifted resources) that the environment's
alarm watches. A StackSet that does not exist here is skipped; one whose drift detection or
other operation is already running is skipped this time (AWS runs one at a time) and says so.

Environment: STACKSETS (comma-separated names), ENVIRONMENT, NAMESPACE.
"""

import json
import os
import time

import boto3

POLL_SECONDS = 10
RESERVE_MS = 30_000  # left for the metrics after the last poll
DRIFTED_RESOURCE_STATUSES = ["MODIFIED", "DELETED"]


def _start(cloudformation, name):
    """The operation id, or None (with why) when the detection cannot start now."""
    try:
        return cloudformation.detect_stack_set_drift(StackSetName=name)["OperationId"], ""
    except cloudformation.exceptions.StackSetNotFoundException:
        return None, "not administered in this region"
    except cloudformation.exceptions.OperationInProgressException:
        return None, "another operation of this StackSet is running; next schedule"


def _wait(cloudformation, name, operation_id, context):
    while context.get_remaining_time_in_millis() > RESERVE_MS + POLL_SECONDS * 1000:
        operation = cloudformation.describe_stack_set_operation(StackSetName=name, OperationId=operation_id)
        status = operation["StackSetOperation"]["Status"]
        if status not in ("RUNNING", "QUEUED", "STOPPING"):
            return status
        time.sleep(POLL_SECONDS)
    return "TIMED_OUT"


def _pages(call, key, **arguments):
    token = None
    while True:
        page = call(**arguments, **({"NextToken": token} if token else {}))
        yield from page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return


def count(cloudformation, name, operation_id):
    """(drifted instances, drifted resources) of a finished detection."""
    instances = [
        i
        for i in _pages(cloudformation.list_stack_instances, "Summaries", StackSetName=name)
        if i.get("DriftStatus") == "DRIFTED"
    ]
    resources = 0
    for instance in instances:
        resources += sum(
            1
            for _ in _pages(
                cloudformation.list_stack_instance_resource_drifts,
                "Summaries",
                StackSetName=name,
                StackInstanceAccount=instance["Account"],
                StackInstanceRegion=instance["Region"],
                OperationId=operation_id,
                StackInstanceResourceDriftStatuses=DRIFTED_RESOURCE_STATUSES,
            )
        )
    return len(instances), resources


def _metrics(dimensions, instances, resources):
    return [
        {"MetricName": "DriftedStackInstances", "Dimensions": dimensions, "Value": instances, "Unit": "Count"},
        {"MetricName": "DriftedResources", "Dimensions": dimensions, "Value": resources, "Unit": "Count"},
    ]


def handler(event, context):
    environment, namespace = os.environ["ENVIRONMENT"], os.environ["NAMESPACE"]
    cloudformation, cloudwatch = boto3.client("cloudformation"), boto3.client("cloudwatch")
    started, results = {}, {}
    for name in filter(None, os.environ["STACKSETS"].split(",")):
        operation_id, why = _start(cloudformation, name)
        if operation_id:
            started[name] = operation_id
        else:
            results[name] = {"skipped": why}
    totals, data = [0, 0], []
    for name, operation_id in started.items():
        status = _wait(cloudformation, name, operation_id, context)
        if status != "SUCCEEDED":
            results[name] = {"operation": operation_id, "status": status}
            continue
        instances, resources = count(cloudformation, name, operation_id)
        totals = [totals[0] + instances, totals[1] + resources]
        dimensions = [{"Name": "Environment", "Value": environment}, {"Name": "StackSet", "Value": name}]
        data += _metrics(dimensions, instances, resources)
        results[name] = {"operation": operation_id, "drifted_instances": instances, "drifted_resources": resources}
    if started and len(data) == 2 * len(started):  # the environment's totals only when every detection finished
        data += _metrics([{"Name": "Environment", "Value": environment}], *totals)
    for start in range(0, len(data), 20):  # PutMetricData takes at most 1000 values; 20 keeps requests small
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start : start + 20])
    print(json.dumps({"environment": environment, "stacksets": results}, sort_keys=True))
    return results
