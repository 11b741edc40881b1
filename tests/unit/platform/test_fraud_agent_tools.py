"""The fraud agent's tools: action groups, their executors and invoke permissions in the
template, and the executors' handler on moto (each tool's answer and a missing item)."""

from __future__ import annotations

import importlib
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from templates_src.fraud_agent_tools import GATEWAY_ONLY, TOOLS
from templates_src.handlers import source
from tests.conftest import props, ref, resources_of_type
from tests.support.handlers import audit_records, create_audit_bucket, create_table

GROUPS = {
    "transaction-lookup": "TransactionLookupTool",
    "user-profiles": "UserProfilesTool",
    "decisions": "DecisionsTool",
    "flagging": "FlaggingTool",
    "fraud-patterns": "FraudPatternsTool",
}


@pytest.fixture(scope="module")
def agent(templates):
    return templates["fraud-agent"]


def action_groups(agent) -> dict:
    return {group["ActionGroupName"]: group for group in props(agent, "Agent")["ActionGroups"]}


def statements(agent, role: str) -> list[dict]:
    [policy] = props(agent, role)["Policies"]
    return policy["PolicyDocument"]["Statement"]


# --- the template ----------------------------------------------------------------------------


def test_each_action_group_is_run_by_its_own_lambda_with_a_function_schema(agent):
    groups = action_groups(agent)
    assert set(groups) == set(GROUPS)
    for name, title in GROUPS.items():
        group = groups[name]
        assert group["ActionGroupExecutor"] == {"Lambda": {"Fn::GetAtt": [f"{title}Function", "Arn"]}}
        assert group["ActionGroupState"] == "ENABLED" and "ApiSchema" not in group
        functions = {f["Name"]: f for f in group["FunctionSchema"]["Functions"]}
        assert set(functions) == set(TOOLS[name][1])
        for function in functions.values():
            assert function["Description"] and all(
                p["Type"] in ("string", "number", "integer") for p in function["Parameters"].values()
            )
    decisions = {f["Name"]: f for f in groups["decisions"]["FunctionSchema"]["Functions"]}
    record = decisions["record_decision"]["Parameters"]
    assert {name: (p["Type"], p["Required"]) for name, p in record.items()} == {
        "transactionId": ("string", True),
        "decision": ("string", True),
        "reasoning": ("string", True),
        "confidence": ("number", True),
    }
    flag = groups["flagging"]["FunctionSchema"]["Functions"][0]
    assert flag["Name"] == "flag_transaction" and flag["Parameters"]["riskScore"]["Required"] is False


def test_writes_ask_the_analyst_to_confirm_and_reads_do_not(agent):
    confirm = {
        f["Name"]: f["RequireConfirmation"]
        for g in action_groups(agent).values()
        for f in g["FunctionSchema"]["Functions"]
    }
    assert confirm == {
        "get_transaction": "DISABLED",
        "get_user_profile": "DISABLED",
        "get_decision": "DISABLED",
        "record_decision": "ENABLED",
        "flag_transaction": "ENABLED",
        "get_fraud_pattern": "DISABLED",
    }


