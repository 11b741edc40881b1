"""The fraud agent's tools, called two ways:

- by an AgentCore gateway (the default agent): the event is the tool's arguments as JSON
  values, and the client context names the tool, ``<target>___<tool>``
  (``bedrockAgentCoreToolName``; AWS Lambda function targets, AgentCore developer guide:
  https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-add-target-lambda.html).
  The answer is returned as JSON; a question the data cannot answer as ``{"unanswered": …}``.
- by a classic Bedrock agent (only where ClassicBedrockAgent is on): the event of a
  function-details action group (``actionGroup``, ``function``, ``parameters`` as name, type and
  text value), answered with ``response.functionResponse.responseBody.TEXT.body``.

Each action group has its own Lambda function whose role reaches that group's data only;
ACTION_GROUP says which group (and gateway target) a function serves, and it answers no
other group's tools.
What the analyst asked about and does not exist (no such transaction, user or decision), or
a parameter the model got wrong, is answered with responseState REPROMPT: the model sees
the text and can tell the analyst, where FAILURE would end the session with an error.

record_decision writes the reviewed decision to the audit-logs bucket first (locked by the
bucket's Object Lock default retention); if that fails, nothing is recorded and the call
fails. get_fraud_pattern reads a fraud pattern's latest version, or the version asked for,
from the patterns table (keyed by pattern_id and a numeric version).

record_decision also reports, in the FraudDetection namespace (embedded metric format), how
the automatic decision fared against the reviewed one: DetectionAccuracy (Percent: 100 when
they agree, 0 when not; its average is the accuracy) and FalsePositives (Count: scored FRAUD,
reviewed APPROVE)."""

import json
import os
import time
import uuid
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Key

HISTORY_LIMIT = 50
KNOWLEDGE_RESULTS = 5
TOOL_NAME_SEPARATOR = "___"  # the gateway names a target's tool <target>___<tool>
DECISION_TTL_DAYS = int(os.environ.get("DECISION_TTL_DAYS", "365"))
DECISIONS = ("FRAUD", "APPROVE")
CONVERSIONS = {"number": float, "integer": int, "boolean": lambda text: text.lower() == "true"}


class Unanswerable(Exception):
    """A question the data cannot answer: said to the model, not raised to Bedrock."""


def table(variable):
    return boto3.resource("dynamodb").Table(os.environ[variable])


def plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def emit_metrics(units, values):
    """One embedded-metric-format line."""
    print(json.dumps({
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": "FraudDetection", "Dimensions": [["Environment"]],
            "Metrics": [{"Name": name, "Unit": units[name]} for name in values]}]},
        "Environment": os.environ.get("ENVIRONMENT", "unknown"), **values}, sort_keys=True))


def history_of(transaction_id):
    """The transaction's recorded events, oldest first (the latest HISTORY_LIMIT)."""
    items = table("TRANSACTIONS_TABLE").query(KeyConditionExpression=Key("transactionId").eq(transaction_id),
                                              ScanIndexForward=False, Limit=HISTORY_LIMIT)["Items"]
    if not items:
        raise Unanswerable(f"No transaction {transaction_id} is recorded.")
    return list(reversed(items))


def need(params, *names):
    missing = [name for name in names if params.get(name) in (None, "")]
    if missing:
        raise Unanswerable(f"Missing parameter: {', '.join(missing)}.")
    return [params[name] for name in names]


def get_transaction(params, event):
    history = history_of(*need(params, "transactionId"))
    return {"transaction": history[-1], "history": history}


def get_user_profile(params, event):
    [user_id] = need(params, "userId")
    profile = table("USER_PROFILES_TABLE").get_item(Key={"userId": user_id}).get("Item")
    if profile is None:
        raise Unanswerable(f"No behaviour profile for user {user_id}.")
    return profile


def review_id(transaction_id):
    return f"{transaction_id}#review"


def read_reasoning(trail_key):
    body = boto3.client("s3").get_object(Bucket=os.environ["TRAILS_BUCKET"], Key=trail_key)["Body"].read()
    return json.loads(body)["reasoning"]


def get_decision(params, event):
    [transaction_id] = need(params, "transactionId")
    decisions = table("DECISIONS_TABLE")
    scored = decisions.get_item(Key={"decisionId": transaction_id}).get("Item")
    review = decisions.get_item(Key={"decisionId": review_id(transaction_id)}).get("Item")
    if scored is None and review is None:
        raise Unanswerable(f"No decision on transaction {transaction_id}.")
    if review is not None:
        review["reasoning"] = read_reasoning(review["trailKey"])
    return {"scored": scored, "review": review}


