"""Drift end to end on localcloud across three regions: in sync, one out-of-band change in
one region, a deleted resource, a reverted change, ignore rules, and the call budget."""

from __future__ import annotations

import io
import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.awsfacts import drift_support
from cfnops.cli.main import main
from cfnops.cli.progress import PlainProgress
from cfnops.core.aws import Aws
from cfnops.core.errors import ExitCode
from cfnops.drift import detect as drift
from cfnops.drift.outside import Readers
from cfnops.reports import json_report
from cfnops.rollout.pipeline import prepare
from localcloud.drift.coverage import CANNOT_READ
from tests.conftest import ROOT
from tests.support.rollout import FAST, STACKSET_REGIONS, Run, copy_project, do_bootstrap, edit

localcloud.install()
from moto import mock_aws  # noqa: E402

FLOW_LOGS = "/staging/us-west-2/vpc-flow-logs"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """One staging rollout shared by the tests below (each restores what it changes)."""
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path_factory.mktemp("drift"))
        do_bootstrap(project)
        Run(project)
        yield project


def detect(project, rules=()) -> tuple[drift.DriftReport, Aws]:
    """As `cfnops drift` does: CloudFormation's drift, then the instance stacks read (readers)."""
    aws = Aws()
    specs = prepare(project, "staging", run_lint=False).specs
    readers = Readers(aws, aws.account_id("us-east-1"))
    progress = PlainProgress(io.StringIO())
    return drift.detect_all(aws, specs, "staging", progress, FAST, tuple(rules), readers), aws


def retention(days: int) -> None:
    boto3.client("logs", region_name="us-west-2").put_retention_policy(logGroupName=FLOW_LOGS, retentionInDays=days)


def test_in_sync_everywhere(deployed):
    report, aws = detect(deployed)
    assert report.status == "IN_SYNC"
    assert {(s.name, i.region): i.status for s in report.stacksets for i in s.instances} == {
        (f"{name}-staging", region): "IN_SYNC" for name, regions in STACKSET_REGIONS.items() for region in regions
    }
    assert aws.calls["cloudformation:DetectStackSetDrift"] == len(STACKSET_REGIONS)  # one per StackSet
    assert aws.calls["cloudformation:ListStackInstanceResourceDrifts"] == 0  # nothing drifted: no resource reads


def test_one_change_in_one_region_drifts_exactly_that_instance(deployed):
    retention(7)
    try:
        report, aws = detect(deployed)
    finally:
        retention(90)
    assert report.status == "DRIFTED"
    drifted = [(s.name, i.region) for s in report.stacksets for i in s.instances if i.status == "DRIFTED"]
    assert drifted == [("network-staging", "us-west-2")]
    [resource] = [r for s in report.stacksets for i in s.instances for r in i.resources if r.status == "MODIFIED"]
    assert (resource.logical_id, resource.physical_id, resource.resource_type) == (
        "FlowLogGroup",
        FLOW_LOGS,
        "AWS::Logs::LogGroup",
    )
    assert [(d.path, d.expected, d.actual, d.difference_type) for d in resource.differences] == [
        ("/RetentionInDays", "90", "7", "NOT_EQUAL")
    ]
    assert aws.calls["cloudformation:ListStackInstanceResourceDrifts"] == 1  # only the drifted instance is read
    network = next(s for s in report.stacksets if s.name == "network-staging")
    assert dict(network.counts) == {"Total": 3, "Drifted": 1, "InSync": 2, "InProgress": 0, "Failed": 0}
    # the network's gateways, routes and flow logs are read: NOT_CHECKED only what localcloud cannot read
    # or CloudFormation does not check
    not_checked = {r.resource_type for i in network.instances for r in i.resources if r.status == "NOT_CHECKED"}
    assert all(kind in CANNOT_READ or not drift_support.checked(kind) for kind in not_checked), not_checked


