"""The drift watch on localcloud, against a real staging rollout: the deployed function's own
settings, drift introduced by hand, the handler run as the schedule would, its metrics, the
alarm on them going to ALARM and its notification delivered to an SQS subscriber of the
environment's drift topic, and every call it made allowed by its deployed role (and only those)."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.awsfacts import policy_eval
from templates_src.components.drift_watch import NAMESPACE
from templates_src.handlers import drift_watch
from tests.support.rollout import Run, copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402

ADMIN_REGION = "us-east-1"
FLOW_LOGS = "/staging/us-west-2/vpc-flow-logs"


class Context:
    """What the handler reads of Lambda's context: plenty of time left."""

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path_factory.mktemp("watch"))
        do_bootstrap(project)
        Run(project)
        yield project


def deployed_function() -> dict:
    functions = boto3.client("lambda", region_name=ADMIN_REGION).list_functions()["Functions"]
    [function] = [f for f in functions if f["FunctionName"].endswith("lambda-drift-watch")]
    return function


def created_resource(function: dict, logical_id: str) -> dict:
    """The resolved properties of a resource of the function's stack, as localcloud created it."""
    from moto.cloudformation.models import cloudformation_backends

    account = function["FunctionArn"].split(":")[4]
    [stack] = [
        s
        for s in cloudformation_backends[account][ADMIN_REGION].stacks.values()
        if s.name.startswith("StackSet-drift-watch-staging-")
    ]
    return stack.resource_map._parsed_resources[logical_id].properties


def role_documents(role_arn: str) -> list[dict]:
    iam = boto3.client("iam", region_name=ADMIN_REGION)
    name = role_arn.rsplit("/", 1)[-1]
    documents = [
        iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        documents.append(
            iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"]
        )
    return [json.loads(d) if isinstance(d, str) else d for d in documents]


def run_watch(monkeypatch, function: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The handler with the deployed function's environment; (results, (action, StackSet) called)."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", ADMIN_REGION)
    for name, value in function["Environment"]["Variables"].items():
        monkeypatch.setenv(name, value)
    calls: list[tuple[str, str]] = []

    def record(model, params, **_):
        calls.append((f"{model.service_model.service_id.lower()}:{model.name}", params.get("StackSetName", "")))

    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-parameter-build", record)
    try:
        return drift_watch.handler({}, Context()), calls
    finally:
        boto3.DEFAULT_SESSION = None


def metric(name: str, **dimensions) -> float | None:
    points = boto3.client("cloudwatch", region_name=ADMIN_REGION).get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime="2000-01-01T00:00:00Z",
        EndTime="2100-01-01T00:00:00Z",
        Period=3600,
        Statistics=["Maximum"],
    )["Datapoints"]
    return max((p["Maximum"] for p in points), default=None)


def subscribed_queue(topic: str) -> str:
    """An SQS queue subscribed to the topic, as an on-call team would, with the queue policy SNS needs."""
    sqs = boto3.client("sqs", region_name=ADMIN_REGION)
    url = sqs.create_queue(QueueName="on-call")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    boto3.client("sns", region_name=ADMIN_REGION).subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return url


def received(url: str) -> list[dict]:
    messages = boto3.client("sqs", region_name=ADMIN_REGION).receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def test_drift_introduced_by_hand_becomes_a_metric_the_alarm_watches_with_least_privilege(deployed, monkeypatch):
    function = deployed_function()
    topics = boto3.client("sns", region_name=ADMIN_REGION).list_topics()["Topics"]
    [topic] = [t["TopicArn"] for t in topics if t["TopicArn"].endswith("sns-drift-alerts")]
    queue = subscribed_queue(topic)
    watched = function["Environment"]["Variables"]["STACKSETS"].split(",")
    assert "network-staging" in watched and "drift-watch-staging" not in watched
    logs = boto3.client("logs", region_name="us-west-2")
    [group] = logs.describe_log_groups(logGroupNamePrefix=FLOW_LOGS)["logGroups"]
    logs.put_retention_policy(logGroupName=FLOW_LOGS, retentionInDays=1)
    results, calls = run_watch(monkeypatch, function)
    assert results["network-staging"]["drifted_resources"] == 1
    assert results["network-staging"]["drifted_instances"] == 1
    assert metric("DriftedResources", Environment="staging", StackSet="network-staging") == 1
    assert metric("DriftedResources", Environment="staging") == 1
    assert metric("DriftedStackInstances", Environment="staging") == 1
    # the environment's alarm watches exactly that metric, went to ALARM on it, and CloudWatch's
    # notification reached the drift topic's subscriber
    [alarm] = boto3.client("cloudwatch", region_name=ADMIN_REGION).describe_alarms(
        AlarmNames=[created_resource(function, "DriftedResourcesAlarm")["AlarmName"]]
    )["MetricAlarms"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Dimensions"]) == (
        NAMESPACE,
        "DriftedResources",
        [{"Name": "Environment", "Value": "staging"}],
    )
    assert (alarm["Threshold"], alarm["ComparisonOperator"], alarm["AlarmActions"], alarm["StateValue"]) == (
        0,
        "GreaterThanThreshold",
        [topic],
        "ALARM",
    )
    [notification] = received(queue)
    assert notification["Subject"] == f'ALARM: "{alarm["AlarmName"]}" in US East (N. Virginia)'
    body = json.loads(notification["Message"])
    assert (body["NewStateValue"], body["OldStateValue"], body["Trigger"]["MetricName"]) == (
        "ALARM",
        "INSUFFICIENT_DATA",
        "DriftedResources",
    )
    # every call the handler made is allowed by its deployed role, on that StackSet only
    documents = role_documents(function["Role"])
    account = function["FunctionArn"].split(":")[4]
    for action, stackset in calls:
        resource = f"arn:aws:cloudformation:{ADMIN_REGION}:{account}:stackset/{stackset}:1" if stackset else "*"
        context = {"cloudwatch:namespace": NAMESPACE}
        assert policy_eval.evaluate(documents, action, resource, context).allowed, (action, resource)
    other = f"arn:aws:cloudformation:{ADMIN_REGION}:{account}:stackset/someone-elses:1"
    assert not policy_eval.evaluate(documents, "cloudformation:DetectStackSetDrift", other).allowed
    assert not policy_eval.evaluate(documents, "cloudformation:UpdateStackSet", resource).allowed
    logs.put_retention_policy(logGroupName=FLOW_LOGS, retentionInDays=group["retentionInDays"])
    results, _ = run_watch(monkeypatch, function)
    assert results["network-staging"]["drifted_resources"] == 0
    # within the same hour the period's Maximum is still 1: the alarm stays in ALARM, no new notification
    assert received(queue) == []