def write_audit(record, recorded_at):
    """The decision in the audit-logs bucket, locked by its default retention. S3 requires a
    checksum on uploads to a bucket with Object Lock retention
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html)."""
    key = f"decisions/reviewed/{record['transactionId']}/{recorded_at}-{uuid.uuid4()}.json"
    boto3.client("s3").put_object(
        Bucket=os.environ["AUDIT_BUCKET"], Key=key, Body=json.dumps(record, sort_keys=True, default=plain).encode(),
        ContentType="application/json", ChecksumAlgorithm="SHA256")
    return key


def write_trail(trail, recorded_at):
    key = f"decisions/{trail['transactionId']}/{recorded_at}-{uuid.uuid4()}.json"
    boto3.client("s3").put_object(
        Bucket=os.environ["TRAILS_BUCKET"], Key=key, Body=json.dumps(trail, sort_keys=True, default=plain).encode(),
        ContentType="application/json", ServerSideEncryption="aws:kms", SSEKMSKeyId=os.environ["TRAILS_KEY_ARN"])
    return key


def report_review(scored, reviewed):
    """How the automatic decision fared against the reviewed one."""
    emit_metrics({"DetectionAccuracy": "Percent", "FalsePositives": "Count"}, {
        "DetectionAccuracy": 100 if scored == reviewed else 0,
        "FalsePositives": int(scored == "FRAUD" and reviewed == "APPROVE")})


def record_decision(params, event):
    transaction_id, decision, reasoning, confidence = need(params, "transactionId", "decision", "reasoning", "confidence")
    decision = decision.upper()
    if decision not in DECISIONS or not 0 <= confidence <= 1:
        raise Unanswerable(f"decision must be one of {', '.join(DECISIONS)} and confidence 0 to 1.")
    decisions = table("DECISIONS_TABLE")
    scored = decisions.get_item(Key={"decisionId": transaction_id}).get("Item")
    if scored is None:
        raise Unanswerable(f"Transaction {transaction_id} was never scored: there is no decision to review.")
    recorded_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    trail = {"transactionId": transaction_id, "decision": decision, "reasoning": reasoning,
             "confidence": confidence, "scoredDecision": scored["decision"], "recordedAt": recorded_at,
             "agentId": event.get("agent", {}).get("id"), "sessionId": event.get("sessionId"),
             "via": event.get("via", "bedrock-agent")}
    audit_key = write_audit(trail, recorded_at)  # before anything else: no decision without its audit record
    trail_key = write_trail(trail, recorded_at)
    decisions.put_item(Item={
        "decisionId": review_id(transaction_id), "decision": decision, "confidence": Decimal(str(confidence)),
        "scoredDecision": scored["decision"], "trailKey": trail_key, "auditKey": audit_key, "recordedAt": recorded_at,
        "expiresAt": int(time.time()) + DECISION_TTL_DAYS * 86400})
    report_review(scored["decision"], decision)
    return {"recorded": review_id(transaction_id), "trailKey": trail_key, "auditKey": audit_key}


def flag_transaction(params, event):
    transaction_id, reason = need(params, "transactionId", "reason")
    history_of(transaction_id)  # only what exists is flagged
    detail = {"transactionId": transaction_id, "reason": reason, "flaggedBy": "fraud-agent"}
    if params.get("riskScore") is not None:
        detail["riskScore"] = params["riskScore"]
    answer = boto3.client("events").put_events(Entries=[{
        "EventBusName": os.environ["EVENT_BUS"], "Source": "fraud.platform", "DetailType": "FraudDetected",
        "Detail": json.dumps(detail, sort_keys=True)}])
    if answer["FailedEntryCount"]:
        raise RuntimeError(f"FraudDetected was not put: {answer['Entries'][0].get('ErrorMessage')}")
    return {"flagged": transaction_id, "eventId": answer["Entries"][0]["EventId"]}


