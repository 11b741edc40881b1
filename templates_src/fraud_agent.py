"""Template ``fraud-agent`` (seed "AWS Infrastructure Configuration": fraud detection with an AI agent).

Transactions arrive on a Kinesis stream; a stream processor scores them, records each
decision, and puts FraudDetected on the event bus; an alert handler notifies the alert
topic. EventBridge also routes TransactionReceived and FraudDetected to the events
stream, whose recorder keeps each transaction's history and its user's behaviour
profile. An agent on Amazon Bedrock AgentCore (a harness, AgentCore's managed agent loop,
reaching its tools through an AgentCore gateway: components/agentcore.py) answers analysts,
with a knowledge base of fraud patterns (vectors in S3 Vectors, components/agents.py) and
tools (fraud_agent_tools.py); each environment has its endpoint. The classic Bedrock agent,
closed to new customers from 2026-07-30, exists only where ClassicBedrockAgent is true. Everything is encrypted with one CMK; alarms, metric
filters and a dashboard watch it.
"""

from __future__ import annotations

import awacs.dynamodb
import awacs.events
import awacs.kinesis
import awacs.kms
import awacs.sns
from troposphere import Export, GetAtt, Output, Parameter, Ref, Template, awslambda

from . import fraud_agent_monitoring as monitoring
from . import fraud_agent_tools as tools
from . import policies
from .components import agentcore, agents, buckets, encryption, events, functions, observability, storage, streams
from .components.network import import_network
from .conventions import (
    account_unique_name,
    add_exported_outputs,
    export_name,
    flag_parameter,
    new_template,
    suppress,
)
from .handlers import source

NAME = "fraud-agent"
LOG_RETENTION_DAYS = 90
KNOWLEDGE_PREFIX = "knowledge/"
EVENT_SOURCE = "fraud.platform"
# name suffix -> (hash key, range key and its type, TTL attribute, stream view)
TABLES = {
    "TransactionsTable": ("agent-transactions", "transactionId", ("createdAt", "S"), "expiresAt", "NEW_AND_OLD_IMAGES"),
    "DecisionsTable": ("agent-decisions", "decisionId", None, "expiresAt", None),
    "UserProfilesTable": ("agent-user-profiles", "userId", None, None, None),
    # Keyed by pattern and version. It was "agent-patterns", keyed by patternId alone: a key
    # schema change replaces a table, and CloudFormation cannot replace a named one in place,
    # so the versioned table has a new name; the old one is kept (UpdateReplacePolicy
    # Retain) with its data. docs/platform.md: "Fraud agent's patterns table" has the copy step.
    "PatternsTable": ("agent-pattern-versions", "pattern_id", ("version", "N"), None, None),
}
STREAMS = {"TransactionsStream": ("agent-transactions", 48), "EventsStream": ("agent-events", 24)}  # hours kept
# Kinesis -> stream processor: bisect a failing batch, retry a record at most 3 times or
# for an hour, then send its description to the dead-letter queue.
MAX_RETRIES, MAX_RECORD_AGE_SECONDS, BATCH_SIZE = 3, 3600, 100
AGENT_INSTRUCTION = (
    "You are a fraud analyst's assistant. Explain why a transaction was scored as fraud, using the fraud "
    "patterns in your knowledge base, the transaction and its history, the user's behaviour profile and the "
    "decision trail your tools return. Record a reviewed decision only with its reasoning, and flag a transaction "
    "only when the analyst agrees. Never reveal customer personal data beyond what the question needs, and say so "
    "when neither the knowledge base nor the tools support an answer."
)

# Audit logs are locked (S3 Object Lock, compliance mode) and kept this many days.
AUDIT_RETENTION_DAYS = [1, 7, 30, 90, 180, 365, 400, 545, 731, 1096, 1827, 2557, 3653]
PROD_MIN_AUDIT_RETENTION_DAYS = 365

GATEWAY_INSTRUCTIONS = (
    "Tools of the fraud analysts' assistant: transactions and their history, user behaviour profiles, "
    "decisions (read, and record a reviewed one), flagging, versioned fraud patterns and the knowledge base"
)

