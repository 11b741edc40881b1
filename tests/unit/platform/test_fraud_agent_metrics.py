"""fraud-agent's data and metrics: the consumer of TransactionReceived, the six FraudDetection
metrics in embedded metric format (read back from the log lines), their dashboard widgets,
and the patterns table keyed by pattern and version (a replacement under a new name)."""

from __future__ import annotations

import base64
import importlib
import json
import time
import warnings

import boto3
import botocore.session
import pytest
from moto import mock_aws

import localcloud
from tests.conftest import props, ref
from tests.support.handlers import create_audit_bucket, create_table, set_environment

SIX = {
    "TransactionsProcessed": "Count",
    "FraudDetected": "Count",
    "DetectionAccuracy": "Percent",
    "ProcessingLatency": "Milliseconds",
    "FalsePositives": "Count",
    "ConfidenceScore": "None",
}
CLOUDWATCH_UNITS = set(botocore.session.get_session().get_service_model("cloudwatch").shape_for("StandardUnit").enum)


@pytest.fixture(scope="module")
def agent(templates):
    return templates["fraud-agent"]


def emf_lines(output: str) -> list[dict]:
    """The embedded-metric-format documents among the printed lines, checked against the
    specification: every metric a directive names is a number (or a list of at most 100) at
    the root, every dimension is a string there, and every unit is a CloudWatch unit."""
    documents = [line for line in map(json.loads, output.splitlines()) if "_aws" in line]
    for document in documents:
        assert isinstance(document["_aws"]["Timestamp"], int)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "FraudDetection"
            for dimension_set in directive["Dimensions"]:
                assert all(isinstance(document[name], str) for name in dimension_set)
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                values = value if isinstance(value, list) else [value]
                assert 1 <= len(values) <= 100 and all(isinstance(v, (int, float)) for v in values)
                assert metric["Unit"] in CLOUDWATCH_UNITS
    return documents


def units_of(documents: list[dict]) -> dict[str, str]:
    return {
        m["Name"]: m["Unit"]
        for d in documents
        for directive in d["_aws"]["CloudWatchMetrics"]
        for m in directive["Metrics"]
    }


def kinesis(sequence: str, payload: dict, arrived: float) -> dict:
    data = base64.b64encode(json.dumps(payload).encode()).decode()
    return {"kinesis": {"sequenceNumber": sequence, "data": data, "approximateArrivalTimestamp": arrived}}


@pytest.fixture
def processor(monkeypatch):
    set_environment(
        monkeypatch,
        {
            "DECISIONS_TABLE": "decisions",
            "EVENT_BUS": "bus",
            "RISK_THRESHOLD": "0.8",
            "ENVIRONMENT": "prod",
            "AUDIT_BUCKET": "audit",
        },
    )
    with mock_aws():
        create_audit_bucket("audit")
        create_table("decisions", "decisionId")
        boto3.client("events").create_event_bus(Name="bus")
        import templates_src.handlers.stream_processor as module

        yield importlib.reload(module)


def test_the_processor_reports_latency_and_confidence_per_transaction_with_their_units(processor, capsys):
    now = time.time()
    processor.handler(
        {
            "Records": [
                kinesis("1", {"transactionId": "t-1", "riskScore": 0.95}, now - 2.5),
                kinesis("2", {"transactionId": "t-2", "riskScore": 0.1}, now - 0.5),
            ]
        },
        None,
    )
    [document] = emf_lines(capsys.readouterr().out)
    assert (
        document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Environment"]]
        and document["Environment"] == "prod"
    )
    assert units_of([document]) == {
        "TransactionsProcessed": "Count",
        "FraudDetected": "Count",
        "RecordsFailed": "Count",
        "ProcessingLatency": "Milliseconds",
        "ConfidenceScore": "None",
    }
    assert (document["TransactionsProcessed"], document["FraudDetected"], document["RecordsFailed"]) == (2, 1, 0)
    assert document["ConfidenceScore"] == [0.95, 0.9]  # FRAUD: the risk; APPROVE: 1 - the risk
    first, second = document["ProcessingLatency"]
    assert 2500 <= first < 2500 + 5000 and 500 <= second < first


def test_a_batch_that_only_failed_reports_no_empty_latency_or_confidence(processor, capsys):
    processor.handler(
        {"Records": [{"kinesis": {"sequenceNumber": "9", "data": base64.b64encode(b"{").decode()}}]}, None
    )
    [document] = emf_lines(capsys.readouterr().out)
    assert units_of([document]) == {
        "TransactionsProcessed": "Count",
        "FraudDetected": "Count",
        "RecordsFailed": "Count",
    }
    assert "ProcessingLatency" not in document and "ConfidenceScore" not in document