def test_cli_exits_2_when_drifted_and_0_after_the_revert(deployed, capsys, monkeypatch):
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    retention(14)
    assert (
        main(["--root", str(deployed.root), "drift", "--env", "staging", "--format", "json"])
        == ExitCode.DIFFERENCES
        == 2
    )
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == json_report.SCHEMA and document["status"] == "DRIFTED"
    retention(90)
    assert main(["--root", str(deployed.root), "drift", "--env", "staging"]) == ExitCode.OK
    assert "drift of staging: IN_SYNC" in capsys.readouterr().out
    assert (deployed.root / "reports" / "drift-staging-latest.html").exists()


SERVICE_LOGS = "/staging/eu-west-1/fraud-api"


def test_a_deleted_resource_is_deleted(deployed):
    """A log group deleted by hand (nothing else of the stack lives inside it: a topic would take
    its subscriptions with it, as SNS does) is DELETED, and only it."""
    logs = boto3.client("logs", region_name="eu-west-1")
    [group] = logs.describe_log_groups(logGroupNamePrefix=SERVICE_LOGS)["logGroups"]
    tags = logs.list_tags_log_group(logGroupName=SERVICE_LOGS)["tags"]  # compared too: put back with the group
    logs.delete_log_group(logGroupName=SERVICE_LOGS)
    try:
        report, _ = detect(deployed)
    finally:
        logs.create_log_group(logGroupName=SERVICE_LOGS, kmsKeyId=group["kmsKeyId"], tags=tags)
        logs.put_retention_policy(logGroupName=SERVICE_LOGS, retentionInDays=group["retentionInDays"])
    [resource] = [r for s in report.stacksets for i in s.instances for r in i.resources if r.status == "DELETED"]
    assert (resource.logical_id, resource.resource_type) == ("ServiceLogGroup", "AWS::Logs::LogGroup")
    assert [(s.name, i.region) for s in report.stacksets for i in s.instances if i.status == "DRIFTED"] == [
        ("fraud-detection-staging", "eu-west-1")
    ]


ROLE = "staging-us-west-2-role-vpc-flow-logs"


def assert_none_ignored_then_in_sync_after_revert(report, deployed, monkeypatch, capsys) -> None:
    """No shipped ignore rule hid any of the out-of-band changes; once they are reverted, the CLI
    (with the shipped rules) finds the environment in sync."""
    assert all(
        not d.ignored_because for s in report.stacksets for i in s.instances for r in i.resources for d in r.differences
    )
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    arguments = [
        "--root",
        str(deployed.root),
        "drift",
        "--env",
        "staging",
        "--ignore-file",
        str(ROOT / "drift-ignore.yaml"),
    ]
    assert main([*arguments, "--html-dir", str(deployed.root / "html")]) == ExitCode.OK
    assert "drift of staging: IN_SYNC" in capsys.readouterr().out


def trust_policy() -> dict:
    document = boto3.client("iam").get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def set_trust(document: dict) -> None:
    boto3.client("iam").update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(document))


def shipped_rules():
    return drift.load_ignore_rules(ROOT / "drift-ignore.yaml", "drift-ignore.yaml")


def test_an_equivalent_trust_policy_is_ignored_shown_and_the_rule_used(deployed):
    """IAM's own form of the same trust policy (scalar Action, scalar Service): hidden by the
    shipped iam-policy rule, shown with its reason, the rule listed with what it hid."""
    original = trust_policy()
    statement = original["Statement"][0]
    set_trust(
        {
            **original,
            "Statement": {
                **statement,
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            },
        }
    )
    try:
        report, _ = detect(deployed, shipped_rules())
    finally:
        set_trust(original)
    assert report.status == "IN_SYNC"
    [instance] = [i for s in report.stacksets for i in s.instances if i.reported_status == "DRIFTED"]
    [difference] = [d for r in instance.resources for d in r.differences]
    assert difference.path == "/AssumeRolePolicyDocument" and difference.ignored_because.startswith(
        "IAM keeps policy documents"
    )
    uses = {rule.property: hid for rule, hid in drift.rule_uses(report)}
    assert len(uses["AssumeRolePolicyDocument"]) == 1 and uses["Tags"] == []  # the tag rule was unused


