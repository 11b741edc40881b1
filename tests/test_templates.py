"""Fine-grained assertions on what matters in the templates."""

import ipaddress
import json

import pytest

from cfnops import params
from templates_src.components.compute import TLS12_POLICY
from templates_src.components.network import subnet_cidrs
from templates_src.conventions import ENVIRONMENTS, REGIONS, STANDARD_TAG_KEYS

from .conftest import resources_of_type

KEEP = ("RetainExceptOnCreate", "Retain")  # deletion, replacement
STATEFUL = {
    "AWS::RDS::DBCluster": ("Snapshot", "Snapshot"),
    "AWS::DynamoDB::Table": KEEP,
    "AWS::DynamoDB::GlobalTable": KEEP,
    "AWS::KMS::Key": KEEP,
    "AWS::Logs::LogGroup": KEEP,
    "AWS::SecretsManager::Secret": KEEP,
    "AWS::S3::Bucket": KEEP,
}


@pytest.fixture(scope="module")
def fraud(templates):
    return templates["fraud-detection"]


@pytest.fixture(scope="module")
def network(templates):
    return templates["network"]


def ref(name):
    return {"Ref": name}


def test_https_listener_uses_a_tls12_plus_policy_and_the_certificate_parameter(fraud):
    listener = fraud["Resources"]["HttpsListener"]["Properties"]
    assert listener["Protocol"] == "HTTPS" and listener["Port"] == 443
    assert listener["SslPolicy"] == TLS12_POLICY == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listener["Certificates"] == [{"CertificateArn": ref("CertificateArn")}]


def test_http_listener_only_redirects_to_https(fraud):
    action = fraud["Resources"]["HttpRedirectListener"]["Properties"]["DefaultActions"]
    assert action == [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]


def test_load_balancer_is_internal(fraud):
    assert fraud["Resources"]["LoadBalancer"]["Properties"]["Scheme"] == "internal"


def test_aurora_is_encrypted_with_the_cmk_and_protected(fraud):
    cluster = fraud["Resources"]["DatabaseCluster"]
    props = cluster["Properties"]
    assert props["StorageEncrypted"] is True and props["KmsKeyId"] == ref("DataKey")
    assert props["EnableIAMDatabaseAuthentication"] is True
    assert props["DeletionProtection"] == ref("DbDeletionProtection")
    assert props["BackupRetentionPeriod"] >= 7
    assert cluster["DeletionPolicy"] == cluster["UpdateReplacePolicy"] == "Snapshot"
    assert fraud["Resources"]["DataKey"]["Properties"]["EnableKeyRotation"] is True