@pytest.fixture
def decisions_tool(monkeypatch):
    set_environment(
        monkeypatch,
        {
            "DECISIONS_TABLE": "decisions",
            "TRAILS_BUCKET": "trails",
            "AUDIT_BUCKET": "audit",
            "ACTION_GROUP": "decisions",
            "ENVIRONMENT": "prod",
        },
    )
    with mock_aws():
        create_table("decisions", "decisionId")
        create_audit_bucket("audit")
        boto3.client("s3").create_bucket(Bucket="trails", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        monkeypatch.setenv("TRAILS_KEY_ARN", boto3.client("kms").create_key()["KeyMetadata"]["Arn"])
        import templates_src.handlers.agent_tools as module

        yield importlib.reload(module), boto3.resource("dynamodb").Table("decisions")


def review(module, transaction: str, decision: str) -> None:
    module.handler(
        {
            "actionGroup": "decisions",
            "function": "record_decision",
            "parameters": [
                {"name": "transactionId", "type": "string", "value": transaction},
                {"name": "decision", "type": "string", "value": decision},
                {"name": "reasoning", "type": "string", "value": "because"},
                {"name": "confidence", "type": "number", "value": "0.9"},
            ],
        },
        None,
    )


@pytest.mark.parametrize(
    "scored, reviewed, accuracy, false_positives",
    [
        ("FRAUD", "APPROVE", 0, 1),
        ("FRAUD", "FRAUD", 100, 0),
        ("APPROVE", "APPROVE", 100, 0),
        ("APPROVE", "FRAUD", 0, 0),
    ],
)
def test_a_review_reports_detection_accuracy_and_false_positives(
    decisions_tool, capsys, scored, reviewed, accuracy, false_positives
):
    module, table = decisions_tool
    table.put_item(Item={"decisionId": "t-1", "decision": scored, "riskScore": "0.5"})
    review(module, "t-1", reviewed)
    [document] = emf_lines(capsys.readouterr().out)
    assert units_of([document]) == {"DetectionAccuracy": "Percent", "FalsePositives": "Count"}
    assert (document["DetectionAccuracy"], document["FalsePositives"], document["Environment"]) == (
        accuracy,
        false_positives,
        "prod",
    )


def test_all_six_metrics_are_emitted_with_their_units(processor, capsys):
    """The processor and the decisions tool between them emit every one of the six."""
    processor.handler({"Records": [kinesis("1", {"transactionId": "t-1", "riskScore": 0.95}, time.time())]}, None)
    import templates_src.handlers.agent_tools as tools

    boto3.client("s3").create_bucket(Bucket="trails", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    environment = {
        "TRAILS_BUCKET": "trails",
        "ACTION_GROUP": "decisions",
        "TRAILS_KEY_ARN": boto3.client("kms").create_key()["KeyMetadata"]["Arn"],
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        review(importlib.reload(tools), "t-1", "APPROVE")
    emitted = units_of(emf_lines(capsys.readouterr().out))
    assert {name: emitted.get(name) for name in SIX} == SIX


# --- the consumer of TransactionReceived -------------------------------------------------------


def routed(sequence: str, detail_type: str, detail: dict, event_id: str, at: str = "2026-03-01T12:00:00Z") -> dict:
    """A record as EventBridge's Kinesis target writes it: the whole event."""
    event = {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": "fraud.platform",
        "account": "123456789012",
        "time": at,
        "region": "eu-west-1",
        "resources": [],
        "detail": detail,
    }
    return {"kinesis": {"sequenceNumber": sequence, "data": base64.b64encode(json.dumps(event).encode()).decode()}}


@pytest.fixture
def recorder(monkeypatch):
    set_environment(monkeypatch, {"TRANSACTIONS_TABLE": "transactions", "USER_PROFILES_TABLE": "profiles"})
    with mock_aws():
        create_table("transactions", "transactionId", "createdAt")
        create_table("profiles", "userId")
        import templates_src.handlers.transaction_recorder as module

        yield importlib.reload(module), boto3.resource("dynamodb")


def test_the_recorder_keeps_each_transactions_history_and_its_users_profile(recorder):
    module, dynamodb = recorder
    result = module.handler(
        {
            "Records": [
                routed("1", "TransactionReceived", {"transactionId": "t-1", "userId": "u-1", "amount": 120.5}, "e1"),
                routed("2", "FraudDetected", {"transactionId": "t-1", "riskScore": 0.93}, "e2"),
                routed("3", "TransactionReceived", {"transactionId": "t-2", "userId": "u-1", "amount": 30}, "e3"),
                {"kinesis": {"sequenceNumber": "4", "data": base64.b64encode(b"not json").decode()}},
            ]
        },
        None,
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "4"}]}
    history = dynamodb.Table("transactions").query(
        KeyConditionExpression=boto3.dynamodb.conditions.Key("transactionId").eq("t-1")
    )["Items"]
    # both events of the same second kept apart by the event id
    assert [(i["createdAt"], i["eventType"]) for i in history] == [
        ("2026-03-01T12:00:00Z#e1", "TransactionReceived"),
        ("2026-03-01T12:00:00Z#e2", "FraudDetected"),
    ]
    assert history[0]["expiresAt"] > time.time() + 300 * 86400
    profile = dynamodb.Table("profiles").get_item(Key={"userId": "u-1"})["Item"]
    assert (profile["transactionCount"], float(profile["totalAmount"]), profile["lastTransactionId"]) == (
        2,
        150.5,
        "t-2",
    )


def test_transaction_received_reaches_a_consumer(agent):
    """The events stream, where the rule puts TransactionReceived, is read by the recorder."""
    rule = props(agent, "TransactionEventsRule")
    assert "TransactionReceived" in rule["EventPattern"]["detail-type"]
    [target] = rule["Targets"]
    stream = target["Arn"]["Fn::GetAtt"][0]
    consumers = [
        r["Properties"]
        for r in agent["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] == stream
    ]
    assert [c["FunctionName"] for c in consumers] == [ref("RecorderFunction")]
    [mapping] = consumers
    assert (
        mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        and mapping["BisectBatchOnFunctionError"] is True
    )
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    environment = props(agent, "RecorderFunction")["Environment"]["Variables"]
    assert environment["TRANSACTIONS_TABLE"] == ref("TransactionsTable") and environment["USER_PROFILES_TABLE"] == ref(
        "UserProfilesTable"
    )
    actions = {
        a
        for s in props(agent, "RecorderRole")["Policies"][0]["PolicyDocument"]["Statement"]
        for a in s["Action"]
        if a.startswith("dynamodb:")
    }
    assert actions == {"dynamodb:PutItem", "dynamodb:UpdateItem"}


# --- the dashboard -----------------------------------------------------------------------------


def widgets(agent) -> list[dict]:
    return json.loads(props(agent, "Dashboard")["DashboardBody"]["Fn::Sub"][0])["widgets"]


def lines(widget: dict) -> list[tuple]:
    """(namespace, metric, dimension value, stat) of each line, "." repeated from the line above."""
    found, previous = [], []
    for line in widget["properties"]["metrics"]:
        if len(line) == 1:  # an expression (SEARCH): no namespace, metric and dimension of its own
            continue
        options = line[-1] if isinstance(line[-1], dict) else {}
        values = [part if part != "." else previous[i] for i, part in enumerate(line[:4])]
        previous = values
        found.append((values[0], values[1], values[3], options.get("stat", widget["properties"]["stat"])))
    return found


def test_the_dashboard_shows_each_of_the_six_metrics_of_its_environment(agent):
    shown = {
        (metric, stat)
        for w in widgets(agent)
        for namespace, metric, dimension, stat in lines(w)
        if namespace == "FraudDetection" and dimension == "${Environment}"
    }
    assert {metric for metric, _ in shown} >= set(SIX)
    assert {
        ("ProcessingLatency", "Average"),
        ("ProcessingLatency", "p99"),
        ("DetectionAccuracy", "Average"),
        ("ConfidenceScore", "Average"),
        ("FalsePositives", "Sum"),
        ("TransactionsProcessed", "Sum"),
        ("FraudDetected", "Sum"),
    } <= shown


def test_the_dashboard_shows_the_consumed_capacity_of_every_table(agent):
    tables = {name for name, r in agent["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"}
    shown = {
        (metric, dimension)
        for w in widgets(agent)
        for namespace, metric, dimension, _ in lines(w)
        if namespace == "AWS/DynamoDB"
    }
    for table in tables:
        assert {
            ("ConsumedReadCapacityUnits", f"${{{table}}}"),
            ("ConsumedWriteCapacityUnits", f"${{{table}}}"),
        } <= shown
    variables = props(agent, "Dashboard")["DashboardBody"]["Fn::Sub"][1]
    assert all(variables[table] == ref(table) for table in tables)


def test_dashboard_widgets_do_not_overlap(agent):
    cells = [(w["x"], w["y"]) for w in widgets(agent)]
    assert len(cells) == len(set(cells)) and all(x in (0, 12) for x, _ in cells)


# --- the patterns table ------------------------------------------------------------------------


def test_patterns_are_keyed_by_pattern_and_numeric_version_in_a_newly_named_retained_table(agent):
    table = agent["Resources"]["PatternsTable"]
    p = table["Properties"]
    assert p["KeySchema"] == [
        {"AttributeName": "pattern_id", "KeyType": "HASH"},
        {"AttributeName": "version", "KeyType": "RANGE"},
    ]
    assert p["AttributeDefinitions"] == [
        {"AttributeName": "pattern_id", "AttributeType": "S"},
        {"AttributeName": "version", "AttributeType": "N"},
    ]
    assert p["TableName"] == {"Fn::Sub": "${Environment}-agent-pattern-versions"}  # not the old agent-patterns
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")


def _stack_template(table: dict) -> str:
    return json.dumps({"Parameters": {"Environment": {"Type": "String"}}, "Resources": {"PatternsTable": table}})


def _old_patterns_table(new: dict) -> dict:
    """The table as it was: keyed by patternId alone, named agent-patterns."""
    old = json.loads(json.dumps(new))
    old["Properties"].update(
        TableName={"Fn::Sub": "${Environment}-agent-patterns"},
        AttributeDefinitions=[{"AttributeName": "patternId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "patternId", "KeyType": "HASH"}],
    )
    return old


def _table_only(resource: dict) -> dict:
    """The table without what this one-resource stack lacks (its key and tags' parameters)."""
    table = json.loads(json.dumps(resource))
    table["Properties"].pop("SSESpecification")
    table["Properties"].pop("Tags")
    table["Properties"]["DeletionProtectionEnabled"] = False
    return table


def test_on_localcloud_the_key_change_creates_the_new_table_and_keeps_the_old_one_with_its_data(agent):
    localcloud.install()
    new = _table_only(agent["Resources"]["PatternsTable"])
    old = _old_patterns_table(new)
    parameters = [{"ParameterKey": "Environment", "ParameterValue": "dev"}]
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        cloudformation, dynamodb = boto3.client("cloudformation", "us-east-1"), boto3.client("dynamodb", "us-east-1")
        cloudformation.create_stack(StackName="patterns", TemplateBody=_stack_template(old), Parameters=parameters)
        dynamodb.put_item(
            TableName="dev-agent-patterns", Item={"patternId": {"S": "card-testing"}, "rule": {"S": "many small"}}
        )
        cloudformation.update_stack(StackName="patterns", TemplateBody=_stack_template(new), Parameters=parameters)
        stack = cloudformation.describe_stacks(StackName="patterns")["Stacks"][0]
        assert stack["StackStatus"] == "UPDATE_COMPLETE"
        assert {"dev-agent-patterns", "dev-agent-pattern-versions"} <= set(dynamodb.list_tables()["TableNames"])
        kept = dynamodb.scan(TableName="dev-agent-patterns")["Items"]
        assert kept == [{"patternId": {"S": "card-testing"}, "rule": {"S": "many small"}}]
        schema = dynamodb.describe_table(TableName="dev-agent-pattern-versions")["Table"]["KeySchema"]
        assert schema == [
            {"AttributeName": "pattern_id", "KeyType": "HASH"},
            {"AttributeName": "version", "KeyType": "RANGE"},
        ]
        resource = cloudformation.describe_stack_resource(StackName="patterns", LogicalResourceId="PatternsTable")
        assert resource["StackResourceDetail"]["PhysicalResourceId"] == "dev-agent-pattern-versions"


def test_on_localcloud_the_key_change_under_the_old_name_fails_and_the_old_table_keeps_its_key(agent):
    """Why the table has a new name: under the old one the key change cannot be made (on AWS,
    CloudFormation refuses to replace a custom-named resource; localcloud refuses the change)."""
    localcloud.install()
    new = _table_only(agent["Resources"]["PatternsTable"])
    old = _old_patterns_table(new)
    renamed_back = json.loads(json.dumps(new))
    renamed_back["Properties"]["TableName"] = old["Properties"]["TableName"]
    parameters = [{"ParameterKey": "Environment", "ParameterValue": "dev"}]
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        cloudformation, dynamodb = boto3.client("cloudformation", "us-east-1"), boto3.client("dynamodb", "us-east-1")
        cloudformation.create_stack(StackName="patterns", TemplateBody=_stack_template(old), Parameters=parameters)
        cloudformation.update_stack(
            StackName="patterns", TemplateBody=_stack_template(renamed_back), Parameters=parameters
        )
        stack = cloudformation.describe_stacks(StackName="patterns")["Stacks"][0]
        assert stack["StackStatus"].startswith("UPDATE_ROLLBACK_")
        schema = dynamodb.describe_table(TableName="dev-agent-patterns")["Table"]["KeySchema"]
        assert schema == [{"AttributeName": "patternId", "KeyType": "HASH"}]
