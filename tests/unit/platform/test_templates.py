"""Fine-grained assertions on what matters in the templates."""

import ipaddress
import json
import re

import awacs.s3
import pytest

from cfnops.core.errors import InputError
from cfnops.inputs import params
from templates_src import policies
from templates_src.components import network as network_component
from templates_src.components.compute import TLS12_POLICY
from templates_src.components.network import subnet_cidrs
from templates_src.conventions import ENVIRONMENTS, REGIONS, STANDARD_TAG_KEYS
from tests.conftest import PLATFORM, resources_of_type
from tests.support import security_groups

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
    assert action == [
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    ]


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


def databases_with_a_master_user(templates):
    """Every Aurora cluster and every standalone RDS instance (a cluster member has no master user)."""
    for name, template in templates.items():
        for kind in ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"):
            for logical_id, resource in resources_of_type(template, kind).items():
                if "DBClusterIdentifier" not in resource["Properties"] or kind == "AWS::RDS::DBCluster":
                    yield name, template, logical_id, resource["Properties"]


def where_writer(props: dict) -> dict:
    """A cluster's properties where it is a writer: a global database's secondary leaves
    the master user out (``If(JoinGlobalCluster, NoValue, value)``)."""

    def pick(value):
        if isinstance(value, dict) and list(value) == ["Fn::If"] and value["Fn::If"][0] == "JoinGlobalCluster":
            return value["Fn::If"][2]
        return value

    return {name: pick(value) for name, value in props.items() if pick(value) != ref("AWS::NoValue")}


def resolved_placements(project, templates):
    """Every template resolved where a StackSet puts it (environment, region, its values there)."""
    from cfnops.build.gate.placements import stack
    from cfnops.build.lint import placements

    return [stack(templates[p.template], p) for p in placements(project, templates)]


def present(one, kind):
    for logical_id, resource in resources_of_type(one.template, kind).items():
        if one.conditions.get(resource.get("Condition"), True):
            yield logical_id, resource


def test_every_master_password_rotates_every_30_days_and_none_under_a_global_database_is_rds_managed(
    project, templates
):
    """RDS manages (and rotates, on a 30-day schedule) every master password except in a global
    database, where the cluster reads it from a secret of ours that a function rotates every 30 days."""
    seen_global = seen_managed = False
    for one in resolved_placements(project, templates):
        schedules = {
            json.dumps(resource["Properties"]["SecretId"], sort_keys=True): resource["Properties"]
            for _, resource in present(one, "AWS::SecretsManager::RotationSchedule")
        }
        sources = {
            r["Properties"]["SourceDBClusterIdentifier"]["Fn::GetAtt"][0]
            for _, r in present(one, "AWS::RDS::GlobalCluster")
        }
        for kind in ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"):
            for logical_id, resource in present(one, kind):
                props = one.resolve(resource["Properties"])
                if "MasterUsername" not in props:
                    continue  # a cluster member, or a global database's secondary
                where = (one.placement.environment, one.placement.region, one.placement.template, logical_id)
                if logical_id in sources:
                    seen_global = True
                    assert props["ManageMasterUserPassword"] is False and "MasterUserSecret" not in props, where
                    secret = re.search(r"resolve:secretsmanager:\$\{(\w+)\}:", json.dumps(resource["Properties"]))
                    assert secret, where
                    attachment = next(
                        n
                        for n, r in present(one, "AWS::SecretsManager::SecretTargetAttachment")
                        if r["Properties"]["SecretId"] == ref(secret.group(1))
                    )
                    rule = schedules[json.dumps(ref(attachment))]
                    function = rule["RotationLambdaARN"]["Fn::GetAtt"][0]
                    assert one.template["Resources"][function]["Type"] == "AWS::Lambda::Function", where
                else:
                    seen_managed = True
                    assert props["ManageMasterUserPassword"] is True and "MasterUserPassword" not in props, where
                    keys = re.findall(
                        r'"KmsKeyId": \{"Ref": "(\w+)"\}', json.dumps(resource["Properties"]["MasterUserSecret"])
                    )
                    assert keys and all(one.template["Resources"][k]["Type"] == "AWS::KMS::Key" for k in keys), where
                    rule = schedules[json.dumps({"Fn::GetAtt": [logical_id, "MasterUserSecret.SecretArn"]})]
                    assert "RotationLambdaARN" not in rule and "HostedRotationLambda" not in rule, where
                assert one.resolve(rule["RotationRules"]) == {"ScheduleExpression": "rate(30 days)"}, where
    assert seen_global and seen_managed