PARAMETERS = [
    agents.model_parameter(),
    agents.classic_agent_parameter(),
    Parameter(
        "AuditLogRetentionDays",
        Type="Number",
        AllowedValues=AUDIT_RETENTION_DAYS,
        Description=f"Days each audit log object is locked (Object Lock, compliance mode: nobody, root included, can "
        f"delete or change it earlier) and then kept; at least {PROD_MIN_AUDIT_RETENTION_DAYS} in prod. "
        "Short in dev, whose data is test data: a locked object could not be removed, "
        "not even to honour an erasure request, until its retention ends",
    ),
    Parameter(
        "ProcessorMemoryMb", Type="Number", AllowedValues=[256, 512, 1024, 2048], Description="Stream processor memory"
    ),
    Parameter(
        "ReservedConcurrency", Type="Number", MinValue=1, MaxValue=1000, Description="Reserved executions per function"
    ),
    Parameter(
        "RiskThreshold",
        Type="String",
        AllowedPattern=r"^0\.[0-9]{1,3}$",
        Description="Risk score from which a transaction is fraud",
    ),
    flag_parameter("TableDeletionProtection", "true", "Deletion protection of the four tables"),
    observability.alert_email_parameter(),
    *functions.alarm_parameters(),
    Parameter(
        "IteratorAgeThresholdMs",
        Type="Number",
        MinValue=1000,
        MaxValue=86400000,
        Description="Age of the oldest unread record that alarms, ms",
    ),
]


def require_prod_audit_retention(template: Template) -> None:
    """CloudFormation refuses a prod stack whose audit logs would be kept less than a year."""
    allowed = [str(days) for days in AUDIT_RETENTION_DAYS if days >= PROD_MIN_AUDIT_RETENTION_DAYS]
    template.add_rule(
        "ProdAuditLogRetention",
        {
            "RuleCondition": {"Fn::Equals": [Ref("Environment"), "prod"]},
            "Assertions": [
                {
                    "Assert": {"Fn::Contains": [allowed, Ref("AuditLogRetentionDays")]},
                    "AssertDescription": f"prod keeps audit logs at least {PROD_MIN_AUDIT_RETENTION_DAYS} days",
                }
            ],
        },
    )


def add_table(template: Template, key, title: str) -> object:
    suffix, hash_key, range_key, ttl, view = TABLES[title]
    range_name, range_type = range_key or (None, "S")
    return storage.add_regional_table(
        template,
        title,
        suffix,
        key,
        hash_key,
        range_name,
        range_key_type=range_type,
        deletion_protection=Ref("TableDeletionProtection"),
        ttl_attribute=ttl,
        stream_view=view,
    )


def add_data(template: Template, key) -> dict:
    tables = {title: add_table(template, key, title) for title in TABLES}
    named = lambda suffix: account_unique_name("s3", suffix)  # noqa: E731
    bucket_set = {
        "audit": buckets.lock_in_compliance_mode(
            buckets.add_private_bucket(
                template,
                "AuditLogsBucket",
                named("fa-audit-logs"),
                key,
                current=buckets.expire_after(Ref("AuditLogRetentionDays")),
            ),
            Ref("AuditLogRetentionDays"),
        ),
        "trails": buckets.add_private_bucket(
            template,
            "DecisionTrailsBucket",
            named("fa-decision-trails"),
            key,
            current=buckets.tiered(infrequent_after=30, glacier_after=90),
        ),
        "models": buckets.add_private_bucket(template, "ModelsBucket", named("fa-models"), key),
    }
    for bucket in bucket_set.values():
        suppress(
            bucket,
            "CKV_AWS_18",
            "S3 server access logs cannot go to a KMS-encrypted bucket; object-level "
            "access is recorded by the account trail's data events in prod (stackset-roles)",
        )
    stream_set = {
        title: streams.add_stream(template, title, suffix, key, hours) for title, (suffix, hours) in STREAMS.items()
    }
    return {"tables": tables, "buckets": bucket_set, "streams": stream_set}


def stream_reading(stream) -> list:
    """What a Lambda event source mapping needs of the function's role to read ``stream``."""
    return [
        policies.allow(
            policies.actions(
                awacs.kinesis.DescribeStream,
                awacs.kinesis.DescribeStreamSummary,
                awacs.kinesis.GetRecords,
                awacs.kinesis.GetShardIterator,
                awacs.kinesis.ListShards,
                awacs.kinesis.SubscribeToShard,
            ),
            [GetAtt(stream, "Arn")],
        ),
        policies.allow(policies.actions(awacs.kinesis.ListStreams), ["*"]),  # accepts no resource ARN
    ]


