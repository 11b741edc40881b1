"""Template ``fraud-agent``: the seed's properties, and its handlers' behaviour on moto."""

from __future__ import annotations

import base64
import importlib
import json
import warnings

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

import localcloud
from cfnops.build import render
from cfnops.core.errors import InputError
from cfnops.inputs import params
from localcloud.cloudformation.template_rules import failed_assertions
from templates_src.components.agents import AGENT_MODELS, EMBEDDING_DIMENSIONS, INFERENCE_PROFILE_GEOGRAPHIES
from tests.conftest import props, ref, resources_of_type
from tests.support.handlers import create_audit_bucket, create_table, set_environment


@pytest.fixture(scope="module")
def agent(templates):
    return templates["fraud-agent"]


def test_four_tables_with_cmk_pitr_and_the_seeds_ttl_and_streams(agent):
    tables = resources_of_type(agent, "AWS::DynamoDB::Table")
    assert set(tables) == {"TransactionsTable", "DecisionsTable", "UserProfilesTable", "PatternsTable"}
    for table in tables.values():
        p = table["Properties"]
        assert p["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": ref("DataKey")}
        assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert table["DeletionPolicy"] == "RetainExceptOnCreate"
    assert props(agent, "TransactionsTable")["TimeToLiveSpecification"] == {
        "AttributeName": "expiresAt",
        "Enabled": True,
    }
    assert props(agent, "TransactionsTable")["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props(agent, "DecisionsTable")["TimeToLiveSpecification"]["Enabled"] is True
    assert "StreamSpecification" not in props(agent, "DecisionsTable")


def test_three_private_versioned_tls_only_buckets_with_their_lifecycles(agent):
    buckets = resources_of_type(agent, "AWS::S3::Bucket")
    assert set(buckets) == {"AuditLogsBucket", "DecisionTrailsBucket", "ModelsBucket"}
    for title, bucket in buckets.items():
        p = bucket["Properties"]
        assert p["VersioningConfiguration"] == {"Status": "Enabled"}
        assert (
            p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
                "SSEAlgorithm"
            ]
            == "aws:kms"
        )
        assert all(p["PublicAccessBlockConfiguration"].values())
        assert (
            p["BucketName"]["Fn::Sub"].endswith("-${AWS::AccountId}") and "${AWS::Region}" in p["BucketName"]["Fn::Sub"]
        )
        policy = props(agent, f"{title}Policy")["PolicyDocument"]["Statement"][0]
        assert policy["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and policy["Effect"] == "Deny"
    assert props(agent, "AuditLogsBucket")["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == ref(
        "AuditLogRetentionDays"
    )
    transitions = props(agent, "DecisionTrailsBucket")["LifecycleConfiguration"]["Rules"][0]["Transitions"]
    assert [t["StorageClass"] for t in transitions] == ["STANDARD_IA", "GLACIER"]


def test_on_demand_streams_with_kms_and_their_retention(agent):
    for title, hours in (("TransactionsStream", 48), ("EventsStream", 24)):
        p = props(agent, title)
        assert p["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"} and p["RetentionPeriodHours"] == hours
        assert p["StreamEncryption"] == {"EncryptionType": "KMS", "KeyId": ref("DataKey")}


def test_functions_are_traced_with_a_kms_dead_letter_queue_kept_14_days(agent):
    functions = resources_of_type(agent, "AWS::Lambda::Function")
    assert set(functions) == {
        "ProcessorFunction",
        "AlertHandlerFunction",
        "RecorderFunction",
        "TransactionLookupToolFunction",
        "UserProfilesToolFunction",
        "DecisionsToolFunction",
        "FlaggingToolFunction",
        "FraudPatternsToolFunction",
        "KnowledgeBaseToolFunction",
    }
    for function in functions.values():
        p = function["Properties"]
        assert p["TracingConfig"] == {"Mode": "Active"} and p["Code"]["ZipFile"].strip()
        assert p["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}
    queue = props(agent, "DeadLetterQueue")
    assert (queue["MessageRetentionPeriod"], queue["KmsMasterKeyId"]) == (14 * 86400, ref("DataKey"))


def test_stream_mapping_bisects_and_bounds_retries_and_record_age(agent):
    mapping = props(agent, "TransactionsStreamMapping")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["TransactionsStream", "Arn"]}
    assert mapping["BisectBatchOnFunctionError"] is True
    assert (mapping["MaximumRetryAttempts"], mapping["MaximumRecordAgeInSeconds"]) == (3, 3600)
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_eventbridge_routes_transaction_received_and_fraud_detected(agent):
    pattern = props(agent, "TransactionEventsRule")["EventPattern"]
    assert pattern["detail-type"] == ["TransactionReceived", "FraudDetected"]
    [target] = props(agent, "TransactionEventsRule")["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["EventsStream", "Arn"]} and "DeadLetterConfig" in target
    assert props(agent, "FraudDetectedRule")["EventPattern"]["detail-type"] == ["FraudDetected"]


def test_monitoring_covers_every_function_stream_and_table(agent):
    alarms = resources_of_type(agent, "AWS::CloudWatch::Alarm")
    assert len(alarms) >= 15

    def metric(a):
        if a["Properties"].get("MetricName"):
            return a["Properties"]["MetricName"]
        queries = a["Properties"]["Metrics"]  # metric math over MetricStats, or one Metrics Insights query
        return queries[1]["MetricStat"]["Metric"]["MetricName"] if len(queries) > 1 else queries[0]["Label"]

    names = [metric(a) for a in alarms.values()]
    functions = len(resources_of_type(agent, "AWS::Lambda::Function"))
    assert names.count("Errors") == names.count("Duration") == names.count("Throttles") == functions
    assert names.count("GetRecords.IteratorAgeMilliseconds") == names.count("WriteProvisionedThroughputExceeded") == 2
    tables = len(resources_of_type(agent, "AWS::DynamoDB::Table"))
    assert names.count("ReadThrottleEvents") == names.count("WriteThrottleEvents") == tables  # each its own alarm
    assert all(a["Properties"]["AlarmActions"] == [ref("AlertTopic")] for a in alarms.values())
    body = props(agent, "Dashboard")["DashboardBody"]["Fn::Sub"][0]
    assert len(json.loads(body)["widgets"]) >= 6 and "FraudDetection" in body
    filters = resources_of_type(agent, "AWS::Logs::MetricFilter")
    assert {f["Properties"]["MetricTransformations"][0]["MetricNamespace"] for f in filters.values()} == {
        "FraudDetection"
    }
    assert len(filters) == 2


def test_bedrock_agent_knowledge_base_and_alias_per_environment(agent):
    a = props(agent, "Agent")
    profile = {"Fn::FindInMap": ["InferenceProfileGeographies", ref("AWS::Region"), "Geography"]}
    assert a["FoundationModel"] == {
        "Fn::Sub": ["${Geography}.${Model}", {"Geography": profile, "Model": ref("FoundationModelId")}]
    }
    assert a["CustomerEncryptionKeyArn"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert a["KnowledgeBases"][0]["KnowledgeBaseId"] == ref("KnowledgeBase")
    assert props(agent, "AgentAlias")["AgentAliasName"] == ref("Environment")
    storage = props(agent, "KnowledgeBase")["StorageConfiguration"]
    assert storage["Type"] == "S3_VECTORS"
    assert props(agent, "VectorIndex")["Dimension"] == EMBEDDING_DIMENSIONS
    assert props(agent, "VectorBucket")["EncryptionConfiguration"]["SseType"] == "aws:kms"


def test_bedrock_roles_are_least_privilege(agent):
    statements = props(agent, "AgentRole")["Policies"][0]["PolicyDocument"]["Statement"]
    actions = {action for s in statements for action in s["Action"]}
    assert actions == {
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
        "bedrock:GetInferenceProfile",
        "bedrock:Retrieve",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    profile, model = statements[0]["Resource"][0]["Fn::Sub"], statements[1]["Resource"][0]["Fn::Sub"]
    assert profile[0].endswith(":inference-profile/${Geography}.${Model}") and profile[1]["Model"] == ref(
        "FoundationModelId"
    )
    # the profile routes to any region of its geography: the model, and only the model, in every region
    assert model == ["arn:${AWS::Partition}:bedrock:*::foundation-model/${Model}", {"Model": ref("FoundationModelId")}]
    assert all("*" not in json.dumps(s["Resource"]) for s in statements[2:])
    kb = props(agent, "KnowledgeBaseRole")["Policies"][0]["PolicyDocument"]["Statement"]
    get_object = next(s for s in kb if s["Action"] == ["s3:GetObject"])
    assert get_object["Resource"][0]["Fn::Sub"][0] == "${Arn}/knowledge/*"


@pytest.mark.parametrize(
    "environment, memory, concurrency, iterator_age",
    [("dev", "512", "10", "600000"), ("staging", "1024", "50", "300000"), ("prod", "2048", "100", "60000")],
)
def test_values_per_environment(project, templates, environment, memory, concurrency, iterator_age):
    values = params.resolve_deployed(project, environment, templates).plain("fraud-agent", "us-west-2")
    assert (values["ProcessorMemoryMb"], values["ReservedConcurrency"], values["IteratorAgeThresholdMs"]) == (
        memory,
        concurrency,
        iterator_age,
    )


def kinesis_record(sequence: str, payload) -> dict:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return {"kinesis": {"sequenceNumber": sequence, "data": base64.b64encode(data).decode()}}


@pytest.fixture
def processor(monkeypatch):
    set_environment(
        monkeypatch,
        {
            "DECISIONS_TABLE": "decisions",
            "EVENT_BUS": "bus",
            "RISK_THRESHOLD": "0.8",
            "ENVIRONMENT": "staging",
            "AUDIT_BUCKET": "audit",
        },
    )
    with mock_aws():
        create_audit_bucket("audit")
        dynamodb = boto3.client("dynamodb")
        create_table("decisions", "decisionId")
        boto3.client("events").create_event_bus(Name="bus")
        import templates_src.handlers.stream_processor as module

        yield importlib.reload(module), dynamodb


def test_processor_records_decisions_and_reports_only_the_failed_record(processor, capsys):
    module, dynamodb = processor
    result = module.handler(
        {
            "Records": [
                kinesis_record("1", {"transactionId": "t-1", "riskScore": 0.95}),
                kinesis_record("2", b"not json"),
                kinesis_record("3", {"transactionId": "t-3", "riskScore": 0.1}),
            ]
        },
        None,
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    decisions = {i["decisionId"]["S"]: i["decision"]["S"] for i in dynamodb.scan(TableName="decisions")["Items"]}
    assert decisions == {"t-1": "FRAUD", "t-3": "APPROVE"}
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    metrics = lines[-1]
    assert metrics["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "FraudDetection"
    assert (metrics["TransactionsProcessed"], metrics["FraudDetected"], metrics["RecordsFailed"]) == (2, 1, 1)
    errors = [line for line in lines if line.get("level") == "ERROR"]
    assert len(errors) == 1 and errors[0]["environment"] == "staging"  # what the metric filter counts


def test_alert_handler_publishes_the_detected_transaction(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("ENVIRONMENT", "prod")
    with mock_aws():
        topic = boto3.client("sns").create_topic(Name="alerts")["TopicArn"]
        queue = boto3.client("sqs").create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = boto3.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        boto3.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        monkeypatch.setenv("ALERT_TOPIC_ARN", topic)
        import templates_src.handlers.alert_handler as module

        importlib.reload(module).handler(
            {"detail-type": "FraudDetected", "detail": {"transactionId": "t-9", "riskScore": 0.99}}, None
        )
        [message] = boto3.client("sqs").receive_message(QueueUrl=queue)["Messages"]
    body = json.loads(json.loads(message["Body"])["Message"])
    assert body == {"environment": "prod", "riskScore": 0.99, "transactionId": "t-9"}


def test_the_agents_model_is_one_of_the_documented_list_through_its_regions_profile(project, agent):
    assert agent["Parameters"]["FoundationModelId"]["AllowedValues"] == list(AGENT_MODELS)
    geographies = agent["Mappings"]["InferenceProfileGeographies"]
    assert {region: g["Geography"] for region, g in geographies.items()} == INFERENCE_PROFILE_GEOGRAPHIES
    for environment in ("dev", "staging", "prod"):
        resolved = params.resolve_deployed(project, environment, render.read_generated(project))
        for region in resolved.values["fraud-agent"]:
            assert region in geographies
            assert resolved.plain("fraud-agent", region)["FoundationModelId"] in AGENT_MODELS


def test_a_retired_model_is_refused_before_any_aws_call(tmp_project, templates):
    path = tmp_project.root / "parameters" / "common.yaml"
    path.write_text(
        path.read_text().replace(
            "FoundationModelId: anthropic.claude-sonnet-4-6",
            "FoundationModelId: anthropic.claude-3-5-sonnet-20240620-v1:0",
        )
    )
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, "staging", templates)
    [problem] = raised.value.problems
    assert problem.startswith("parameters/common.yaml: templates.fraud-agent.FoundationModelId: ")
    assert "anthropic.claude-sonnet-4-6" in problem and "anthropic.claude-3-5-sonnet-20240620-v1:0" in problem


def test_audit_logs_are_locked_in_compliance_mode_for_the_environments_retention(agent):
    bucket = props(agent, "AuditLogsBucket")
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}  # Object Lock requires it
    assert bucket["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": ref("AuditLogRetentionDays")}},
    }
    for other in ("DecisionTrailsBucket", "ModelsBucket"):
        assert "ObjectLockConfiguration" not in props(agent, other) and "ObjectLockEnabled" not in props(agent, other)


@pytest.mark.parametrize("environment, days", [("dev", "1"), ("staging", "30"), ("prod", "365")])
def test_audit_log_retention_per_environment(project, templates, environment, days):
    resolved = params.resolve_deployed(project, environment, templates)
    assert resolved.values["fraud-agent"]
    for region in resolved.values["fraud-agent"]:
        assert resolved.plain("fraud-agent", region)["AuditLogRetentionDays"] == days


@pytest.mark.parametrize(
    "environment, days, refused",
    [
        ("prod", "30", True),
        ("prod", "364", True),
        ("prod", "365", False),
        ("prod", "3653", False),
        ("dev", "1", False),
        ("staging", "30", False),
    ],
)
def test_cloudformation_refuses_prod_audit_logs_kept_less_than_a_year(agent, environment, days, refused):
    failures = failed_assertions(
        agent, {"Environment": environment, "AuditLogRetentionDays": days}, "123456789012", "us-east-1"
    )
    assert bool(failures) is refused
    if refused:
        assert failures == ["prod keeps audit logs at least 365 days"]


def test_on_localcloud_a_locked_audit_log_cannot_be_deleted_before_its_retention_ends(agent):
    """The audit bucket's Object Lock settings, as the template writes them, applied by
    localcloud as S3 applies them: a locked version is refused deletion."""
    localcloud.install()
    bucket = props(agent, "AuditLogsBucket")
    template = {
        "Parameters": {"AuditLogRetentionDays": {"Type": "Number"}},
        "Resources": {
            "Audit": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": "audit-lock-test",
                    **{
                        k: bucket[k]
                        for k in ("ObjectLockEnabled", "ObjectLockConfiguration", "VersioningConfiguration")
                    },
                },
            }
        },
    }
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        cloudformation.create_stack(
            StackName="audit",
            TemplateBody=json.dumps(template),
            Parameters=[{"ParameterKey": "AuditLogRetentionDays", "ParameterValue": "365"}],
        )
        stack = cloudformation.describe_stacks(StackName="audit")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE", cloudformation.describe_stack_events(StackName="audit")[
            "StackEvents"
        ]
        s3 = boto3.client("s3", region_name="us-east-1")
        configuration = s3.get_object_lock_configuration(Bucket="audit-lock-test")["ObjectLockConfiguration"]
        retention = configuration["Rule"]["DefaultRetention"]
        assert configuration["ObjectLockEnabled"] == "Enabled" and (retention["Mode"], retention["Days"]) == (
            "COMPLIANCE",
            365,
        )
        version = s3.put_object(Bucket="audit-lock-test", Key="log", Body=b"record", ChecksumAlgorithm="SHA256")[
            "VersionId"
        ]
        with pytest.raises(ClientError) as refused:
            s3.delete_object(Bucket="audit-lock-test", Key="log", VersionId=version)
        assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_validate_refuses_prod_audit_logs_kept_less_than_a_year_before_any_aws_call(tmp_project, templates):
    path = tmp_project.parameter_path("prod")
    path.write_text(path.read_text().replace("AuditLogRetentionDays: 365", "AuditLogRetentionDays: 180", 1))
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, "prod", templates)
    [problem] = raised.value.problems
    assert problem.startswith("parameters/prod.yaml: templates.fraud-agent.AuditLogRetentionDays: ")
    assert problem.endswith("prod keeps audit logs at least 365 days, got 180")