def test_no_template_uses_a_transform(templates):
    for name, template in templates.items():
        assert "Transform" not in template, name
        kinds = {resource["Type"] for resource in template["Resources"].values()}
        assert not kinds & {"AWS::Serverless::Application", "AWS::CloudFormation::Stack"}, name
        assert not any("Password" in parameter or "Secret" in parameter for parameter in template["Parameters"]), name


def where_writing(value):
    """``If(HasMasterUser, value, other)`` (what only a writer cluster has) as the writer sees it."""
    if isinstance(value, dict) and list(value) == ["Fn::If"] and value["Fn::If"][0] == "HasMasterUser":
        return value["Fn::If"][1]
    return value


def unconditional(statements):
    return [where_writing(statement) for statement in statements]


def statements_granting(template, action):
    for logical_id, resource in template["Resources"].items():
        for policy in resource.get("Properties", {}).get("Policies", []) + [resource.get("Properties", {})]:
            for statement in unconditional((policy.get("PolicyDocument") or {}).get("Statement", [])):
                if action in statement["Action"]:
                    yield logical_id, policy["PolicyDocument"], statement


def test_every_reader_of_a_master_secret_may_also_decrypt_it(templates):
    """The secret RDS manages is encrypted with our CMK: GetSecretValue alone would be refused."""
    readers = 0
    for name, template in templates.items():
        if name == "stackset-roles":  # the execution role resolves {{resolve:secretsmanager}} references: not a reader
            continue
        for logical_id, document, statement in statements_granting(template, "secretsmanager:GetSecretValue"):
            [secret] = statement["Resource"]
            for branch in secret_branches(secret):  # RDS's secret, or a global database's own
                if "Ref" in branch:
                    key = template["Resources"][branch["Ref"]]["Properties"]["KmsKeyId"]["Ref"]
                else:
                    assert branch["Fn::GetAtt"][1] == "MasterUserSecret.SecretArn", (name, logical_id)
                    database = where_writer(template["Resources"][branch["Fn::GetAtt"][0]]["Properties"])
                    key = re.search(r'"KmsKeyId": \{"Ref": "(\w+)"\}', json.dumps(database["MasterUserSecret"])).group(
                        1
                    )
                key_arn = {"Fn::GetAtt": [key, "Arn"]}
                assert any(
                    "kms:Decrypt" in s["Action"] and key_arn in s["Resource"]
                    for s in unconditional(document["Statement"])
                ), (name, logical_id)
            readers += 1
    assert readers == 3  # fraud-detection's two writing IamMode policies and its rotation function


def secret_branches(value) -> list:
    """RDS's managed secret, or ``If(CreateGlobalCluster, own secret, RDS's)`` as both branches."""
    if isinstance(value, dict) and list(value) == ["Fn::If"] and value["Fn::If"][0] == "CreateGlobalCluster":
        return value["Fn::If"][1:]
    return [value]