def add_stream_mapping(template: Template, title: str, stream, function, queue) -> awslambda.EventSourceMapping:
    """``stream`` to ``function`` in batches; a failing batch is bisected, a record retried at
    most MAX_RETRIES times or MAX_RECORD_AGE_SECONDS, then described in the dead-letter queue."""
    return template.add_resource(
        awslambda.EventSourceMapping(
            title,
            EventSourceArn=GetAtt(stream, "Arn"),
            FunctionName=Ref(function),
            StartingPosition="LATEST",
            BatchSize=BATCH_SIZE,
            BisectBatchOnFunctionError=True,
            MaximumRetryAttempts=MAX_RETRIES,
            MaximumRecordAgeInSeconds=MAX_RECORD_AGE_SECONDS,
            FunctionResponseTypes=["ReportBatchItemFailures"],
            DestinationConfig=awslambda.DestinationConfig(
                OnFailure=awslambda.OnFailure(Destination=GetAtt(queue, "Arn"))
            ),
            Tags=observability.standard_tags(),
        )
    )


def add_processor(template: Template, key, network, data, queue, bus) -> awslambda.Function:
    log_group = observability.add_log_group(
        template, "ProcessorLogGroup", "fraud-agent-processor", LOG_RETENTION_DAYS, key
    )
    stream, decisions = data["streams"]["TransactionsStream"], data["tables"]["DecisionsTable"]
    audit_environment, audit_statement = tools.audit_writing(data, "scored")  # every decision, audited first
    role = functions.add_function_role(
        template,
        "ProcessorRole",
        "fraud-agent-processor",
        log_group,
        queue,
        [
            *stream_reading(stream),
            policies.allow(policies.actions(awacs.dynamodb.PutItem), [GetAtt(decisions, "Arn")]),
            policies.allow(policies.actions(awacs.events.PutEvents), [GetAtt(bus, "Arn")]),
            audit_statement,
            policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt, awacs.kms.GenerateDataKey),
        ],
        network.vpc_id,
    )
    function = functions.add_inline_function(
        template,
        title="ProcessorFunction",
        suffix="fraud-agent-processor",
        code=source("stream_processor"),
        memory=Ref("ProcessorMemoryMb"),
        reserved_concurrency=Ref("ReservedConcurrency"),
        role=role,
        key=key,
        log_group=log_group,
        dead_letter_queue=queue,
        subnets=network.private_subnet_ids,
        security_group=network.application_security_group,
        timeout=60,
        environment={
            "DECISIONS_TABLE": Ref(decisions),
            "EVENT_BUS": Ref(bus),
            "RISK_THRESHOLD": Ref("RiskThreshold"),
            "ENVIRONMENT": Ref("Environment"),
            **audit_environment,
        },
    )
    add_stream_mapping(template, "TransactionsStreamMapping", stream, function, queue)
    add_metric_filters(template, log_group)
    return function


def add_recorder(template: Template, key, network, data, queue) -> awslambda.Function:
    """The consumer of the events stream (TransactionReceived, FraudDetected): each
    transaction's history in the transactions table, its user's behaviour profile."""
    log_group = observability.add_log_group(
        template, "RecorderLogGroup", "fraud-agent-recorder", LOG_RETENTION_DAYS, key
    )
    stream, tables = data["streams"]["EventsStream"], data["tables"]
    role = functions.add_function_role(
        template,
        "RecorderRole",
        "fraud-agent-recorder",
        log_group,
        queue,
        [
            *stream_reading(stream),
            policies.allow(policies.actions(awacs.dynamodb.PutItem), [GetAtt(tables["TransactionsTable"], "Arn")]),
            policies.allow(policies.actions(awacs.dynamodb.UpdateItem), [GetAtt(tables["UserProfilesTable"], "Arn")]),
            policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt, awacs.kms.GenerateDataKey),
        ],
        network.vpc_id,
    )
    function = functions.add_inline_function(
        template,
        title="RecorderFunction",
        suffix="fraud-agent-recorder",
        code=source("transaction_recorder"),
        memory=256,
        reserved_concurrency=Ref("ReservedConcurrency"),
        role=role,
        key=key,
        log_group=log_group,
        dead_letter_queue=queue,
        subnets=network.private_subnet_ids,
        security_group=network.application_security_group,
        timeout=60,
        environment={
            "TRANSACTIONS_TABLE": Ref(tables["TransactionsTable"]),
            "USER_PROFILES_TABLE": Ref(tables["UserProfilesTable"]),
            "ENVIRONMENT": Ref("Environment"),
        },
    )
    add_stream_mapping(template, "EventsStreamMapping", stream, function, queue)
    return function


