"""Template ``loan-processing``: the seed's properties, data residency, per environment."""

from __future__ import annotations

import json

import boto3
import pytest

import localcloud
from cfnops.build import render
from cfnops.core.errors import InputError
from cfnops.inputs import params
from localcloud.cloudformation.template_rules import failed_assertions
from tests.conftest import PLATFORM, props, ref, resources_of_type
from tests.support import security_groups

localcloud.install()
from moto import mock_aws  # noqa: E402  (after the patches)

RESIDENCY = "loan-processing holds EU customer data: deploy it to EU regions only"


@pytest.fixture(scope="module")
def loans(templates):
    return templates["loan-processing"]


def attributes(load_balancer) -> dict:
    return {a["Key"]: a["Value"] for a in load_balancer["LoadBalancerAttributes"]}


def test_https_only_with_tls_1_3_and_a_redirect(loans):
    https = props(loans, "HttpsListener")
    assert (https["Protocol"], https["Port"], https["SslPolicy"]) == (
        "HTTPS",
        443,
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
    )
    redirect = props(loans, "HttpRedirectListener")["DefaultActions"][0]
    assert redirect["RedirectConfig"] == {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}


def test_access_logs_go_to_an_sse_s3_bucket_that_moves_to_glacier_after_90_days(loans):
    balancer = loans["Resources"]["LoadBalancer"]
    assert (
        attributes(balancer["Properties"]).items()
        >= {"access_logs.s3.enabled": "true", "access_logs.s3.prefix": "loan-api"}.items()
    )
    assert attributes(balancer["Properties"])["access_logs.s3.bucket"] == ref("AccessLogBucket")
    assert balancer["DependsOn"] == ["AccessLogBucketPolicy"]  # ELB checks its write access when logs are enabled
    bucket = loans["Resources"]["AccessLogBucket"]
    encryption = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    rule = bucket["Properties"]["LifecycleConfiguration"]["Rules"][0]
    assert rule["Transitions"] == [{"StorageClass": "GLACIER", "TransitionInDays": 90}]
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")
    reasons = bucket["Metadata"]["SuppressionReasons"]
    assert set(bucket["Metadata"]["cfn-lint"]["config"]["ignore_checks"]) == {"E9002"} and "SSE-S3" in reasons["E9002"]


def test_only_the_regional_elb_account_may_write_and_only_under_the_prefix(loans):
    statements = props(loans, "AccessLogBucketPolicy")["PolicyDocument"]["Statement"]
    write = next(s for s in statements if s["Sid"] == "LoadBalancerAccessLogs")
    assert write["Action"] == ["s3:PutObject"]
    assert write["Resource"] == [
        {
            "Fn::Sub": [
                "${Arn}/loan-api/AWSLogs/${AWS::AccountId}/*",
                {"Arn": {"Fn::GetAtt": ["AccessLogBucket", "Arn"]}},
            ]
        }
    ]
    assert loans["Mappings"]["ElbLogDeliveryAccounts"]["eu-west-1"] == {"Account": "156460612806"}
    tls = next(s for s in statements if s["Sid"] == "TlsOnly")
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_autoscaling_2_to_10_tasks_on_cpu_70_and_memory_80(loans):
    target = props(loans, "ServiceScalableTarget")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 10)
    policies = {
        p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]: p[
            "TargetTrackingScalingPolicyConfiguration"
        ]["TargetValue"]
        for p in (
            r["Properties"] for r in resources_of_type(loans, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
        )
    }
    assert policies == {"ECSServiceAverageCPUUtilization": 70, "ECSServiceAverageMemoryUtilization": 80}
    assert props(loans, "Service")["DesiredCount"] == 2