def test_plain_stack_drift_apis(deployed):
    cfn = boto3.client("cloudformation", region_name="us-west-2")
    [stack] = [
        s["StackName"]
        for s in cfn.describe_stacks()["Stacks"]
        if s["StackName"].startswith("StackSet-network-staging-")
    ]
    retention(60)
    try:
        detection = cfn.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
        status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
        drifts = cfn.describe_stack_resource_drifts(StackName=stack, StackResourceDriftStatusFilters=["MODIFIED"])[
            "StackResourceDrifts"
        ]
        single = cfn.detect_stack_resource_drift(StackName=stack, LogicalResourceId="Vpc")["StackResourceDrift"]
    finally:
        retention(90)
    assert (status["StackDriftStatus"], status["DetectionStatus"], status["DriftedStackResourceCount"]) == (
        "DRIFTED",
        "DETECTION_COMPLETE",
        1,
    )
    assert [(d["LogicalResourceId"], d["PropertyDifferences"][0]["ActualValue"]) for d in drifts] == [
        ("FlowLogGroup", "60")
    ]
    assert json.loads(drifts[0]["ExpectedProperties"])["RetentionInDays"] == 90
    assert single["StackResourceDriftStatus"] == "IN_SYNC"


def flow_log_retention() -> int:
    [group] = boto3.client("logs", region_name="us-west-2").describe_log_groups(logGroupNamePrefix=FLOW_LOGS)[
        "logGroups"
    ]
    return group["retentionInDays"]


def test_a_parameter_change_keeps_every_resource_and_drift_works_after_it(deployed):
    """FlowLogRetentionDays 90 -> 30: the update kept FlowLogGroup and set its retention
    (it used to drop the group from the stack, and every later drift detection failed)."""
    parameters = deployed.parameter_path("staging")
    edit(parameters, "FlowLogRetentionDays: 90", "FlowLogRetentionDays: 30")
    try:
        run = Run(deployed, only=("network",))
        report, _ = detect(deployed)
        retention_after = flow_log_retention()
    finally:
        edit(parameters, "FlowLogRetentionDays: 30", "FlowLogRetentionDays: 90")
        Run(deployed, only=("network",))
    assert run.failures == []
    assert retention_after == 30
    assert report.status == "IN_SYNC"


def test_a_cost_centre_change_retags_everything_in_place(deployed):
    """CostCenter is a tag on every resource: every StackSet updates in every region, every
    resource keeps its physical id, and drift (exports included) works afterwards."""
    cfn = boto3.client("cloudformation", region_name="eu-west-1")
    stacks = [s["StackName"] for s in cfn.describe_stacks()["Stacks"] if s["StackName"].startswith("StackSet-")]
    before = {name: physical_ids(cfn, name) for name in stacks}
    parameters = deployed.parameter_path("staging")
    edit(parameters, "CostCenter: CC-1002", "CostCenter: CC-2002")
    try:
        run = Run(deployed)
        assert run.failures == []
        after = {name: physical_ids(cfn, name) for name in stacks}
        report, _ = detect(deployed)
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        retagged = ec2.describe_vpcs(Filters=[{"Name": "tag:CostCenter", "Values": ["CC-2002"]}])["Vpcs"]
        ours = ec2.describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": ["staging"]}])["Vpcs"]
    finally:
        edit(parameters, "CostCenter: CC-2002", "CostCenter: CC-1002")
        Run(deployed)
    assert run.failures == []
    assert after == before
    assert report.status == "IN_SYNC"
    # every VPC of the environment there (the platform network's, loan-processing's own) by its new tag
    assert ours and sorted(v["VpcId"] for v in retagged) == sorted(v["VpcId"] for v in ours)


def physical_ids(cfn, stack: str) -> dict[str, str]:
    return {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]
    }


# --- out of band, as a person in the console would ----------------------------------------

REGION = "us-west-2"


def physical(template: str, logical_id: str) -> str:
    cfn = boto3.client("cloudformation", region_name=REGION)
    [stack] = [
        s["StackName"]
        for s in cfn.describe_stacks()["Stacks"]
        if s["StackName"].startswith(f"StackSet-{template}-staging-")
    ]
    return cfn.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)["StackResourceDetail"][
        "PhysicalResourceId"
    ]