def add_metric_filters(template: Template, log_group) -> None:
    observability.add_metric_filter(
        template, "ProcessingErrorsFilter", log_group, '{ $.level = "ERROR" }', "ProcessingErrors"
    )
    observability.add_metric_filter(
        template, "FraudDecisionsFilter", log_group, '{ $.decision = "FRAUD" }', "FraudDecisions"
    )


def add_alert_handler(template: Template, key, network, queue, topic) -> awslambda.Function:
    log_group = observability.add_log_group(
        template, "AlertHandlerLogGroup", "fraud-agent-alerts", LOG_RETENTION_DAYS, key
    )
    role = functions.add_function_role(
        template,
        "AlertHandlerRole",
        "fraud-agent-alerts",
        log_group,
        queue,
        [
            policies.allow(policies.actions(awacs.sns.Publish), [Ref(topic)]),
            policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt, awacs.kms.GenerateDataKey),
        ],
        network.vpc_id,
    )
    return functions.add_inline_function(
        template,
        title="AlertHandlerFunction",
        suffix="fraud-agent-alerts",
        code=source("alert_handler"),
        memory=256,
        reserved_concurrency=Ref("ReservedConcurrency"),
        role=role,
        key=key,
        log_group=log_group,
        dead_letter_queue=queue,
        subnets=network.private_subnet_ids,
        security_group=network.application_security_group,
        environment={"ALERT_TOPIC_ARN": Ref(topic), "ENVIRONMENT": Ref("Environment")},
    )


def add_routing(template: Template, key, bus, data, alert_handler, queue) -> None:
    observed = {"source": [EVENT_SOURCE], "detail-type": ["TransactionReceived", "FraudDetected"]}
    rules = [
        events.route_to_stream(
            template,
            "TransactionEventsRule",
            "fraud-agent-events",
            "TransactionReceived and FraudDetected to the events stream",
            bus,
            observed,
            data["streams"]["EventsStream"],
            key,
            "$.detail.transactionId",
            queue,
        ),
        events.route_to_function(
            template,
            "FraudDetectedRule",
            "fraud-agent-alerts",
            "FraudDetected to the alert handler",
            bus,
            {"source": [EVENT_SOURCE], "detail-type": ["FraudDetected"]},
            alert_handler,
            queue,
        ),
    ]
    events.allow_dead_lettering(template, "DeadLetterQueuePolicy", queue, rules)


def add_knowledge_base(template: Template, key, data) -> object:
    vector_bucket, index = agents.add_vector_store(template, NAME, key)
    models = data["buckets"]["models"]
    kb_role = agents.add_knowledge_base_role(template, NAME, key, models, KNOWLEDGE_PREFIX, index)
    return agents.add_knowledge_base(
        template,
        suffix=NAME,
        description="Fraud patterns and past investigations",
        role=kb_role,
        key=key,
        vector_bucket=vector_bucket,
        index=index,
        documents_bucket=models,
        documents_prefix=KNOWLEDGE_PREFIX,
    )


def add_classic_agent(template: Template, key, knowledge_base, action_groups) -> dict:
    """Only where the ClassicBedrockAgent parameter is on (components/agents.py)."""
    model = Ref(agents.MODEL_PARAMETER)
    role = agents.add_agent_role(template, NAME, key, model, knowledge_base)
    agent, alias = agents.add_agent(
        template,
        suffix=NAME,
        description="Explains fraud decisions to analysts",
        instruction=AGENT_INSTRUCTION,
        model_id=agents.inference_profile_id(model),
        role=role,
        key=key,
        knowledge_base=knowledge_base,
        knowledge_base_use="Fraud patterns and past investigations: consult it for every explanation",
        alias_name=Ref("Environment"),
        action_groups=tuple(group for group in action_groups if group.name not in tools.GATEWAY_ONLY),
    )
    return {"agent": agent, "alias": alias}


def add_agentcore_agent(template: Template, key, network, action_groups) -> dict:
    """The agent on AgentCore: a gateway whose targets are the tools, a harness that uses it
    (components/agentcore.py), an endpoint per environment and the policy that may invoke it."""
    gateway = agentcore.add_gateway(
        template,
        suffix=NAME,
        description="The fraud agent's tools: transactions, profiles, decisions, flagging, patterns, knowledge",
        instructions=GATEWAY_INSTRUCTIONS,
        key=key,
        groups=action_groups,
    )
    model = Ref(agents.MODEL_PARAMETER)
    role = agentcore.add_harness_role(template, NAME, key, model, gateway.gateway)
    harness, endpoint = agentcore.add_harness(
        template,
        suffix=NAME,
        instruction=AGENT_INSTRUCTION,
        model_id=agents.inference_profile_id(model),
        role=role,
        gateway=gateway.gateway,
        network=network,
    )
    invoker = agentcore.add_invoker_policy(template, NAME, harness)
    return {"gateway": gateway, "harness": harness, "endpoint": endpoint, "invoker": invoker}


