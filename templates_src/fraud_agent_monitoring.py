"""Alarms and the dashboard of ``fraud-agent``: per function errors, duration and
throttles; per stream iterator age and write throttles; per table read and write throttles; the
dead-letter queue; the FraudDetection metrics its functions and log filters emit; and the
metrics AgentCore publishes for the agent's gateway and harness (namespace AGENTCORE_NAMESPACE,
dimensions Operation, Protocol, Method, Resource = the gateway's ARN, Name = the tool:
https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/observability-gateway-metrics.html,
https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/observability-runtime-metrics.html).
Those are read by resource, whatever the other dimensions: Metrics Insights for the alarm,
SEARCH for the dashboard."""

from __future__ import annotations

from troposphere import GetAtt, Ref, Sub, Template

from .components import observability

NAMESPACE = "FraudDetection"
AGENTCORE_NAMESPACE = "AWS/Bedrock-AgentCore"


def _alarm(template, title, suffix, description, namespace, metric, dimensions, statistic, threshold, topic):
    observability.add_alarm(
        template,
        title,
        suffix=f"fraud-agent-{suffix}",
        description=description,
        namespace=namespace,
        metric=metric,
        dimensions=dimensions,
        statistic=statistic,
        threshold=threshold,
        topic=topic,
    )


def add_function_alarms(template: Template, topic, functions: dict) -> None:
    for name, function in functions.items():
        dimensions = {"FunctionName": Ref(function)}
        slug = name.lower()
        _alarm(
            template,
            f"{name}ErrorsAlarm",
            f"{slug}-errors",
            f"{name} errors",
            "AWS/Lambda",
            "Errors",
            dimensions,
            "Sum",
            Ref("ErrorThreshold"),
            topic,
        )
        _alarm(
            template,
            f"{name}DurationAlarm",
            f"{slug}-duration",
            f"{name} average duration (ms)",
            "AWS/Lambda",
            "Duration",
            dimensions,
            "Average",
            Ref("DurationThresholdMs"),
            topic,
        )
        _alarm(
            template,
            f"{name}ThrottlesAlarm",
            f"{slug}-throttles",
            f"{name} throttled",
            "AWS/Lambda",
            "Throttles",
            dimensions,
            "Sum",
            0,
            topic,
        )


def add_stream_alarms(template: Template, topic, streams: dict) -> None:
    for title, stream in streams.items():
        name = title.removesuffix("Stream")
        dimensions = {"StreamName": Ref(stream)}
        _alarm(
            template,
            f"{name}IteratorAgeAlarm",
            f"{name.lower()}-iterator-age",
            f"{name} stream: oldest unread record (ms)",
            "AWS/Kinesis",
            "GetRecords.IteratorAgeMilliseconds",
            dimensions,
            "Maximum",
            Ref("IteratorAgeThresholdMs"),
            topic,
        )
        _alarm(
            template,
            f"{name}WriteThrottlesAlarm",
            f"{name.lower()}-write-throttles",
            f"{name} stream: writes throttled",
            "AWS/Kinesis",
            "WriteProvisionedThroughputExceeded",
            dimensions,
            "Sum",
            0,
            topic,
        )


def add_table_alarms(template: Template, topic, tables: dict) -> None:
    """Reads and writes throttled, each its own alarm (as the platform description asks)."""
    for title, table in tables.items():
        name = title.removesuffix("Table")
        for kind in ("Read", "Write"):
            _alarm(
                template,
                f"{name}Table{kind}ThrottlesAlarm",
                f"{name.lower()}-table-{kind.lower()}-throttles",
                f"{name} table: {kind.lower()}s throttled",
                "AWS/DynamoDB",
                f"{kind}ThrottleEvents",
                {"TableName": Ref(table)},
                "Sum",
                0,
                topic,
            )


def add_gateway_alarm(template: Template, topic, gateway) -> None:
    """Tool calls the gateway failed (5xx), summed over its operations, methods and tools."""
    query = Sub(
        f"SELECT SUM(SystemErrors) FROM \"{AGENTCORE_NAMESPACE}\" WHERE Resource = '${{Arn}}'",
        Arn=GetAtt(gateway, "GatewayArn"),
    )
    observability.add_query_alarm(
        template,
        "GatewaySystemErrorsAlarm",
        suffix="fraud-agent-gateway-errors",
        description="AgentCore gateway: tool calls that failed on the service side (5xx)",
        query=query,
        label="Gateway system errors",
        threshold=Ref("ErrorThreshold"),
        topic=topic,
    )


def add_alarms(template: Template, topic, functions: dict, data: dict, queue, gateway) -> None:
    add_function_alarms(template, topic, functions)
    add_gateway_alarm(template, topic, gateway)
    add_stream_alarms(template, topic, data["streams"])
    add_table_alarms(template, topic, data["tables"])
    _alarm(
        template,
        "DeadLetterQueueAlarm",
        "dlq",
        "Records or events were given up on",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": GetAtt(queue, "QueueName")},
        "Maximum",
        0,
        topic,
    )
    _alarm(
        template,
        "ProcessingErrorsAlarm",
        "processing-errors",
        "Transactions that failed to score (log filter)",
        NAMESPACE,
        "ProcessingErrors",
        {"Environment": Ref("Environment")},
        "Sum",
        Ref("ErrorThreshold"),
        topic,
    )