def test_database_credentials_come_from_secrets_manager_and_rotate(fraud):
    props = fraud["Resources"]["DatabaseCluster"]["Properties"]
    assert props["MasterUserPassword"] == {"Fn::Sub": "{{resolve:secretsmanager:${DatabaseSecret}:SecretString:password}}"}
    assert not any("Password" in name or "Secret" in name for name in fraud["Parameters"])
    rotation = fraud["Resources"]["DatabaseSecretRotation"]["Properties"]
    assert rotation["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert rotation["HostedRotationLambda"]["RotationType"] == "PostgreSQLSingleUser"
    assert fraud["Transform"] == "AWS::SecretsManager-2020-07-23"


def test_instance_count_and_class_come_from_parameters(fraud):
    instances = resources_of_type(fraud, "AWS::RDS::DBInstance")
    assert sorted(instances) == ["DatabaseInstance1", "DatabaseInstance2", "DatabaseInstance3"]
    assert all(i["Properties"]["DBInstanceClass"] == ref("DbInstanceClass") for i in instances.values())
    assert "Condition" not in instances["DatabaseInstance1"]
    assert fraud["Conditions"]["DatabaseInstance2Enabled"] == {"Fn::Not": [{"Fn::Equals": [ref("DbInstanceCount"), "1"]}]}


def test_every_data_store_is_encrypted_with_the_data_cmk(fraud):
    key = {"Fn::GetAtt": ["DataKey", "Arn"]}
    table = fraud["Resources"]["FraudRulesTable"]["Properties"]
    assert table["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": ref("DataKey")}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert fraud["Resources"]["AlertTopic"]["Properties"]["KmsMasterKeyId"] == ref("DataKey")
    assert fraud["Resources"]["DatabaseSecret"]["Properties"]["KmsKeyId"] == ref("DataKey")
    for group in resources_of_type(fraud, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["KmsKeyId"] == key


def test_global_table_only_in_the_primary_region_when_enabled(fraud):
    assert fraud["Conditions"]["CreateGlobalTable"] == {
        "Fn::And": [{"Condition": "UseGlobalTable"}, {"Condition": "IsPrimaryRegion"}]
    }
    assert fraud["Conditions"]["IsPrimaryRegion"] == {"Fn::Equals": [ref("AWS::Region"), "us-east-1"]}
    global_table = fraud["Resources"]["FraudRulesGlobalTable"]
    assert global_table["Condition"] == "CreateGlobalTable"
    assert [r["Region"] for r in global_table["Properties"]["Replicas"]] == list(REGIONS)
    for replica in global_table["Properties"]["Replicas"]:
        alias = replica["SSESpecification"]["KMSMasterKeyId"]["Fn::Sub"]
        assert alias == f"alias/${{Environment}}-{replica['Region']}-fraud-data"
    assert fraud["Resources"]["FraudRulesTable"]["Condition"] == "UseRegionalTable"


@pytest.mark.parametrize("name", ["network", "fraud-detection", "stackset-roles"])
def test_stateful_resources_keep_their_data(templates, name):
    for logical_id, resource in templates[name]["Resources"].items():
        if resource["Type"] in STATEFUL:
            assert (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy")) == STATEFUL[resource["Type"]], logical_id


def test_iam_roles_are_named_per_environment_and_region(fraud, network):
    for template in (fraud, network):
        for logical_id, role in resources_of_type(template, "AWS::IAM::Role").items():
            name = role["Properties"]["RoleName"]["Fn::Sub"]
            assert name.startswith("${Environment}-${AWS::Region}-role-"), logical_id
            assert len(name.replace("${Environment}", "staging").replace("${AWS::Region}", "eu-west-1")) <= 64


def test_each_iam_mode_is_a_superset_of_the_one_before(fraud):
    def actions(mode_policy):
        statements = fraud["Resources"][mode_policy]["Properties"]["PolicyDocument"]["Statement"]
        return {a for s in statements for a in s["Action"]}

    read, write, full = actions("IamReadOnlyPolicy"), actions("IamLimitedWritePolicy"), actions("IamFullAccessPolicy")
    assert "dynamodb:PutItem" not in read and "dynamodb:DeleteItem" not in read
    assert read < write and "dynamodb:PutItem" in write and "dynamodb:DeleteItem" not in write
    assert write < full and {"dynamodb:DeleteItem", "logs:PutLogEvents"} <= full
    assert not any("*" in a for a in read | write | full)
    assert fraud["Resources"]["AuditLogGroup"]["Condition"] == "IamFullAccess"
    assert fraud["Resources"]["AuditLogGroup"]["Properties"]["RetentionInDays"] == 365


def test_alarms_use_per_environment_threshold_parameters(fraud):
    alarms = fraud["Resources"]
    assert alarms["Target5xxAlarm"]["Properties"]["Threshold"] == ref("ErrorThreshold")
    assert alarms["LatencyAlarm"]["Properties"]["Threshold"] == ref("LatencyThresholdMs")
    assert alarms["LatencyAlarm"]["Properties"]["Metrics"][0]["Expression"] == "p99 * 1000"
    assert alarms["ServiceCpuAlarm"]["Properties"]["Threshold"] == ref("CpuAlarmThreshold")
    for alarm in resources_of_type(fraud, "AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [ref("AlertTopic")]


@pytest.mark.parametrize(
    "environment, errors, latency_ms, db_class, db_count, iam_mode",
    [
        ("dev", "10", "5000", "db.t4g.medium", "1", "read-only"),
        ("staging", "5", "3000", "db.r6g.large", "1", "limited-write"),
        ("prod", "3", "2000", "db.r6g.large", "2", "full-access"),
    ],
)
def test_seed_values_per_environment(project, templates, environment, errors, latency_ms, db_class, db_count, iam_mode):
    resolved = params.resolve_deployed(project, environment, templates)
    for region in REGIONS:
        values = resolved.plain("fraud-detection", region)
        assert (values["ErrorThreshold"], values["LatencyThresholdMs"]) == (errors, latency_ms)
        assert (values["DbInstanceClass"], values["DbInstanceCount"], values["IamMode"]) == (db_class, db_count, iam_mode)
        assert values["Environment"] == environment
        assert f":acm:{region}:" in values["CertificateArn"] and f".ecr.{region}." in values["ContainerImage"]


def test_prod_network_is_highly_available(project, templates):
    values = params.resolve_deployed(project, "prod", templates).plain("network", "eu-west-1")
    assert (values["AzCount"], values["HighlyAvailableNat"]) == ("3", "true")


def test_ecs_service_has_container_insights_autoscaling_and_health_checks(fraud):
    resources = fraud["Resources"]
    assert resources["Cluster"]["Properties"]["ClusterSettings"] == [{"Name": "containerInsights", "Value": "enabled"}]
    task = resources["TaskDefinition"]["Properties"]
    assert (task["Cpu"], task["Memory"], task["RequiresCompatibilities"]) == (ref("TaskCpu"), ref("TaskMemory"), ["FARGATE"])
    assert task["ContainerDefinitions"][0]["LogConfiguration"]["LogDriver"] == "awslogs"
    assert resources["ServiceLogGroup"]["Properties"]["RetentionInDays"] == ref("LogRetentionDays")
    assert resources["TargetGroup"]["Properties"]["HealthCheckPath"] == "/health"
    target = resources["ServiceScalableTarget"]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (ref("MinTasks"), ref("MaxTasks"))
    policy = resources["ServiceCpuScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert policy["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert resources["Service"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"


def test_dashboard_shows_service_database_and_table(fraud):
    body = fraud["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"][0]
    namespaces = {metric[0] for widget in json.loads(body)["widgets"] for metric in widget["properties"]["metrics"] if metric[0] != "."}
    assert {"AWS/ECS", "AWS/ApplicationELB", "AWS/RDS", "AWS/DynamoDB"} <= namespaces


@pytest.mark.parametrize("name", ["network", "fraud-detection"])
def test_every_tagged_resource_carries_the_standard_tags(templates, name):
    for logical_id, resource in templates[name]["Resources"].items():
        tags = resource.get("Properties", {}).get("Tags")
        if isinstance(tags, list):
            assert set(STANDARD_TAG_KEYS) <= {t["Key"] for t in tags}, logical_id


def test_vpc_cidrs_never_overlap_across_environments_and_regions():
    vpcs = [ipaddress.ip_network(subnet_cidrs(env, region)[0]) for env in ENVIRONMENTS for region in REGIONS]
    assert all(not a.overlaps(b) for i, a in enumerate(vpcs) for b in vpcs[i + 1:])
    for env in ENVIRONMENTS:
        for region in REGIONS:
            vpc, *subnets = map(ipaddress.ip_network, subnet_cidrs(env, region))
            assert len(subnets) == 9 and all(s.subnet_of(vpc) for s in subnets)
            assert all(not a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1:])


def test_network_nat_follows_high_availability(network):
    resources, conditions = network["Resources"], network["Conditions"]
    assert "Condition" not in resources["NatGateway1"]
    assert resources["NatGateway2"]["Condition"] == "NatGateway2"
    assert conditions["NatGateway3"] == {"Fn::And": [{"Condition": "HighlyAvailableNat"}, {"Condition": "ThreeAzs"}]}
    route2 = resources["PrivateDefaultRoute2"]["Properties"]["NatGatewayId"]
    assert route2 == {"Fn::If": ["HighlyAvailableNat", ref("NatGateway2"), ref("NatGateway1")]}
    assert resources["PrivateSubnet3"]["Condition"] == "ThreeAzs"


def test_network_flow_logs_go_to_an_encrypted_log_group(network):
    flow = network["Resources"]["VpcFlowLog"]["Properties"]
    assert flow["LogDestinationType"] == "cloud-watch-logs" and flow["TrafficType"] == "ALL"
    group = network["Resources"]["FlowLogGroup"]["Properties"]
    assert group["KmsKeyId"] == {"Fn::GetAtt": ["FlowLogKey", "Arn"]}
    assert group["RetentionInDays"] == ref("FlowLogRetentionDays")


def test_network_exports_are_named_per_environment(network):
    for name, output in network["Outputs"].items():
        assert output["Export"]["Name"] == {"Fn::Sub": f"${{Environment}}-network-{name}"}
    assert {"VpcId", "PrivateSubnetIds", "DataSubnetIds", "ApplicationSecurityGroupId"} <= set(network["Outputs"])


def test_data_subnets_have_no_route_to_the_internet(network):
    routes = resources_of_type(network, "AWS::EC2::Route").values()
    tables = {r["Properties"]["RouteTableId"]["Ref"] for r in routes}
    assert not any(table.startswith("Data") for table in tables)


NAME_PROPERTIES = ("RoleName", "TopicName", "QueueName", "AlarmName", "FunctionName", "LogGroupName", "DBClusterIdentifier",
                   "TableName", "AliasName", "ClusterName", "ServiceName", "Family", "DashboardName", "BucketName", "Name",
                   "PolicyName", "RotationLambdaName")


def test_no_two_resources_of_the_platform_share_a_physical_name(templates):
    """Every template runs in the same account and region: a shared name is a collision
    (or worse, as with SNS topics, a silent takeover)."""
    seen: dict[tuple, str] = {}
    for name, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            for prop in NAME_PROPERTIES:
                value = resource.get("Properties", {}).get(prop)
                if isinstance(value, dict) and "Fn::Sub" in value and resource["Type"] != "AWS::IAM::Policy":
                    key = (resource["Type"], json.dumps(value, sort_keys=True))
                    assert key not in seen, f"{name}/{logical_id} and {seen[key]} share {prop} {value}"
                    seen[key] = f"{name}/{logical_id}"


def test_rotation_functions_reach_their_database_and_secrets_manager_from_the_data_subnets(templates, network):
    endpoint = network["Resources"]["SecretsManagerEndpoint"]["Properties"]
    assert endpoint["ServiceName"] == {"Fn::Sub": "com.amazonaws.${AWS::Region}.secretsmanager"}
    assert endpoint["PrivateDnsEnabled"] is True and endpoint["VpcEndpointType"] == "Interface"
    subnets = json.dumps(endpoint["SubnetIds"])
    assert "DataSubnet" in subnets and "PrivateSubnet" not in subnets and "PublicSubnet" not in subnets
    ingress = {(r["Properties"]["GroupId"]["Ref"], r["Properties"]["FromPort"], r["Properties"].get("SourceSecurityGroupId", {}).get("Ref"))
               for r in resources_of_type(network, "AWS::EC2::SecurityGroupIngress").values()}
    assert {("DatabaseSecurityGroup", 5432, "RotationSecurityGroup"), ("DatabaseSecurityGroup", 3306, "RotationSecurityGroup"),
            ("EndpointSecurityGroup", 443, None)} <= ingress
    for name in ("fraud-detection", "payments", "data-pipeline", "loan-processing"):
        rotation = templates[name]["Resources"]["DatabaseSecretRotation"]["Properties"]["HostedRotationLambda"]
        assert rotation["VpcSecurityGroupIds"] == {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-RotationSecurityGroupId"}}, name