def add_agent_outputs(template: Template, agentcore_agent: dict, classic: dict) -> None:
    for name, value, description in (
        ("ClassicAgentId", GetAtt(classic["agent"], "AgentId"), "Bedrock agent (classic)"),
        ("ClassicAgentAliasId", GetAtt(classic["alias"], "AgentAliasId"), "The environment's classic agent alias"),
    ):
        template.add_output(
            Output(
                name,
                Condition=agents.CLASSIC_AGENT_CONDITION,
                Description=description,
                Value=value,
                Export=Export(export_name(NAME, name)),
            )
        )


def build() -> Template:
    template = new_template(
        "Fraud detection with an AI agent: streams, functions, tables, buckets, Bedrock", PARAMETERS
    )
    agents.add_inference_profile_mapping(template)
    agents.add_classic_agent_condition(template)
    require_prod_audit_retention(template)
    network = import_network()
    key = encryption.add_kms_key(
        template,
        "DataKey",
        "fraud agent data",
        [
            policies.logs_key_user(),
            # Alarms to the encrypted topic: CloudWatch sends aws:SourceAccount with its KMS requests.
            ("cloudwatch.amazonaws.com", policies.source_account_condition()),
            # Undeliverable events to the encrypted dead-letter queue. EventBridge's KMS requests carry
            # no aws:SourceAccount / aws:SourceArn (AWS documents them as unsupported there): such a
            # condition would drop every event silently. The queue policy admits only our rules.
            ("events.amazonaws.com", None),
            ("indexing.s3vectors.amazonaws.com", policies.source_account_condition()),  # vector index maintenance
        ],
    )
    data = add_data(template, key)
    queue = functions.add_dead_letter_queue(template, "DeadLetterQueue", NAME, key)
    bus = events.add_bus(template, NAME)
    topic = observability.add_alert_topic(template, key, template.parameters["AlertEmail"], NAME)
    processor = add_processor(template, key, network, data, queue, bus)
    alert_handler = add_alert_handler(template, key, network, queue, topic)
    add_routing(template, key, bus, data, alert_handler, queue)
    recorder = add_recorder(template, key, network, data, queue)
    data["knowledge_base"] = add_knowledge_base(template, key, data)
    action_groups = tools.add_action_groups(template, key, network, data, queue, bus)
    classic = add_classic_agent(template, key, data["knowledge_base"], action_groups)
    agent = add_agentcore_agent(template, key, network, action_groups)
    watched = {
        "Processor": processor,
        "AlertHandler": alert_handler,
        "Recorder": recorder,
        **{group.executor.title.removesuffix("Function"): group.executor for group in action_groups},
    }
    monitoring.add_alarms(template, topic, watched, data, queue, agent["gateway"].gateway)
    monitoring.add_dashboard(template, watched, data, queue, agent)
    add_exported_outputs(
        template,
        NAME,
        {
            "TransactionsStreamArn": (
                GetAtt(data["streams"]["TransactionsStream"], "Arn"),
                "Where transactions are put",
            ),
            "EventBusName": (Ref(bus), "Fraud events"),
            "HarnessArn": (GetAtt(agent["harness"], "Arn"), "The agent (AgentCore harness): InvokeHarness it"),
            "HarnessEndpointArn": (GetAtt(agent["endpoint"], "Arn"), "The environment's endpoint of the agent"),
            "AgentInvokerPolicyArn": (Ref(agent["invoker"]), "Attach to whoever may invoke the agent"),
            "GatewayArn": (GetAtt(agent["gateway"].gateway, "GatewayArn"), "The agent's tools (AgentCore gateway)"),
            "KnowledgeBaseId": (Ref(data["knowledge_base"]), "Fraud patterns knowledge base"),
            "ModelsBucketName": (Ref(data["buckets"]["models"]), "Models; knowledge documents under knowledge/"),
            "DeadLetterQueueUrl": (Ref(queue), "Failed records and events"),
            "AlertTopicArn": (Ref(topic), "Alerts"),
        },
    )
    add_agent_outputs(template, agent, classic)
    return template
