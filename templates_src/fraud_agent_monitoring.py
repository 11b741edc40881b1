"""Alarms and the dashboard of ``fraud-agent``: per function errors, duration and
throttles; per stream iterator age and write throttles; per table read and write throttles; the
dead-letter queue; and the FraudDetection metrics its functions and log filters emit."""

from __future__ import annotations

from troposphere import GetAtt, Ref, Template

from .components import observability

NAMESPACE = "FraudDetection"


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


def add_alarms(template: Template, topic, functions: dict, data: dict, queue) -> None:
    add_function_alarms(template, topic, functions)
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


def add_dashboard(template: Template, functions: dict, data: dict, queue) -> None:
    streams, tables = data["streams"], data["tables"]
    per_function = lambda metric: [["AWS/Lambda", metric, "FunctionName", f"${{{name}}}"] for name in functions]  # noqa: E731

    def per_table(*metrics):
        return [["AWS/DynamoDB", metric, "TableName", f"${{{title}}}"] for title in tables for metric in metrics]

    per_stream = lambda metric: [["AWS/Kinesis", metric, "StreamName", f"${{{title}}}"] for title in streams]  # noqa: E731
    panels = [
        *detection_widgets(),
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
    observability.add_dashboard(template, "fraud-agent", widgets, variables)