def test_workloads_find_the_master_secret_by_the_arn_rds_gives(templates):
    secret = {"Fn::GetAtt": ["DatabaseCluster", "MasterUserSecret.SecretArn"]}
    global_secret = {"Fn::If": ["CreateGlobalCluster", {"Ref": "DatabaseMasterSecret"}, secret]}
    task = templates["fraud-detection"]["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert {"Name": "DB_SECRET_ARN", "Value": {"Fn::If": ["HasMasterUser", global_secret, ""]}} in task["Environment"]
    for name in ("fraud-detection", "payments", "data-pipeline", "loan-processing"):
        value = secret_branches(where_writing(templates[name]["Outputs"]["DatabaseSecretArn"]["Value"]))[-1]
        assert value["Fn::GetAtt"][1] == "MasterUserSecret.SecretArn", name


def test_instance_count_and_class_come_from_parameters(fraud):
    instances = resources_of_type(fraud, "AWS::RDS::DBInstance")
    assert sorted(instances) == ["DatabaseInstance1", "DatabaseInstance2", "DatabaseInstance3"]
    assert all(i["Properties"]["DBInstanceClass"] == ref("DbInstanceClass") for i in instances.values())
    assert "Condition" not in instances["DatabaseInstance1"]
    assert fraud["Conditions"]["DatabaseInstance2Enabled"] == {
        "Fn::Not": [{"Fn::Equals": [ref("DbInstanceCount"), "1"]}]
    }


def test_every_data_store_is_encrypted_with_the_data_cmk(fraud):
    key = {"Fn::GetAtt": ["DataKey", "Arn"]}
    table = fraud["Resources"]["FraudRulesTable"]["Properties"]
    assert table["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": ref("DataKey")}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert fraud["Resources"]["AlertTopic"]["Properties"]["KmsMasterKeyId"] == ref("DataKey")
    managed = where_writer(fraud["Resources"]["DatabaseCluster"]["Properties"])["MasterUserSecret"]
    assert managed == {"Fn::If": ["CreateGlobalCluster", ref("AWS::NoValue"), {"KmsKeyId": ref("DataKey")}]}
    assert fraud["Resources"]["DatabaseMasterSecret"]["Properties"]["KmsKeyId"] == ref("DataKey")
    for group in resources_of_type(fraud, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["KmsKeyId"] == key


def locked_and_their_keys(template: dict) -> set[str]:
    """Buckets under Object Lock in compliance mode, and the keys that encrypt them."""
    found = set()
    for logical_id, resource in resources_of_type(template, "AWS::S3::Bucket").items():
        rule = resource["Properties"].get("ObjectLockConfiguration", {}).get("Rule", {})
        if rule.get("DefaultRetention", {}).get("Mode") == "COMPLIANCE":
            found.add(logical_id)
            encryption = resource["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            found.add(encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0])
    return found


@pytest.mark.parametrize("name", list(PLATFORM.registry))
def test_stateful_resources_keep_their_data(templates, name):
    """Locked data and its key may also be kept by every rollback (conventions.retain_always)."""
    locked = locked_and_their_keys(templates[name])
    for logical_id, resource in templates[name]["Resources"].items():
        if resource["Type"] in STATEFUL:
            policies = (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy"))
            allowed = {STATEFUL[resource["Type"]]} | ({("Retain", "Retain")} if logical_id in locked else set())
            assert policies in allowed, logical_id


def test_iam_roles_are_named_per_environment_and_region(fraud, network):
    for template in (fraud, network):
        for logical_id, role in resources_of_type(template, "AWS::IAM::Role").items():
            name = role["Properties"]["RoleName"]["Fn::Sub"]
            assert name.startswith("${Environment}-${AWS::Region}-role-"), logical_id
            assert len(name.replace("${Environment}", "staging").replace("${AWS::Region}", "eu-west-1")) <= 64


def test_each_iam_mode_is_a_superset_of_the_one_before(fraud):
    def actions(mode_policy):
        statements = unconditional(fraud["Resources"][mode_policy]["Properties"]["PolicyDocument"]["Statement"])
        return {a for s in statements for a in s["Action"]}

    read, write, full = actions("IamReadOnlyPolicy"), actions("IamLimitedWritePolicy"), actions("IamFullAccessPolicy")
    assert "dynamodb:PutItem" not in read and "dynamodb:DeleteItem" not in read
    # read-only (dev) reads no secret: the master secret is the database administrator's password
    read_only = fraud["Resources"]["IamReadOnlyPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert "secretsmanager" not in json.dumps(read_only)
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
        assert (values["DbInstanceClass"], values["DbInstanceCount"], values["IamMode"]) == (
            db_class,
            db_count,
            iam_mode,
        )
        assert values["Environment"] == environment
        assert f":acm:{region}:" in values["CertificateArn"] and f".ecr.{region}." in values["ContainerImage"]


def test_prod_network_is_highly_available(project, templates):
    values = params.resolve_deployed(project, "prod", templates).plain("network", "eu-west-1")
    assert (values["AzCount"], values["HighlyAvailableNat"]) == ("3", "true")


def test_ecs_service_has_container_insights_autoscaling_and_health_checks(fraud):
    resources = fraud["Resources"]
    assert resources["Cluster"]["Properties"]["ClusterSettings"] == [{"Name": "containerInsights", "Value": "enabled"}]
    task = resources["TaskDefinition"]["Properties"]
    assert (task["Cpu"], task["Memory"], task["RequiresCompatibilities"]) == (
        ref("TaskCpu"),
        ref("TaskMemory"),
        ["FARGATE"],
    )
    assert task["ContainerDefinitions"][0]["LogConfiguration"]["LogDriver"] == "awslogs"
    assert resources["ServiceLogGroup"]["Properties"]["RetentionInDays"] == ref("LogRetentionDays")
    assert resources["TargetGroup"]["Properties"]["HealthCheckPath"] == "/health"
    target = resources["ServiceScalableTarget"]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (ref("MinTasks"), ref("MaxTasks"))
    policy = resources["ServiceCpuScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert policy["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert (
        resources["Service"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"]
        == "DISABLED"
    )


def test_dashboard_shows_service_database_and_table(fraud):
    body = fraud["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"][0]
    namespaces = {
        metric[0]
        for widget in json.loads(body)["widgets"]
        for metric in widget["properties"]["metrics"]
        if metric[0] != "."
    }
    assert {"AWS/ECS", "AWS/ApplicationELB", "AWS/RDS", "AWS/DynamoDB"} <= namespaces


@pytest.mark.parametrize("name", list(PLATFORM.registry))
def test_every_tagged_resource_carries_the_standard_tags(templates, name):
    for logical_id, resource in templates[name]["Resources"].items():
        tags = resource.get("Properties", {}).get("Tags")
        if isinstance(tags, list):
            assert set(STANDARD_TAG_KEYS) <= {t["Key"] for t in tags}, logical_id


def test_vpc_cidrs_never_overlap_across_environments_and_regions():
    vpcs = [ipaddress.ip_network(subnet_cidrs(env, region)[0]) for env in ENVIRONMENTS for region in REGIONS]
    assert all(not a.overlaps(b) for i, a in enumerate(vpcs) for b in vpcs[i + 1 :])
    for env in ENVIRONMENTS:
        for region in REGIONS:
            vpc, *subnets = map(ipaddress.ip_network, subnet_cidrs(env, region))
            assert len(subnets) == 9 and all(s.subnet_of(vpc) for s in subnets)
            assert all(not a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1 :])


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
        if name == "AzCount":  # read by cfnops for network-peering (region_outputs), imported by no template
            assert "Export" not in output
            continue
        assert output["Export"]["Name"] == {"Fn::Sub": f"${{Environment}}-network-{name}"}
    assert {"VpcId", "PrivateSubnetIds", "DataSubnetIds", "ApplicationSecurityGroupId"} <= set(network["Outputs"])


def test_data_subnets_have_no_route_to_the_internet(network):
    routes = resources_of_type(network, "AWS::EC2::Route").values()
    tables = {r["Properties"]["RouteTableId"]["Ref"] for r in routes}
    assert not any(table.startswith("Data") for table in tables)


NAME_PROPERTIES = (
    "RoleName",
    "TopicName",
    "QueueName",
    "AlarmName",
    "FunctionName",
    "LogGroupName",
    "DBClusterIdentifier",
    "TableName",
    "AliasName",
    "ClusterName",
    "ServiceName",
    "Family",
    "DashboardName",
    "BucketName",
    "Name",
    "PolicyName",
    "RotationLambdaName",
)


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


def test_every_network_export_is_imported_and_every_import_exported(templates, network):
    """No export is left behind for what no workload uses any more (a rotation security
    group, say), and no workload imports what the network does not export."""
    exported = {output["Export"]["Name"]["Fn::Sub"] for output in network["Outputs"].values() if "Export" in output}
    imported = set()
    for template in templates.values():
        text = json.dumps(template)
        imported |= set(re.findall(r'"Fn::ImportValue": \{"Fn::Sub": "(\$\{Environment\}-network-\w+)"\}', text))
    assert imported and exported == imported  # the public subnets too: loan-processing's ALB faces the internet
    assert not resources_of_type(network, "AWS::EC2::VPCEndpoint")  # nothing in the data subnets calls an AWS API


def test_nat_addresses_wait_for_the_internet_gateway_attachment(network):
    eips = resources_of_type(network, "AWS::EC2::EIP")
    assert len(eips) == 3
    assert all(eip["DependsOn"] == "InternetGatewayAttachment" for eip in eips.values())
    assert network["Resources"]["InternetGatewayAttachment"]["Type"] == "AWS::EC2::VPCGatewayAttachment"


@pytest.mark.parametrize("name", ["fraud-detection", "loan-processing"])
def test_services_start_after_their_database_writer_exists(templates, name):
    """A Ref to the cluster is not enough: the cluster is ready before any instance is."""
    template = templates[name]
    service = template["Resources"]["Service"]
    writer = template["Resources"]["DatabaseInstance1"]
    assert "DatabaseInstance1" in service["DependsOn"] and "Condition" not in writer
    assert writer["Properties"]["DBClusterIdentifier"] == ref("DatabaseCluster")


def test_no_role_relies_on_an_aws_managed_policy(templates):
    """Our permissions boundary is derived from our own policies: an AWS managed policy
    would grant what it does not see."""
    for name, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            assert "iam::aws:policy" not in json.dumps(resource.get("Properties", {}).get("ManagedPolicyArns", [])), (
                name,
                logical_id,
            )


def test_enhanced_monitoring_may_write_only_its_own_log_group(templates):
    for name in ("fraud-detection", "payments", "data-pipeline", "loan-processing"):
        role = templates[name]["Resources"]["DatabaseMonitoringRole"]["Properties"]
        [policy] = role["Policies"]
        granted = {
            (action, resource["Fn::Sub"])
            for s in policy["PolicyDocument"]["Statement"]
            for action in s["Action"]
            for resource in s["Resource"]
        }
        group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:RDSOSMetrics"
        assert granted == {
            ("logs:CreateLogGroup", group),
            ("logs:PutRetentionPolicy", group),
            *(
                (f"logs:{a}", group + ":log-stream:*")
                for a in ("CreateLogStream", "PutLogEvents", "DescribeLogStreams", "GetLogEvents")
            ),
        }, name


def key_statements_for(template, key_ref, service):
    statements = template["Resources"][key_ref["Ref"]]["Properties"]["KeyPolicy"]["Statement"]
    return [s for s in statements if s.get("Principal", {}).get("Service") == service]


def test_alarms_can_publish_to_their_encrypted_topics(templates):
    """SNS encrypts with the topic's CMK as the publisher: CloudWatch must be allowed
    GenerateDataKey and Decrypt in the key policy, or every notification is dropped."""
    checked = 0
    for name, template in templates.items():
        topics = resources_of_type(template, "AWS::SNS::Topic")
        for logical_id, alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").items():
            for action in alarm["Properties"]["AlarmActions"]:
                key = topics[action["Ref"]]["Properties"]["KmsMasterKeyId"]
                [statement] = key_statements_for(template, key, "cloudwatch.amazonaws.com")
                assert {"kms:GenerateDataKey", "kms:Decrypt"} <= set(statement["Action"]), (name, logical_id)
                assert set(statement.get("Condition", {}).get("StringEquals", {})) <= {"aws:SourceAccount"}, (
                    name,
                    logical_id,
                )
                checked += 1
    assert checked > 20


def test_eventbridge_can_dead_letter_to_its_encrypted_queue(templates):
    checked = 0
    for name, template in templates.items():
        for logical_id, rule in resources_of_type(template, "AWS::Events::Rule").items():
            for target in rule["Properties"]["Targets"]:
                queue = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
                key = template["Resources"][queue]["Properties"]["KmsMasterKeyId"]
                [statement] = key_statements_for(template, key, "events.amazonaws.com")
                assert {"kms:GenerateDataKey", "kms:Decrypt"} <= set(statement["Action"]), (name, logical_id)
                # EventBridge's KMS calls carry neither aws:SourceAccount nor aws:SourceArn
                assert "aws:Source" not in json.dumps(statement.get("Condition", {})), (name, logical_id)
                [policy] = [
                    p["Properties"]
                    for p in resources_of_type(template, "AWS::SQS::QueuePolicy").values()
                    if {"Ref": queue} in p["Properties"]["Queues"]
                ]
                [allowed] = [
                    s
                    for s in policy["PolicyDocument"]["Statement"]
                    if s["Principal"] == {"Service": "events.amazonaws.com"} and s["Action"] == ["sqs:SendMessage"]
                ]
                assert allowed["Resource"] == [{"Fn::GetAtt": [queue, "Arn"]}]
                assert {"Fn::GetAtt": [logical_id, "Arn"]} in allowed["Condition"]["ArnEquals"]["aws:SourceArn"], (
                    name,
                    logical_id,
                )
                checked += 1
    assert checked  # every rule target of every template was checked above


def test_every_key_states_enabled_and_rotation_so_drift_compares_them(templates):
    """CloudFormation's drift detection compares only properties the template sets."""
    keys = [(name, r) for t in templates.values() for name, r in t["Resources"].items() if r["Type"] == "AWS::KMS::Key"]
    assert keys
    for name, key in keys:
        assert key["Properties"]["Enabled"] is True and key["Properties"]["EnableKeyRotation"] is True, name


POSTGRES_TEMPLATES = ("fraud-detection", "payments", "data-pipeline")


def postgres_parameters(template) -> dict:
    """The parameters in force on the template's PostgreSQL database: its cluster's
    parameter group (Aurora) or its instance's (RDS)."""
    resources = template["Resources"]
    if "DatabaseCluster" in resources:
        database, group_property = resources["DatabaseCluster"]["Properties"], "DBClusterParameterGroupName"
    else:
        database, group_property = resources["DatabaseInstance"]["Properties"], "DBParameterGroupName"
    assert "postgres" in database["Engine"]
    return resources[database[group_property]["Ref"]]["Properties"]


@pytest.mark.parametrize("name", POSTGRES_TEMPLATES)
def test_every_postgres_database_refuses_connections_without_tls(templates, name):
    group = postgres_parameters(templates[name])
    assert group["Parameters"]["rds.force_ssl"] == "1"


@pytest.mark.parametrize(
    "name, family",
    [("fraud-detection", "aurora-postgresql15"), ("payments", "aurora-postgresql15"), ("data-pipeline", "postgres15")],
)
def test_postgres_parameter_groups_match_the_engine_major_version(templates, name, family):
    assert postgres_parameters(templates[name])["Family"] == family


def test_fraud_detection_outputs_its_dashboard_and_cluster_arns(fraud):
    outputs = fraud["Outputs"]
    assert outputs["DashboardName"]["Value"] == ref("Dashboard")
    assert outputs["ClusterArn"]["Value"] == {"Fn::GetAtt": ["Cluster", "Arn"]}
    assert outputs["DatabaseClusterArn"]["Value"] == {"Fn::GetAtt": ["DatabaseCluster", "DBClusterArn"]}
    assert outputs["DashboardName"]["Export"]["Name"] == {"Fn::Sub": "${Environment}-fraud-detection-DashboardName"}


def test_no_template_adds_rules_to_a_security_group_another_stack_owns(templates):
    """A rule added to an imported group shows as drift of that group in its own stack (AWS reports a
    group's rules whoever added them): every workload's rules go on groups of its own."""
    foreign = [
        (name, logical)
        for name, template in templates.items()
        for logical, resource in template.get("Resources", {}).items()
        if resource["Type"] in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")
        and "Fn::ImportValue" in json.dumps(resource["Properties"]["GroupId"])
    ]
    assert foreign == []


def test_every_security_group_rule_has_a_description(templates):
    """Inline rules under Fn::If too, which checkov's CKV_AWS_23 cannot read (suppressed there)."""
    undescribed = [
        (name, group, rule)
        for name, template in templates.items()
        for direction in security_groups.DIRECTIONS
        for group, rule in security_groups.rules(template, direction)
        if not rule.get("Description")
    ]
    assert undescribed == []


def test_a_group_declares_its_rules_of_one_direction_inline_or_as_resources_never_both(templates):
    """CloudFormation's drift reports a rule of a separate resource as drift of a group that
    declares inline rules in the same direction (cloudformation-coverage-roadmap#1198)."""
    for name, template in templates.items():
        resources = template.get("Resources", {}).items()
        inline = {
            (logical, direction)
            for logical, r in resources
            for direction, prop in security_groups.DIRECTIONS.items()
            if r["Type"] == "AWS::EC2::SecurityGroup" and r["Properties"].get(prop)
        }
        separate = {
            (r["Properties"]["GroupId"].get("Ref"), direction)
            for _, r in resources
            for direction, prop in security_groups.DIRECTIONS.items()
            if r["Type"] == f"AWS::EC2::{prop}"
        }
        assert inline & separate == set(), name


def test_policy_actions_are_awacs_constants_and_never_wildcards():
    """Templates spell actions as awacs' constants (a typo fails at import); a wildcard is refused."""
    assert [action.JSONrepr() for action in policies.actions(awacs.s3.GetObject)] == ["s3:GetObject"]
    with pytest.raises(ValueError, match=r"wildcard action s3:Get\* is not allowed"):
        policies.actions(awacs.s3.GetObject, awacs.s3.Action("Get*"))


def test_an_environment_without_an_address_block_is_named_with_the_table_to_edit():
    """docs/environments.md: a new environment needs its block in ENV_OCTET_BASE; without one the
    render says so in one line (exit 3), not as a KeyError."""
    with pytest.raises(InputError, match=r"ENV_OCTET_BASE: no address block for environment 'qa': expected"):
        network_component.vpc_cidr("qa", PLATFORM.regions[0])