def test_aurora_mysql_serverless_v2_with_iam_auth_backups_logs_and_cmk(loans):
    cluster = loans["Resources"]["DatabaseCluster"]
    settings = cluster["Properties"]
    assert settings["Engine"] == "aurora-mysql" and settings["EngineVersion"].startswith("8.0.mysql_aurora.3.")
    assert settings["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4}
    assert settings["EnableIAMDatabaseAuthentication"] is True and settings["BackupRetentionPeriod"] == 7
    assert settings["EnableCloudwatchLogsExports"] == ["audit", "error", "general", "slowquery"]
    assert (settings["StorageEncrypted"], settings["KmsKeyId"]) == (True, ref("DataKey"))
    assert (cluster["DeletionPolicy"], cluster["UpdateReplacePolicy"]) == ("Snapshot", "Snapshot")
    group = props(loans, "DatabaseClusterParameterGroup")
    assert group["Family"] == "aurora-mysql8.0"
    assert (
        group["Parameters"]["server_audit_logging"] == "1" and group["Parameters"]["require_secure_transport"] == "ON"
    )
    instances = resources_of_type(loans, "AWS::RDS::DBInstance")
    assert {i["Properties"]["DBInstanceClass"] for i in instances.values()} == {"db.serverless"}
    assert {i["Properties"]["Engine"] for i in instances.values()} == {"aurora-mysql"}


def test_the_service_signs_in_to_mysql_with_iam(loans):
    statement = props(loans, "ServiceRole")["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert statement["Action"] == ["rds-db:connect"]
    assert statement["Resource"][0]["Fn::Sub"][0].endswith(":dbuser:${ClusterId}/loan_app")


def test_logs_are_kept_365_days_including_the_database_exports(loans):
    groups = resources_of_type(loans, "AWS::Logs::LogGroup")
    assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {365}
    assert all(g["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]} for g in groups.values())
    exported = {
        g["Properties"]["LogGroupName"]["Fn::Sub"].rsplit("/", 1)[1]: title
        for title, g in groups.items()
        if g["Properties"]["LogGroupName"]["Fn::Sub"].startswith(
            "/aws/rds/cluster/${Environment}-${AWS::Region}-aurora-"
        )
    }
    assert set(exported) == {"audit", "error", "general", "slowquery"}
    assert sorted(loans["Resources"]["DatabaseCluster"]["DependsOn"]) == sorted(
        exported.values()
    )  # before RDS makes them


def test_compliance_tags_on_everything_tagged(loans):
    tagged = {
        name: r["Properties"]["Tags"] for name, r in loans["Resources"].items() if "Tags" in r.get("Properties", {})
    }
    assert len(tagged) > 20
    for name, tags in tagged.items():
        keys = {t["Key"]: t["Value"] for t in tags}
        assert keys["ComplianceLevel"] == ref("ComplianceLevel") and {"Environment", "CostCenter"} <= set(keys), name
    assert loans["Metadata"]["cfnops"]["RequiredTags"] == ["ComplianceLevel"]  # and the lint gate enforces it


def test_the_template_refuses_non_eu_regions(loans):
    assertion = loans["Rules"]["AllowedRegions"]["Assertions"][0]
    assert assertion["AssertDescription"] == RESIDENCY
    assert failed_assertions(loans, {}, "123456789012", "eu-west-1") == []
    for region in ("us-east-1", "us-west-2", "ap-southeast-1"):
        assert failed_assertions(loans, {}, "123456789012", region) == [RESIDENCY]


def test_a_stack_in_a_us_region_fails_before_any_resource(project, templates):
    """What happens if the StackSet check were bypassed: CloudFormation (here localcloud) refuses."""
    values = params.resolve_deployed(project, "staging", templates).plain("loan-processing", "eu-west-1")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="templates")  # over TemplateBody's 51,200 bytes: it goes by URL
        s3.put_object(Bucket="templates", Key="loans.json", Body=json.dumps(templates["loan-processing"]).encode())
        client = boto3.client("cloudformation", region_name="us-east-1")
        with pytest.raises(client.exceptions.ClientError, match=RESIDENCY):
            client.create_stack(
                StackName="loans",
                TemplateURL="https://templates.s3.amazonaws.com/loans.json",
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
                Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            )
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["templates"]
        assert (
            boto3.client("ec2", region_name="us-east-1").describe_vpcs(
                Filters=[{"Name": "isDefault", "Values": ["false"]}]
            )["Vpcs"]
            == []
        )


def test_a_stackset_definition_with_a_us_region_is_refused_before_any_aws_call(tmp_project):
    path = tmp_project.root / "stacksets" / "loan-processing.yaml"
    path.write_text(path.read_text().replace("regions: [eu-west-1]", "regions: [eu-west-1, us-east-1]"))
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, "staging", render.read_generated(tmp_project))
    assert raised.value.problems == [
        "stacksets/loan-processing.yaml: regions: template loan-processing may only deploy to "
        f"{', '.join(PLATFORM.residency['EU'])}, got us-east-1"
    ]


def test_eu_only_values_are_not_checked_against_us_regions(project, templates):
    resolved = params.resolve_deployed(project, "prod", templates)
    assert list(resolved.values["loan-processing"]) == ["eu-west-1"]
    assert (
        resolved.values["loan-processing"]["eu-west-1"]["CertificateArn"].key
        == "templates.loan-processing.CertificateArn"
    )


@pytest.mark.parametrize(
    "environment, cpu, memory, instances, protection",
    [
        ("dev", "512", "1024", "1", "false"),
        ("staging", "1024", "2048", "1", "true"),
        ("prod", "2048", "4096", "2", "true"),
    ],
)
def test_values_per_environment(project, templates, environment, cpu, memory, instances, protection):
    values = params.resolve_deployed(project, environment, templates).plain("loan-processing", "eu-west-1")
    assert (values["TaskCpu"], values["TaskMemory"], values["DbInstanceCount"]) == (cpu, memory, instances)
    assert (values["DbDeletionProtection"], values["ComplianceLevel"]) == (protection, "high")


def test_targets_are_health_checked_every_30_seconds(loans, templates):
    group = loans["Resources"]["TargetGroup"]["Properties"]
    assert group["HealthCheckIntervalSeconds"] == 30
    assert group["HealthCheckPath"] == "/health" and group["HealthCheckEnabled"] is True
    assert group.get("HealthCheckTimeoutSeconds", 5) < group["HealthCheckIntervalSeconds"]
    # the scoring service of fraud-detection keeps its own 15 s
    assert templates["fraud-detection"]["Resources"]["TargetGroup"]["Properties"]["HealthCheckIntervalSeconds"] == 15


def test_load_balancer_is_internet_facing_in_the_public_subnets_and_the_service_stays_private(loans):
    balancer = loans["Resources"]["LoadBalancer"]["Properties"]
    assert balancer["Scheme"] == "internet-facing"
    three = [ref(f"PublicSubnet{n}") for n in (1, 2, 3)]
    assert balancer["Subnets"] == {"Fn::If": ["ThreeAzs", three, three[:2]]}
    assert balancer["SecurityGroups"] == [ref("PublicLoadBalancerSecurityGroup")]
    service = props(loans, "Service")["NetworkConfiguration"]["AwsvpcConfiguration"]
    private = [ref(f"PrivateSubnet{n}") for n in (1, 2, 3)]
    assert service["Subnets"] == {"Fn::If": ["ThreeAzs", private, private[:2]]}
    assert service["AssignPublicIp"] == "DISABLED"
    assert all(
        props(loans, f"{tier}Subnet{n}")["VpcId"] == ref("Vpc")
        for tier in ("Public", "Private", "Data")
        for n in (1, 2, 3)
    )


def test_only_the_load_balancer_admits_443_and_80_from_the_internet(loans):
    group, service_group = ref("PublicLoadBalancerSecurityGroup"), ref("ServiceSecurityGroup")
    ingress = security_groups.rules(loans, "ingress")
    open_rules = [(group, rule) for group, rule in ingress if rule.get("CidrIp") == "0.0.0.0/0"]
    assert sorted((r["FromPort"], r["ToPort"]) for _, r in open_rules) == [(80, 80), (443, 443)]
    assert all(name == group["Ref"] for name, _ in open_rules)
    assert [(r["SourceSecurityGroupId"], r["FromPort"]) for g, r in ingress if g == "ServiceSecurityGroup"] == [
        (group, 8080)
    ]
    egress = security_groups.rules(loans, "egress")
    assert [(r["FromPort"], r["DestinationSecurityGroupId"]) for g, r in egress if g == group["Ref"]] == [
        (8080, service_group)
    ]
    service = props(loans, "Service")["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert service["SecurityGroups"] == [service_group]
    # no rule of this stack changes a group of another stack (the network's)
    for kind in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
        assert all("Ref" in r["Properties"]["GroupId"] for r in resources_of_type(loans, kind).values())


def test_waf_web_acl_with_managed_rule_groups_and_a_rate_limit_is_associated_with_the_load_balancer(loans):
    acl = props(loans, "WebAcl")
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    managed = [
        r["Statement"]["ManagedRuleGroupStatement"]
        for r in acl["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    ]
    assert [(m["VendorName"], m["Name"]) for m in managed] == [
        ("AWS", "AWSManagedRulesCommonRuleSet"),
        ("AWS", "AWSManagedRulesKnownBadInputsRuleSet"),
        ("AWS", "AWSManagedRulesSQLiRuleSet"),
    ]
    assert all(
        r["OverrideAction"] == {"None": {}} for r in acl["Rules"] if "ManagedRuleGroupStatement" in r["Statement"]
    )
    (rate,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Action"] == {"Block": {}} and rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert len({r["Priority"] for r in acl["Rules"]}) == len(acl["Rules"]) == 4
    association = props(loans, "WebAclAssociation")
    assert association == {"ResourceArn": ref("LoadBalancer"), "WebACLArn": {"Fn::GetAtt": ["WebAcl", "Arn"]}}


def test_waf_logs_to_a_cmk_encrypted_aws_waf_logs_group(loans):
    group = loans["Resources"]["WebAclLogGroup"]
    name = group["Properties"]["LogGroupName"]["Fn::Sub"]
    assert name.startswith("aws-waf-logs-")  # WAF refuses any other name
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert group["Properties"]["RetentionInDays"] == 365 and group["DeletionPolicy"] == "RetainExceptOnCreate"
    logging = loans["Resources"]["WebAclLogging"]
    assert logging["Properties"]["ResourceArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}
    (destination,) = logging["Properties"]["LogDestinationConfigs"]
    # the log group's ARN without the ":*" of its Arn attribute, which WAF refuses
    assert destination["Fn::Sub"].endswith(":log-group:" + name) and logging["DependsOn"] == ["WebAclLogGroup"]
