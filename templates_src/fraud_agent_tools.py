"""The fraud agent's tools: four action groups (function details), each run by its own Lambda
function (handlers/agent_tools.py) whose role reaches that group's data only.

- transaction-lookup: a transaction and its history (transactions table, read);
- user-profiles: a user's behaviour profile (user profiles table, read);
- decisions: read a decision with its reasoning, record a reviewed one (decisions table,
  decision-trails bucket under ``decisions/``, SSE-KMS with the data key);
- flagging: flag a transaction (FraudDetected on the platform bus);
- fraud-patterns: a fraud pattern's latest or a given version (patterns table, read);
- knowledge-base: passages of the fraud-patterns knowledge base (bedrock:Retrieve on it). The
  classic agent consults the knowledge base itself; the AgentCore harness has no knowledge
  base setting, and a gateway's knowledge-base connector serves managed knowledge bases only
  (https://docs.aws.amazon.com/bedrock/latest/userguide/kb-gateway-target.html), not ours on
  S3 Vectors: so it is a tool on the gateway (GATEWAY_ONLY), run like the others.

The same groups are the AgentCore gateway's targets (components/agentcore.py), one target per
group, each tool's inline schema made from its parameters below.

A reviewed decision is also written to the audit-logs bucket (Object Lock) under
``decisions/reviewed/``, as the stream processor writes its own under ``decisions/scored/``
(``audit_writing``). Writes ask the analyst to confirm each call (RequireConfirmation)."""

from __future__ import annotations

import awacs.bedrock
import awacs.dynamodb
import awacs.events
import awacs.kms
import awacs.s3
from troposphere import GetAtt, Ref, Sub, Template

from . import policies
from .components import functions, observability
from .components.agents import ActionGroup, Tool
from .handlers import source

LOG_RETENTION_DAYS = 90
# An analyst's conversation calls one tool at a time: a few executions each are plenty, and
# keep the account's unreserved concurrency (at least 100 must stay) for the stream consumers.
TOOL_CONCURRENCY = 5
TRAILS_PREFIX = "decisions/"
AUDIT_PREFIXES = {"scored": "decisions/scored/", "reviewed": "decisions/reviewed/"}  # in the audit-logs bucket

TRANSACTION_ID = ("string", "The transaction's id, e.g. t-1234", True)


def _decrypt(key):
    return policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt)


def _query_transactions(data):
    return policies.allow(policies.actions(awacs.dynamodb.Query), [GetAtt(data["tables"]["TransactionsTable"], "Arn")])


def _transaction_lookup(key, data, bus) -> tuple[dict, list]:
    """(environment, statements) of the group's function: its resources, nothing else."""
    return {"TRANSACTIONS_TABLE": Ref(data["tables"]["TransactionsTable"])}, [_query_transactions(data), _decrypt(key)]


def _user_profiles(key, data, bus) -> tuple[dict, list]:
    profiles = data["tables"]["UserProfilesTable"]
    return {"USER_PROFILES_TABLE": Ref(profiles)}, [
        policies.allow(policies.actions(awacs.dynamodb.GetItem), [GetAtt(profiles, "Arn")]),
        _decrypt(key),
    ]


def audit_writing(data, kind: str) -> tuple[dict, object]:
    """(environment, statement) to write ``kind`` decisions to the audit-logs bucket: PutObject
    under its prefix only (append-only: no read, no delete; Object Lock keeps each version)."""
    audit = data["buckets"]["audit"]
    statement = policies.allow(
        policies.actions(awacs.s3.PutObject), [Sub(f"${{Arn}}/{AUDIT_PREFIXES[kind]}*", Arn=GetAtt(audit, "Arn"))]
    )
    return {"AUDIT_BUCKET": Ref(audit)}, statement


def _decisions(key, data, bus) -> tuple[dict, list]:
    decisions, trails = data["tables"]["DecisionsTable"], data["buckets"]["trails"]
    audit_environment, audit_statement = audit_writing(data, "reviewed")
    environment = {
        "DECISIONS_TABLE": Ref(decisions),
        "TRAILS_BUCKET": Ref(trails),
        "TRAILS_KEY_ARN": GetAtt(key, "Arn"),
        **audit_environment,
    }
    return environment, [
        audit_statement,
        policies.allow(policies.actions(awacs.dynamodb.GetItem, awacs.dynamodb.PutItem), [GetAtt(decisions, "Arn")]),
        policies.allow(
            policies.actions(awacs.s3.GetObject, awacs.s3.PutObject),
            [Sub(f"${{Arn}}/{TRAILS_PREFIX}*", Arn=GetAtt(trails, "Arn"))],
        ),
        policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt, awacs.kms.GenerateDataKey),
    ]


def _flagging(key, data, bus) -> tuple[dict, list]:
    environment = {"TRANSACTIONS_TABLE": Ref(data["tables"]["TransactionsTable"]), "EVENT_BUS": Ref(bus)}
    return environment, [
        _query_transactions(data),
        policies.allow(policies.actions(awacs.events.PutEvents), [GetAtt(bus, "Arn")]),
        _decrypt(key),
    ]