def test_retained_vector_store_names_collide_with_nothing_after_destroy(agent):
    """The vector bucket is retained and destroy has no remover for it: a fixed name would make
    the next create of the environment fail. CloudFormation generates its name; the index's
    name is unique within that bucket."""
    bucket, index = agent["Resources"]["VectorBucket"], props(agent, "VectorIndex")
    assert bucket["DeletionPolicy"] == "RetainExceptOnCreate"
    assert "VectorBucketName" not in bucket["Properties"]
    assert index["VectorBucketArn"] == {"Fn::GetAtt": ["VectorBucket", "VectorBucketArn"]}


def _alias_text(description: dict, values: dict) -> str:
    text = description["Fn::Sub"]
    for name, value in values.items():
        text = text.replace(f"${{{name}}}", value)
    return text


def test_alias_description_moves_with_the_agent(agent):
    """Bedrock makes a new agent version only when the alias is updated: the alias description
    changes with the agent's template text and with every value the agent reads by Ref."""
    from templates_src import fraud_agent

    description = props(agent, "AgentAlias")["Description"]
    for name in ("FoundationModelId", "KnowledgeBase"):
        assert f"${{{name}}}" in description["Fn::Sub"]
    original = fraud_agent.AGENT_INSTRUCTION
    try:
        fraud_agent.AGENT_INSTRUCTION = original + " Answer briefly."
        changed = props(fraud_agent.build().to_dict(), "AgentAlias")["Description"]
    finally:
        fraud_agent.AGENT_INSTRUCTION = original
    assert changed != description
    longest = {
        "Environment": "staging",
        "FoundationModelId": max(AGENT_MODELS, key=len),
        "KnowledgeBase": "ABCDEFGHIJ",  # Bedrock knowledge base ids are 10 characters
    }
    assert len(_alias_text(description, longest)) <= 200  # AWS::Bedrock::AgentAlias Description maxLength