class OutOfBand:
    """Eight changes made with plain boto3, each undone by revert()."""

    def __init__(self):
        self.ec2, self.ddb = boto3.client("ec2", region_name=REGION), boto3.client("dynamodb", region_name=REGION)
        self.s3, self.iam = boto3.client("s3", region_name=REGION), boto3.client("iam")
        self.kms, self.functions = boto3.client("kms", region_name=REGION), boto3.client("lambda", region_name=REGION)
        self.group = physical("network", "LoadBalancerSecurityGroup")
        self.table, self.streamed = (
            physical("fraud-agent", "PatternsTable"),
            physical("fraud-agent", "TransactionsTable"),
        )
        self.bucket, self.key = physical("fraud-agent", "ModelsBucket"), physical("fraud-agent", "DataKey")
        self.policy_role, self.trust_role = (
            physical("fraud-agent", "ProcessorRole"),
            physical("fraud-agent", "AlertHandlerRole"),
        )
        self.function = physical("fraud-agent", "AlertHandlerFunction")
        self.block = self.s3.get_public_access_block(Bucket=self.bucket)["PublicAccessBlockConfiguration"]
        self.view = self.ddb.describe_table(TableName=self.streamed)["Table"]["StreamSpecification"]["StreamViewType"]
        self.inline = self.iam.get_role_policy(RoleName=self.policy_role, PolicyName="fraud-agent-processor")[
            "PolicyDocument"
        ]
        self.trust = self.iam.get_role(RoleName=self.trust_role)["Role"]["AssumeRolePolicyDocument"]
        self.memory = self.functions.get_function_configuration(FunctionName=self.function)["MemorySize"]

    def apply(self) -> None:
        ssh = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        self.ec2.authorize_security_group_ingress(GroupId=self.group, IpPermissions=ssh)
        self.ddb.update_continuous_backups(
            TableName=self.table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
        )
        self.ddb.update_table(TableName=self.streamed, StreamSpecification={"StreamEnabled": False})
        self.s3.delete_public_access_block(Bucket=self.bucket)
        everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        self.iam.put_role_policy(
            RoleName=self.policy_role, PolicyName="fraud-agent-processor", PolicyDocument=json.dumps(everything)
        )
        backdoor = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}
            ],
        }
        self.iam.update_assume_role_policy(RoleName=self.trust_role, PolicyDocument=json.dumps(backdoor))
        self.kms.disable_key(KeyId=self.key)
        self.functions.update_function_configuration(FunctionName=self.function, MemorySize=self.memory * 2)

    def revert(self) -> None:
        ssh = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        self.ec2.revoke_security_group_ingress(GroupId=self.group, IpPermissions=ssh)
        self.ddb.update_continuous_backups(
            TableName=self.table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        self.ddb.update_table(
            TableName=self.streamed, StreamSpecification={"StreamEnabled": True, "StreamViewType": self.view}
        )
        self.s3.put_public_access_block(Bucket=self.bucket, PublicAccessBlockConfiguration=self.block)
        document = lambda value: value if isinstance(value, str) else json.dumps(value)  # noqa: E731
        self.iam.put_role_policy(
            RoleName=self.policy_role, PolicyName="fraud-agent-processor", PolicyDocument=document(self.inline)
        )
        self.iam.update_assume_role_policy(RoleName=self.trust_role, PolicyDocument=document(self.trust))
        self.kms.enable_key(KeyId=self.key)
        self.functions.update_function_configuration(FunctionName=self.function, MemorySize=self.memory)


def found(report, logical_id: str) -> list[drift.PropertyDifference]:
    [resource] = [
        r
        for s in report.stacksets
        for i in s.instances
        if i.region == REGION
        for r in i.resources
        if r.logical_id == logical_id
    ]
    assert resource.status == "MODIFIED"
    return list(resource.differences)


def detected_while(changes, deployed):
    """Drift (shipped ignore rules) with ``changes`` made by hand, which are reverted after."""
    changes.apply()
    try:
        return detect(deployed, shipped_rules())[0]
    finally:
        changes.revert()


def test_every_out_of_band_change_is_found_with_its_property_and_none_is_ignored(deployed, capsys, monkeypatch):
    changes = OutOfBand()
    report = detected_while(changes, deployed)
    [ssh] = found(report, "LoadBalancerSecurityGroup")
    assert (ssh.path.startswith("/SecurityGroupIngress/"), ssh.difference_type) == (True, "ADD")
    assert json.loads(ssh.actual) == {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
    assert [(d.path, d.expected, d.actual) for d in found(report, "PatternsTable")] == [
        ("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled", "true", "false")
    ]
    assert [(d.path, d.actual, d.difference_type) for d in found(report, "TransactionsTable")] == [
        ("/StreamSpecification", "null", "REMOVE")
    ]
    assert [(d.path, d.actual, d.difference_type) for d in found(report, "ModelsBucket")] == [
        ("/PublicAccessBlockConfiguration", "null", "REMOVE")
    ]
    [inline] = found(report, "ProcessorRole")
    assert inline.path == "/Policies" and '"Action":"*"' in inline.actual and not inline.ignored_because
    [trust] = found(report, "AlertHandlerRole")
    assert trust.path == "/AssumeRolePolicyDocument" and "999999999999" in trust.actual and not trust.ignored_because
    assert [(d.path, d.expected, d.actual) for d in found(report, "DataKey")] == [("/Enabled", "true", "false")]
    memory = str(changes.memory)
    assert [(d.path, d.expected, d.actual) for d in found(report, "AlertHandlerFunction")] == [
        ("/MemorySize", memory, str(changes.memory * 2))
    ]
    assert_none_ignored_then_in_sync_after_revert(report, deployed, monkeypatch, capsys)


def test_a_resource_that_exists_but_cannot_be_read_is_not_checked_with_the_reason(deployed):
    report, _ = detect(deployed)
    assert report.status == "IN_SYNC"
    from moto.cloudformation.models import cloudformation_backends

    from localcloud.drift.engine import detect_stack

    [stack] = [
        s
        for s in cloudformation_backends["123456789012"][REGION].stacks.values()
        if s.name.startswith("StackSet-fraud-agent-staging-")
    ]
    records = detect_stack(stack)
    unread = [d for d in records if d.resource_type in CANNOT_READ]
    assert unread, "fraud-agent has resources of a type localcloud cannot read"
    for record in unread:
        assert record.status == "NOT_CHECKED", record.logical_id
        assert record.reason.startswith(
            f"localcloud cannot read {record.resource_type} ({CANNOT_READ[record.resource_type]}"
        )
    reasons = {d.logical_id: (d.status, d.reason) for d in records}
    assert reasons["ModelsBucket"] == reasons["ModelsBucketPolicy"] == ("IN_SYNC", "")


class MoreOutOfBand:
    """Changes to streams, queues, topics, log groups, listeners, services and databases,
    made with plain boto3 and undone by revert()."""

    def __init__(self):
        client = lambda name: boto3.client(name, region_name=REGION)  # noqa: E731
        self.kinesis, self.sqs, self.sns, self.logs = client("kinesis"), client("sqs"), client("sns"), client("logs")
        self.elbv2, self.ecs, self.rds = client("elbv2"), client("ecs"), client("rds")
        self.stream, self.queue = physical("fraud-agent", "EventsStream"), physical("fraud-agent", "DeadLetterQueue")
        self.topic, self.log_group = (
            physical("fraud-agent", "AlertTopic"),
            physical("fraud-agent", "AlertHandlerLogGroup"),
        )
        self.listener, self.database = (
            physical("fraud-detection", "HttpsListener"),
            physical("data-pipeline", "DatabaseInstance"),
        )
        self.cluster, self.service = physical("fraud-detection", "Cluster"), physical("fraud-detection", "Service")
        self.hours = self.kinesis.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"][
            "RetentionPeriodHours"
        ]
        self.seconds = int(
            self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["MessageRetentionPeriod"])["Attributes"][
                "MessageRetentionPeriod"
            ]
        )
        self.topic_key = self.sns.get_topic_attributes(TopicArn=self.topic)["Attributes"]["KmsMasterKeyId"]
        [group] = self.logs.describe_log_groups(logGroupNamePrefix=self.log_group)["logGroups"]
        self.days, self.log_key = group["retentionInDays"], group["kmsKeyId"]
        [listener] = self.elbv2.describe_listeners(ListenerArns=[self.listener])["Listeners"]
        self.ssl_policy = listener["SslPolicy"]
        [service] = self.ecs.describe_services(cluster=self.cluster, services=[self.service])["services"]
        self.desired = service["desiredCount"]
        [database] = self.rds.describe_db_instances(DBInstanceIdentifier=self.database)["DBInstances"]
        self.backups = database["BackupRetentionPeriod"]

    def apply(self) -> None:
        self.kinesis.increase_stream_retention_period(StreamName=self.stream, RetentionPeriodHours=self.hours * 2)
        self.sqs.set_queue_attributes(QueueUrl=self.queue, Attributes={"MessageRetentionPeriod": "60"})
        self.sns.set_topic_attributes(TopicArn=self.topic, AttributeName="KmsMasterKeyId", AttributeValue="")
        self.logs.put_retention_policy(logGroupName=self.log_group, retentionInDays=1)
        self.logs.disassociate_kms_key(logGroupName=self.log_group)
        self.elbv2.modify_listener(ListenerArn=self.listener, SslPolicy="ELBSecurityPolicy-2016-08")
        self.ecs.update_service(cluster=self.cluster, service=self.service, desiredCount=self.desired + 3)
        self.rds.modify_db_instance(DBInstanceIdentifier=self.database, BackupRetentionPeriod=1, ApplyImmediately=True)

    def revert(self) -> None:
        self.kinesis.decrease_stream_retention_period(StreamName=self.stream, RetentionPeriodHours=self.hours)
        self.sqs.set_queue_attributes(QueueUrl=self.queue, Attributes={"MessageRetentionPeriod": str(self.seconds)})
        self.sns.set_topic_attributes(
            TopicArn=self.topic, AttributeName="KmsMasterKeyId", AttributeValue=self.topic_key
        )
        self.logs.put_retention_policy(logGroupName=self.log_group, retentionInDays=self.days)
        self.logs.associate_kms_key(logGroupName=self.log_group, kmsKeyId=self.log_key)
        self.elbv2.modify_listener(ListenerArn=self.listener, SslPolicy=self.ssl_policy)
        self.ecs.update_service(cluster=self.cluster, service=self.service, desiredCount=self.desired)
        self.rds.modify_db_instance(
            DBInstanceIdentifier=self.database, BackupRetentionPeriod=self.backups, ApplyImmediately=True
        )