def _fraud_patterns(key, data, bus) -> tuple[dict, list]:
    patterns = data["tables"]["PatternsTable"]
    return {"PATTERNS_TABLE": Ref(patterns)}, [
        policies.allow(policies.actions(awacs.dynamodb.GetItem, awacs.dynamodb.Query), [GetAtt(patterns, "Arn")]),
        _decrypt(key),
    ]


def _knowledge_base(key, data, bus) -> tuple[dict, list]:
    knowledge_base = data["knowledge_base"]
    return {"KNOWLEDGE_BASE_ID": Ref(knowledge_base)}, [
        policies.allow(policies.actions(awacs.bedrock.Retrieve), [GetAtt(knowledge_base, "KnowledgeBaseArn")]),
    ]


GATEWAY_ONLY = frozenset({"knowledge-base"})  # groups the classic agent does not need (it has the knowledge base)

# action group -> (description, its functions, what its executor may reach)
TOOLS = {
    "transaction-lookup": (
        "Look up a transaction and its history",
        {
            "get_transaction": Tool(
                "A transaction's latest recorded state and its history: every event recorded for it "
                "(TransactionReceived, FraudDetected), oldest first",
                {"transactionId": TRANSACTION_ID},
            ),
        },
        _transaction_lookup,
    ),
    "user-profiles": (
        "Read a user's behaviour profile",
        {
            "get_user_profile": Tool(
                "A user's behaviour profile: number of transactions, total amount, last transaction",
                {"userId": ("string", "The user's id", True)},
            ),
        },
        _user_profiles,
    ),
    "decisions": (
        "Read and record fraud decisions with their reasoning",
        {
            "get_decision": Tool(
                "The automatic decision on a transaction (decision, risk score) and the reviewed one, "
                "if any, with its reasoning",
                {"transactionId": TRANSACTION_ID},
            ),
            "record_decision": Tool(
                "Record the reviewed decision on a scored transaction, with the reasoning behind it "
                "(kept in the decision trail)",
                {
                    "transactionId": TRANSACTION_ID,
                    "decision": ("string", "FRAUD or APPROVE", True),
                    "reasoning": ("string", "Why: the facts and patterns the decision rests on", True),
                    "confidence": ("number", "How sure the decision is, 0 to 1", True),
                },
                confirm=True,
            ),
        },
        _decisions,
    ),
    "flagging": (
        "Flag a transaction as fraud",
        {
            "flag_transaction": Tool(
                "Flag a recorded transaction as fraud: alerts the fraud team (FraudDetected event)",
                {
                    "transactionId": TRANSACTION_ID,
                    "reason": ("string", "Why the transaction is flagged", True),
                    "riskScore": ("number", "The risk score, 0 to 1, if one was assessed", False),
                },
                confirm=True,
            ),
        },
        _flagging,
    ),
    "fraud-patterns": (
        "Read the versioned fraud patterns",
        {
            "get_fraud_pattern": Tool(
                "A fraud pattern as the patterns table keeps it: its latest version, or the version asked for",
                {
                    "patternId": ("string", "The pattern's id, e.g. card-testing", True),
                    "version": ("integer", "The version to read; the latest when left out", False),
                },
            ),
        },
        _fraud_patterns,
    ),
    "knowledge-base": (
        "Search the fraud patterns and past investigations",
        {
            "search_knowledge_base": Tool(
                "The passages of the fraud-patterns knowledge base (fraud patterns, past investigations) most "
                "relevant to a question, each with its source: consult it for every explanation",
                {"query": ("string", "What to look up, in plain words, e.g. card testing on a new device", True)},
            ),
        },
        _knowledge_base,
    ),
}


def _title(group: str) -> str:
    """transaction-lookup -> TransactionLookupTool"""
    return "".join(part.capitalize() for part in group.split("-")) + "Tool"


def add_executor(template: Template, group: str, access, key, network, data, queue, bus):
    """The Lambda function that runs one action group, built like the platform's others."""
    title, suffix = _title(group), f"fraud-agent-{group}"
    log_group = observability.add_log_group(template, f"{title}LogGroup", suffix, LOG_RETENTION_DAYS, key)
    environment, statements = access(key, data, bus)
    role = functions.add_function_role(template, f"{title}Role", suffix, log_group, queue, statements, network.vpc_id)
    return functions.add_inline_function(
        template,
        title=f"{title}Function",
        suffix=suffix,
        code=source("agent_tools"),
        memory=256,
        reserved_concurrency=TOOL_CONCURRENCY,
        role=role,
        key=key,
        log_group=log_group,
        dead_letter_queue=queue,
        subnets=network.private_subnet_ids,
        security_group=network.application_security_group,
        environment={**environment, "ACTION_GROUP": group, "ENVIRONMENT": Ref("Environment")},
    )


def add_action_groups(template: Template, key, network, data, queue, bus) -> tuple[ActionGroup, ...]:
    return tuple(
        ActionGroup(
            name=group,
            description=description,
            tools=tools,
            executor=add_executor(template, group, access, key, network, data, queue, bus),
        )
        for group, (description, tools, access) in TOOLS.items()
    )