def search_knowledge_base(params, event):
    [query] = need(params, "query")
    results = boto3.client("bedrock-agent-runtime").retrieve(
        knowledgeBaseId=os.environ["KNOWLEDGE_BASE_ID"], retrievalQuery={"text": query},
        retrievalConfiguration={"vectorSearchConfiguration": {"numberOfResults": KNOWLEDGE_RESULTS}},
    )["retrievalResults"]
    if not results:
        raise Unanswerable(f"The knowledge base has nothing on: {query}.")
    return {"passages": [{"text": result["content"]["text"], "source": result.get("location"),
                          "score": result.get("score")} for result in results]}


def get_fraud_pattern(params, event):
    [pattern_id] = need(params, "patternId")
    patterns = table("PATTERNS_TABLE")
    if params.get("version") is None:
        latest = patterns.query(KeyConditionExpression=Key("pattern_id").eq(pattern_id), ScanIndexForward=False,
                                Limit=1)["Items"]
        if not latest:
            raise Unanswerable(f"No fraud pattern {pattern_id}.")
        return latest[0]
    pattern = patterns.get_item(Key={"pattern_id": pattern_id, "version": params["version"]}).get("Item")
    if pattern is None:
        raise Unanswerable(f"Fraud pattern {pattern_id} has no version {params['version']}.")
    return pattern


ACTION_GROUPS = {
    "transaction-lookup": {"get_transaction": get_transaction},
    "user-profiles": {"get_user_profile": get_user_profile},
    "decisions": {"get_decision": get_decision, "record_decision": record_decision},
    "flagging": {"flag_transaction": flag_transaction},
    "fraud-patterns": {"get_fraud_pattern": get_fraud_pattern},
    "knowledge-base": {"search_knowledge_base": search_knowledge_base},
}


def parameters(event):
    """The event's parameters, each converted from text by its declared type."""
    converted = {}
    for parameter in event.get("parameters") or []:
        try:
            converted[parameter["name"]] = CONVERSIONS.get(parameter.get("type"), str)(parameter["value"])
        except ValueError:
            raise Unanswerable(f"{parameter['name']} must be a {parameter.get('type')}, got {parameter['value']!r}.") from None
    return converted


def respond(event, text, state=None):
    function_response = {"responseBody": {"TEXT": {"body": text}}}
    if state:
        function_response["responseState"] = state
    return {"messageVersion": "1.0", "response": {
        "actionGroup": event["actionGroup"], "function": event["function"], "functionResponse": function_response},
        "sessionAttributes": event.get("sessionAttributes", {}),
        "promptSessionAttributes": event.get("promptSessionAttributes", {})}


def answer_classic(event):
    tool = ACTION_GROUPS[os.environ["ACTION_GROUP"]].get(event["function"])
    if tool is None or event["actionGroup"] != os.environ["ACTION_GROUP"]:
        return respond(event, f"{event['actionGroup']}.{event['function']} is not served here.", "FAILURE")
    try:
        answer = json.dumps(tool(parameters(event), event), sort_keys=True, default=plain)
    except Unanswerable as problem:
        print(json.dumps({"level": "WARN", "function": event["function"], "unanswered": str(problem)}))
        return respond(event, str(problem), "REPROMPT")
    print(json.dumps({"level": "INFO", "function": event["function"]}))
    return respond(event, answer)


class NotServed(Exception):
    """A gateway asked for a tool this function does not serve: the call fails."""


def answer_gateway(arguments, context):
    custom = getattr(getattr(context, "client_context", None), "custom", None) or {}
    target, _, name = custom.get("bedrockAgentCoreToolName", "").partition(TOOL_NAME_SEPARATOR)
    tool = ACTION_GROUPS[os.environ["ACTION_GROUP"]].get(name)
    if tool is None or target != os.environ["ACTION_GROUP"]:
        raise NotServed(f"{target}{TOOL_NAME_SEPARATOR}{name} is not served here")
    caller = {"agent": {"id": custom.get("bedrockAgentCoreGatewayId")},
              "sessionId": custom.get("bedrockAgentCoreMcpMessageId"), "via": "agentcore-gateway"}
    try:
        answer = tool(dict(arguments or {}), caller)
    except Unanswerable as problem:
        print(json.dumps({"level": "WARN", "function": name, "unanswered": str(problem)}))
        return {"unanswered": str(problem)}
    print(json.dumps({"level": "INFO", "function": name}))
    return json.loads(json.dumps(answer, sort_keys=True, default=plain))


def handler(event, context):
    if "actionGroup" in event and "function" in event:
        return answer_classic(event)
    return answer_gateway(event, context)