def test_the_handler_serves_exactly_the_functions_the_schemas_declare(agent, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    import templates_src.handlers.agent_tools as module

    classic = {
        name: {f["Name"] for f in group["FunctionSchema"]["Functions"]} for name, group in action_groups(agent).items()
    }
    gateway = {
        target["Name"]: {
            tool["Name"] for tool in target["TargetConfiguration"]["Mcp"]["Lambda"]["ToolSchema"]["InlinePayload"]
        }
        for target in (
            t["Properties"] for t in resources_of_type(agent, "AWS::BedrockAgentCore::GatewayTarget").values()
        )
    }
    served = {name: set(tools) for name, tools in module.ACTION_GROUPS.items()}
    assert served == gateway
    assert {name: tools for name, tools in served.items() if name not in GATEWAY_ONLY} == classic


def test_the_agent_is_prepared_with_its_action_groups_and_the_alias_waits_for_the_permissions(agent):
    assert props(agent, "Agent")["AutoPrepare"] is True
    assert sorted(agent["Resources"]["AgentAlias"]["DependsOn"]) == sorted(
        f"{title}FunctionAgentPermission" for title in GROUPS.values()
    )


def test_only_this_agent_of_this_account_may_invoke_the_executors(agent):
    permissions = resources_of_type(agent, "AWS::Lambda::Permission")
    for title in GROUPS.values():
        granted = [
            p["Properties"] for p in permissions.values() if p["Properties"]["FunctionName"] == ref(f"{title}Function")
        ]
        assert granted == [
            {
                "Action": "lambda:InvokeFunction",
                "FunctionName": ref(f"{title}Function"),
                "Principal": "bedrock.amazonaws.com",
                "SourceArn": {"Fn::GetAtt": ["Agent", "AgentArn"]},
                "SourceAccount": ref("AWS::AccountId"),
            }
        ]


def test_executors_are_built_like_the_platforms_other_functions(agent):
    for group, title in GROUPS.items():
        p = props(agent, f"{title}Function")
        assert p["Code"] == {"ZipFile": source("agent_tools")} and p["Handler"] == "index.handler"
        assert p["Environment"]["Variables"]["ACTION_GROUP"] == group
        assert p["TracingConfig"] == {"Mode": "Active"} and p["KmsKeyArn"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
        assert p["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}
        assert set(p["VpcConfig"]) == {"SubnetIds", "SecurityGroupIds"} and p["ReservedConcurrentExecutions"] == 5
        assert p["LoggingConfig"] == {"LogGroup": ref(f"{title}LogGroup")} and p["Role"] == {
            "Fn::GetAtt": [f"{title}Role", "Arn"]
        }
        log_group = agent["Resources"][f"{title}LogGroup"]
        assert log_group["Properties"]["RetentionInDays"] == 90 and log_group["Properties"]["KmsKeyId"] == {
            "Fn::GetAtt": ["DataKey", "Arn"]
        }
        assert log_group["DeletionPolicy"] == "RetainExceptOnCreate" and log_group["UpdateReplacePolicy"] == "Retain"
        role = props(agent, f"{title}Role")
        assert role["PermissionsBoundary"] == {
            "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/cfnops-${Environment}-workload-boundary"
        }
        assert {tag["Key"] for tag in p["Tags"]} >= {"Environment", "Owner", "CostCenter", "ManagedBy", "Project"}


BASELINE = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:DescribeLogStreams",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:DescribeNetworkInterfaces",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "sqs:SendMessage",
}


def logical_id(resource: dict) -> str:
    """The resource an ARN expression is about: GetAtt X.Arn, or Sub "${Arn}/..." of it."""
    if "Fn::Sub" in resource:
        return resource["Fn::Sub"][1]["Arn"]["Fn::GetAtt"][0]
    return resource["Fn::GetAtt"][0]


def audit_prefix(resource: dict) -> str:
    return resource["Fn::Sub"][0].removeprefix("${Arn}/")


@pytest.mark.parametrize(
    "title, granted",
    [
        ("TransactionLookupTool", {("dynamodb:Query", "TransactionsTable"), ("kms:Decrypt", "DataKey")}),
        ("UserProfilesTool", {("dynamodb:GetItem", "UserProfilesTable"), ("kms:Decrypt", "DataKey")}),
        (
            "DecisionsTool",
            {
                ("dynamodb:GetItem", "DecisionsTable"),
                ("dynamodb:PutItem", "DecisionsTable"),
                ("s3:GetObject", "DecisionTrailsBucket"),
                ("s3:PutObject", "DecisionTrailsBucket"),
                ("s3:PutObject", "AuditLogsBucket"),
                ("kms:Decrypt", "DataKey"),
                ("kms:GenerateDataKey", "DataKey"),
            },
        ),
        (
            "FlaggingTool",
            {("dynamodb:Query", "TransactionsTable"), ("events:PutEvents", "EventBus"), ("kms:Decrypt", "DataKey")},
        ),
        (
            "FraudPatternsTool",
            {("dynamodb:GetItem", "PatternsTable"), ("dynamodb:Query", "PatternsTable"), ("kms:Decrypt", "DataKey")},
        ),
        ("KnowledgeBaseTool", {("bedrock:Retrieve", "KnowledgeBase")}),  # passages of this knowledge base only
    ],
)
def test_each_executor_reaches_its_groups_data_and_nothing_else(agent, title, granted):
    found = set()
    for statement in statements(agent, f"{title}Role"):
        for action in statement["Action"]:
            if action in BASELINE:
                continue
            [resource] = statement["Resource"]
            found.add((action, logical_id(resource)))
    assert found == granted
    writes = [s["Resource"][0] for s in statements(agent, f"{title}Role") if "s3:PutObject" in s["Action"]]
    for resource in writes:  # the decision trails and the reviewed audit records only, not whole buckets
        assert (logical_id(resource), audit_prefix(resource)) in {
            ("DecisionTrailsBucket", "decisions/*"),
            ("AuditLogsBucket", "decisions/reviewed/*"),
        }


# --- the handler on moto ---------------------------------------------------------------------


def invoke(module, monkeypatch, group: str, function: str, **parameters):
    monkeypatch.setenv("ACTION_GROUP", group)
    kinds = {str: "string", float: "number", int: "integer"}
    event = {
        "messageVersion": "1.0",
        "agent": {"name": "agent", "id": "AGENT1", "alias": "A", "version": "1"},
        "sessionId": "s-1",
        "actionGroup": group,
        "function": function,
        "inputText": "…",
        "parameters": [{"name": k, "type": kinds[type(v)], "value": str(v)} for k, v in parameters.items()],
        "sessionAttributes": {"analyst": "ana"},
        "promptSessionAttributes": {},
    }
    answer = module.handler(event, None)
    assert answer["messageVersion"] == "1.0" and answer["sessionAttributes"] == {"analyst": "ana"}
    response = answer["response"]
    assert (response["actionGroup"], response["function"]) == (group, function)
    function_response = response["functionResponse"]
    return function_response.get("responseState"), function_response["responseBody"]["TEXT"]["body"]


class World:
    """Tables, trail bucket, key and bus as the template makes them; FraudDetected events on
    the bus are delivered to a queue, so a test can read what was put."""

    def __init__(self):
        create_table("transactions", "transactionId", "createdAt")
        create_table("profiles", "userId")
        create_table("decisions", "decisionId")
        create_table("patterns", "pattern_id", "version", types="SN")
        create_audit_bucket("audit")
        self.key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
        self.s3 = boto3.client("s3")
        self.s3.create_bucket(Bucket="trails", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        events, sqs = boto3.client("events"), boto3.client("sqs")
        bus = events.create_event_bus(Name="bus")["EventBusArn"]
        self.queue = sqs.create_queue(QueueName="seen")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="all", EventBusName=bus, EventPattern=json.dumps({"source": ["fraud.platform"]}))
        events.put_targets(Rule="all", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
        self.dynamodb = boto3.resource("dynamodb")

    def events_put(self) -> list[dict]:
        messages = boto3.client("sqs").receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    def trail_objects(self) -> list[str]:
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket="trails").get("Contents", [])]


@pytest.fixture
def tools(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    names = {
        "TRANSACTIONS_TABLE": "transactions",
        "USER_PROFILES_TABLE": "profiles",
        "DECISIONS_TABLE": "decisions",
        "TRAILS_BUCKET": "trails",
        "AUDIT_BUCKET": "audit",
        "PATTERNS_TABLE": "patterns",
        "EVENT_BUS": "bus",
        "ENVIRONMENT": "staging",
    }
    for name, value in names.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        world = World()
        monkeypatch.setenv("TRAILS_KEY_ARN", world.key)
        import templates_src.handlers.agent_tools as module

        yield importlib.reload(module), world


def test_get_transaction_answers_the_latest_state_and_the_history_oldest_first(tools, monkeypatch):
    module, world = tools
    table = world.dynamodb.Table("transactions")
    table.put_item(
        Item={
            "transactionId": "t-1",
            "createdAt": "2026-01-01T10:00:00Z#a",
            "eventType": "TransactionReceived",
            "amount": 120,
        }
    )
    table.put_item(Item={"transactionId": "t-1", "createdAt": "2026-01-01T10:00:01Z#b", "eventType": "FraudDetected"})
    table.put_item(
        Item={"transactionId": "t-2", "createdAt": "2026-01-01T10:00:00Z#c", "eventType": "TransactionReceived"}
    )
    state, body = invoke(module, monkeypatch, "transaction-lookup", "get_transaction", transactionId="t-1")
    answer = json.loads(body)
    assert state is None
    assert answer["transaction"]["eventType"] == "FraudDetected"
    assert [item["eventType"] for item in answer["history"]] == ["TransactionReceived", "FraudDetected"]
    assert answer["history"][0]["amount"] == 120


def test_get_transaction_of_an_unknown_transaction_reprompts_the_model(tools, monkeypatch):
    module, _ = tools
    assert invoke(module, monkeypatch, "transaction-lookup", "get_transaction", transactionId="t-404") == (
        "REPROMPT",
        "No transaction t-404 is recorded.",
    )


def test_get_user_profile_answers_the_profile_and_reprompts_for_an_unknown_user(tools, monkeypatch):
    module, world = tools
    world.dynamodb.Table("profiles").put_item(Item={"userId": "u-1", "transactionCount": 3, "totalAmount": 99})
    state, body = invoke(module, monkeypatch, "user-profiles", "get_user_profile", userId="u-1")
    assert state is None and json.loads(body) == {"userId": "u-1", "transactionCount": 3, "totalAmount": 99}
    assert invoke(module, monkeypatch, "user-profiles", "get_user_profile", userId="u-404") == (
        "REPROMPT",
        "No behaviour profile for user u-404.",
    )


def test_record_decision_writes_the_review_and_its_kms_encrypted_trail_then_get_decision_reads_both(tools, monkeypatch):
    module, world = tools
    world.dynamodb.Table("decisions").put_item(Item={"decisionId": "t-1", "decision": "FRAUD", "riskScore": "0.91"})
    state, body = invoke(
        module,
        monkeypatch,
        "decisions",
        "record_decision",
        transactionId="t-1",
        decision="approve",
        reasoning="Known merchant, usual amount",
        confidence=0.8,
    )
    assert state is None
    [trail_key] = world.trail_objects()
    [audit_key] = audit_records("audit")
    assert json.loads(body) == {"recorded": "t-1#review", "trailKey": trail_key, "auditKey": audit_key}
    assert trail_key.startswith("decisions/t-1/")
    head = world.s3.head_object(Bucket="trails", Key=trail_key)
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", world.key)
    trail = json.loads(world.s3.get_object(Bucket="trails", Key=trail_key)["Body"].read())
    assert (trail["decision"], trail["scoredDecision"], trail["agentId"], trail["sessionId"]) == (
        "APPROVE",
        "FRAUD",
        "AGENT1",
        "s-1",
    )
    state, body = invoke(module, monkeypatch, "decisions", "get_decision", transactionId="t-1")
    answer = json.loads(body)
    assert state is None and answer["scored"]["decision"] == "FRAUD"
    assert (answer["review"]["decision"], answer["review"]["reasoning"], answer["review"]["confidence"]) == (
        "APPROVE",
        "Known merchant, usual amount",
        0.8,
    )


def test_record_decision_on_an_unscored_transaction_writes_nothing(tools, monkeypatch, capsys):
    module, world = tools
    state, body = invoke(
        module,
        monkeypatch,
        "decisions",
        "record_decision",
        transactionId="t-404",
        decision="FRAUD",
        reasoning="r",
        confidence=0.9,
    )
    assert (state, body) == ("REPROMPT", "Transaction t-404 was never scored: there is no decision to review.")
    assert world.trail_objects() == [] and world.dynamodb.Table("decisions").scan()["Items"] == []
    assert audit_records("audit") == {}
    assert "_aws" not in capsys.readouterr().out  # no metrics without a review


def test_get_decision_of_an_unknown_transaction_reprompts(tools, monkeypatch):
    module, _ = tools
    assert invoke(module, monkeypatch, "decisions", "get_decision", transactionId="t-404") == (
        "REPROMPT",
        "No decision on transaction t-404.",
    )


def test_record_decision_refuses_a_decision_or_confidence_outside_the_schema(tools, monkeypatch):
    module, world = tools
    world.dynamodb.Table("decisions").put_item(Item={"decisionId": "t-1", "decision": "FRAUD", "riskScore": "0.91"})
    for decision, confidence in (("MAYBE", 0.5), ("FRAUD", 1.5)):
        state, body = invoke(
            module,
            monkeypatch,
            "decisions",
            "record_decision",
            transactionId="t-1",
            decision=decision,
            reasoning="r",
            confidence=confidence,
        )
        assert (state, body) == ("REPROMPT", "decision must be one of FRAUD, APPROVE and confidence 0 to 1.")
    assert world.trail_objects() == []


def test_flag_transaction_puts_fraud_detected_on_the_bus(tools, monkeypatch):
    module, world = tools
    world.dynamodb.Table("transactions").put_item(Item={"transactionId": "t-7", "createdAt": "2026-01-01T00:00:00Z#x"})
    state, body = invoke(
        module, monkeypatch, "flagging", "flag_transaction", transactionId="t-7", reason="card testing", riskScore=0.97
    )
    assert state is None and json.loads(body)["flagged"] == "t-7"
    [event] = world.events_put()
    assert (event["source"], event["detail-type"]) == ("fraud.platform", "FraudDetected")
    assert event["detail"] == {
        "transactionId": "t-7",
        "reason": "card testing",
        "riskScore": 0.97,
        "flaggedBy": "fraud-agent",
    }


def test_flag_transaction_of_an_unknown_transaction_puts_no_event(tools, monkeypatch):
    module, world = tools
    assert invoke(module, monkeypatch, "flagging", "flag_transaction", transactionId="t-404", reason="r") == (
        "REPROMPT",
        "No transaction t-404 is recorded.",
    )
    assert world.events_put() == []


def test_a_missing_parameter_reprompts_and_another_groups_function_is_refused(tools, monkeypatch):
    module, _ = tools
    assert invoke(module, monkeypatch, "flagging", "flag_transaction", transactionId="t-1") == (
        "REPROMPT",
        "Missing parameter: reason.",
    )
    monkeypatch.setenv("ACTION_GROUP", "user-profiles")
    event = {"actionGroup": "user-profiles", "function": "flag_transaction", "parameters": []}
    answer = module.handler(event, None)["response"]["functionResponse"]
    assert answer["responseState"] == "FAILURE"


# --- the audit record of a reviewed decision, and the fraud patterns -------------------------


def review(module, monkeypatch, transaction="t-1"):
    return invoke(
        module,
        monkeypatch,
        "decisions",
        "record_decision",
        transactionId=transaction,
        decision="fraud",
        reasoning="Card testing: many small amounts",
        confidence=0.9,
    )


def test_a_reviewed_decision_is_written_to_the_audit_bucket_and_locked_there(tools, monkeypatch):
    module, world = tools
    world.dynamodb.Table("decisions").put_item(Item={"decisionId": "t-1", "decision": "APPROVE", "riskScore": "0.2"})
    state, body = review(module, monkeypatch)
    assert state is None
    [(key, record)] = audit_records("audit").items()
    assert json.loads(body)["auditKey"] == key and key.startswith("decisions/reviewed/t-1/")
    assert (record["body"]["decision"], record["body"]["scoredDecision"], record["body"]["reasoning"]) == (
        "FRAUD",
        "APPROVE",
        "Card testing: many small amounts",
    )
    assert record["head"]["ObjectLockMode"] == "COMPLIANCE" and record["head"]["ObjectLockRetainUntilDate"]
    version = record["head"]["VersionId"]
    with pytest.raises(ClientError) as refused:  # locked: not even its writer can remove it
        world.s3.delete_object(Bucket="audit", Key=key, VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert world.dynamodb.Table("decisions").get_item(Key={"decisionId": "t-1#review"})["Item"]["auditKey"] == key


def test_without_its_audit_record_a_review_is_not_recorded_and_the_call_fails(tools, monkeypatch):
    module, world = tools
    world.dynamodb.Table("decisions").put_item(Item={"decisionId": "t-1", "decision": "APPROVE", "riskScore": "0.2"})
    monkeypatch.setenv("AUDIT_BUCKET", "no-such-audit-bucket")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        review(module, monkeypatch)
    assert world.trail_objects() == [] and audit_records("audit") == {}
    assert "Item" not in world.dynamodb.Table("decisions").get_item(Key={"decisionId": "t-1#review"})


def test_get_fraud_pattern_reads_the_latest_version_or_the_one_asked_for(tools, monkeypatch):
    module, world = tools
    patterns = world.dynamodb.Table("patterns")
    for version, threshold in ((1, 5), (2, 3), (10, 2)):  # numeric order: 10 is the latest
        patterns.put_item(Item={"pattern_id": "card-testing", "version": version, "smallAmounts": threshold})
    state, body = invoke(module, monkeypatch, "fraud-patterns", "get_fraud_pattern", patternId="card-testing")
    assert state is None and json.loads(body) == {"pattern_id": "card-testing", "version": 10, "smallAmounts": 2}
    state, body = invoke(
        module, monkeypatch, "fraud-patterns", "get_fraud_pattern", patternId="card-testing", version=2
    )
    assert state is None and json.loads(body)["smallAmounts"] == 3


def test_an_unknown_pattern_or_version_reprompts(tools, monkeypatch):
    module, world = tools
    world.dynamodb.Table("patterns").put_item(Item={"pattern_id": "card-testing", "version": 1})
    assert invoke(module, monkeypatch, "fraud-patterns", "get_fraud_pattern", patternId="velocity") == (
        "REPROMPT",
        "No fraud pattern velocity.",
    )
    assert invoke(module, monkeypatch, "fraud-patterns", "get_fraud_pattern", patternId="card-testing", version=7) == (
        "REPROMPT",
        "Fraud pattern card-testing has no version 7.",
    )