def _custom(metric: str, **options) -> list:
    """A FraudDetection metric of this environment, with per-line options (stat, label)."""
    return [NAMESPACE, metric, "Environment", "${Environment}", *([options] if options else [])]


def detection_widgets() -> list[tuple]:
    """The six FraudDetection metrics the functions emit (embedded metric format), and the
    processing errors the log filter counts: (title, metrics, stat)."""
    return [
        (
            "Transactions scored and fraud found",
            [_custom("TransactionsProcessed"), _custom("FraudDetected"), _custom("ProcessingErrors")],
            "Sum",
        ),
        (
            "Detection accuracy (%, reviewed decisions agreeing with the automatic one)",
            [_custom("DetectionAccuracy")],
            "Average",
        ),
        ("False positives (scored fraud, reviewed legitimate)", [_custom("FalsePositives")], "Sum"),
        (
            "Confidence score of decisions (0-1)",
            [
                _custom("ConfidenceScore", stat="Average", label="average"),
                _custom("ConfidenceScore", stat="p10", label="p10"),
            ],
            "Average",
        ),
        (
            "Processing latency (ms, stream arrival to decision)",
            [
                _custom("ProcessingLatency", stat="Average", label="average"),
                _custom("ProcessingLatency", stat="p99", label="p99"),
            ],
            "Average",
        ),
    ]


def _search(metric: str, resource: str, stat: str, label: str) -> list:
    """Every series of ``metric`` about ``resource`` (a ${...} of the dashboard), whatever its other dimensions."""
    expression = f'SEARCH(\'Namespace="{AGENTCORE_NAMESPACE}" MetricName="{metric}" "{resource}"\', \'{stat}\', 60)'
    return [{"expression": expression, "label": label, "id": metric.lower()}]


def agentcore_widgets() -> list[tuple]:
    """The agent's gateway (its tool calls) and harness (its invocations), as AgentCore reports them."""
    gateway, harness = "${GatewayArn}", "${HarnessName}"
    return [
        (
            "Agent gateway: tool calls, user and system errors, throttles",
            [_search(m, gateway, "Sum", m) for m in ("Invocations", "UserErrors", "SystemErrors", "Throttles")],
            "Sum",
        ),
        (
            "Agent gateway: latency and tool execution time (ms)",
            [_search(m, gateway, "Average", m) for m in ("Latency", "TargetExecutionTime")],
            "Average",
        ),
        (
            "Agent (harness): invocations, errors, throttles",
            [_search(m, harness, "Sum", m) for m in ("Invocations", "SystemErrors", "UserErrors", "Throttles")],
            "Sum",
        ),
    ]


def add_dashboard(template: Template, functions: dict, data: dict, queue, agent: dict) -> None:
    streams, tables = data["streams"], data["tables"]
    per_function = lambda metric: [["AWS/Lambda", metric, "FunctionName", f"${{{name}}}"] for name in functions]  # noqa: E731

    def per_table(*metrics):
        return [["AWS/DynamoDB", metric, "TableName", f"${{{title}}}"] for title in tables for metric in metrics]

    per_stream = lambda metric: [["AWS/Kinesis", metric, "StreamName", f"${{{title}}}"] for title in streams]  # noqa: E731
    panels = [
        *detection_widgets(),
        *agentcore_widgets(),
        ("Function errors and throttles", per_function("Errors") + per_function("Throttles"), "Sum"),
        ("Function duration (ms)", per_function("Duration"), "Average"),
        ("Streams: oldest unread record (ms)", per_stream("GetRecords.IteratorAgeMilliseconds"), "Maximum"),
        (
            "Streams: records in and write throttles",
            per_stream("IncomingRecords") + per_stream("WriteProvisionedThroughputExceeded"),
            "Sum",
        ),
        (
            "Tables: consumed read and write capacity units",
            per_table("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"),
            "Sum",
        ),
        ("Table throttles", per_table("ReadThrottleEvents", "WriteThrottleEvents"), "Sum"),
        ("Dead-letter queue", [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${Queue}"]], "Maximum"),
    ]
    widgets = [
        observability.metric_widget(title, metrics, 12 * (index % 2), 6 * (index // 2), stat=stat)
        for index, (title, metrics, stat) in enumerate(panels)
    ]
    variables = {name: Ref(function) for name, function in functions.items()}
    variables.update({title: Ref(resource) for title, resource in {**streams, **tables}.items()})
    variables["Queue"] = GetAtt(queue, "QueueName")
    variables["GatewayArn"] = GetAtt(agent["gateway"].gateway, "GatewayArn")
    variables["HarnessName"] = agent["harness"].properties["HarnessName"]
    observability.add_dashboard(template, "fraud-agent", widgets, variables)