def test_streams_queues_topics_log_groups_listeners_services_and_databases_drift_at_property_level(
    deployed, capsys, monkeypatch
):
    changes = MoreOutOfBand()
    report = detected_while(changes, deployed)
    differences = lambda logical_id: [(d.path, d.expected, d.actual) for d in found(report, logical_id)]  # noqa: E731
    assert differences("EventsStream") == [("/RetentionPeriodHours", str(changes.hours), str(changes.hours * 2))]
    assert differences("DeadLetterQueue") == [("/MessageRetentionPeriod", str(changes.seconds), "60")]
    [topic] = found(report, "AlertTopic")
    assert (topic.path, topic.expected, topic.actual, topic.difference_type) == (
        "/KmsMasterKeyId",
        changes.topic_key,
        "null",
        "REMOVE",
    )
    assert [(d.path, d.expected, d.actual, d.difference_type) for d in found(report, "AlertHandlerLogGroup")] == [
        ("/RetentionInDays", str(changes.days), "1", "NOT_EQUAL"),
    ]  # its key disassociated too, which CloudFormation's drift does not compare (KMSKeyId, AWS's drift page)
    assert differences("HttpsListener") == [("/SslPolicy", changes.ssl_policy, "ELBSecurityPolicy-2016-08")]
    assert differences("Service") == [("/DesiredCount", str(changes.desired), str(changes.desired + 3))]
    assert differences("DatabaseInstance") == [("/BackupRetentionPeriod", str(changes.backups), "1")]
    assert_none_ignored_then_in_sync_after_revert(report, deployed, monkeypatch, capsys)
