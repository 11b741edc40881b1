"""The fraud agent on Amazon Bedrock AgentCore: the gateway, its targets' tool schemas, the
harness and who may invoke what, checked against the registry schemas cfn-lint bundles; and
each tool function called as the gateway calls it (the tool's arguments as the event, its
name in the client context), with the schema's example input, on moto."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from types import SimpleNamespace

import boto3
import pytest
from botocore.stub import Stubber

from cfnops.awsfacts import schemas
from templates_src import fraud_agent_monitoring as monitoring
from templates_src.components import agentcore, agents
from templates_src.fraud_agent import AGENT_INSTRUCTION
from templates_src.fraud_agent_tools import GATEWAY_ONLY, TOOLS
from templates_src.platform import PLATFORM
from tests.conftest import props, ref, resources_of_type
from tests.unit.platform.test_fraud_agent_tools import World, tools  # noqa: F401  (the moto world and its fixture)

AGENTCORE_TYPES = ("Gateway", "GatewayTarget", "Harness", "HarnessEndpoint")
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
ACCOUNT = "123456789012"
JSON_TYPES = {"string": str, "number": float, "integer": int}
# What each parameter the tool schemas declare is set to in the example input (ids the world has)
EXAMPLES = {
    "transactionId": "t-1",
    "userId": "u-1",
    "decision": "FRAUD",
    "reasoning": "Card testing: many small amounts",
    "confidence": 0.9,
    "reason": "card testing",
    "riskScore": 0.97,
    "patternId": "card-testing",
    "version": 1,
    "query": "card testing on a new device",
}
UNKNOWN = {"transactionId": "t-404", "userId": "u-404", "patternId": "velocity", "query": "nothing known"}


@pytest.fixture(scope="module")
def agent(templates):
    return templates["fraud-agent"]


def targets(agent) -> dict[str, dict]:
    """Target name -> its properties."""
    found = resources_of_type(agent, "AWS::BedrockAgentCore::GatewayTarget").values()
    return {target["Properties"]["Name"]: target["Properties"] for target in found}


def tool_schemas(target: dict) -> dict[str, dict]:
    return {
        tool["Name"]: tool for tool in target["TargetConfiguration"]["Mcp"]["Lambda"]["ToolSchema"]["InlinePayload"]
    }


def function_of(target: dict) -> str:
    return target["TargetConfiguration"]["Mcp"]["Lambda"]["LambdaArn"]["Fn::GetAtt"][0]


# --- the registry schemas ----------------------------------------------------------------------


def _definition(schema: dict, node: dict) -> dict:
    """``node`` with its $ref, allOf and oneOf folded in: every property any branch allows."""
    while "$ref" in node:
        node = {
            **schema["definitions"][node["$ref"].rsplit("/", 1)[1]],
            **{k: v for k, v in node.items() if k != "$ref"},
        }
    merged = dict(node)
    for branch in node.get("allOf", []) + node.get("oneOf", []):
        branch = _definition(schema, branch)
        merged["properties"] = {**merged.get("properties", {}), **branch.get("properties", {})}
        merged.setdefault("type", branch.get("type"))
    return merged


def undeclared(schema: dict, node: dict, value, path: str) -> list[str]:
    """Every key of ``value`` the schema does not declare at ``path`` (intrinsics are values)."""
    node = _definition(schema, node)
    if isinstance(value, dict) and not any(key.startswith("Fn::") or key == "Ref" for key in value):
        declared = node.get("properties")
        if declared is None and "patternProperties" in node:  # a map: each value against its pattern's schema
            patterns = node["patternProperties"]
            return [
                problem
                for key, item in value.items()
                for pattern in [next((p for p in patterns if re.search(p, key)), None)]
                for problem in (
                    [f"{path}.{key}"]
                    if pattern is None
                    else undeclared(schema, patterns[pattern], item, f"{path}.{key}")
                )
            ]
        if declared is None:  # a free object (AwsIam: {}, additional model parameters)
            return []
        problems = [f"{path}.{key}" for key in value if key not in declared]
        return problems + [
            problem
            for key, item in value.items()
            if key in declared
            for problem in undeclared(schema, declared[key], item, f"{path}.{key}")
        ]
    if isinstance(value, list) and "items" in node:
        return [
            problem
            for i, item in enumerate(value)
            for problem in undeclared(schema, node["items"], item, f"{path}[{i}]")
        ]
    return []


def is_set(properties: dict, path: list[str]) -> bool:
    value = properties
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True


@pytest.mark.parametrize("region", REGIONS)
def test_every_agentcore_resource_uses_only_what_its_registry_schema_declares(agent, region):
    for kind in AGENTCORE_TYPES:
        schema = schemas.schema(f"AWS::BedrockAgentCore::{kind}", region)
        for name, resource in resources_of_type(agent, f"AWS::BedrockAgentCore::{kind}").items():
            properties = resource["Properties"]
            assert set(schema.get("required", [])) <= set(properties), name
            for pointer in schema.get("readOnlyProperties", []):
                assert not is_set(properties, pointer.split("/")[2:]), (name, pointer)
            assert undeclared(schema, {"properties": schema["properties"]}, properties, name) == []


def test_the_schema_check_catches_a_property_the_schema_does_not_have(agent):
    schema = schemas.schema("AWS::BedrockAgentCore::Harness")
    harness = json.loads(json.dumps(props(agent, "Harness")))
    harness["Tools"][0]["Config"]["AgentCoreGateway"]["Region"] = "eu-west-1"
    assert undeclared(schema, {"properties": schema["properties"]}, harness, "Harness") == [
        "Harness.Tools[0].Config.AgentCoreGateway.Region"
    ]


# --- tools, their schemas, their functions ---------------------------------------------------


def test_each_tool_group_is_a_gateway_target_run_by_its_own_function(agent):
    found = targets(agent)
    assert set(found) == set(TOOLS)
    for name, target in found.items():
        function = props(agent, function_of(target))
        assert function["Environment"]["Variables"]["ACTION_GROUP"] == name
        assert target["CredentialProviderConfigurations"] == [{"CredentialProviderType": "GATEWAY_IAM_ROLE"}]
        assert target["GatewayIdentifier"] == {"Fn::GetAtt": ["Gateway", "GatewayIdentifier"]}


def test_the_tool_schemas_declare_exactly_what_each_handler_serves_and_reads(agent, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    import templates_src.handlers.agent_tools as module

    for name, target in targets(agent).items():
        declared = tool_schemas(target)
        assert set(declared) == set(module.ACTION_GROUPS[name]), name
        for tool, definition in declared.items():
            parameters = TOOLS[name][1][tool].parameters
            schema = definition["InputSchema"]
            assert schema["Type"] == "object" and definition["Description"]
            assert {p: (s["Type"], s["Description"]) for p, s in schema["Properties"].items()} == {
                p: (kind, text) for p, (kind, text, _) in parameters.items()
            }
            assert set(schema.get("Required", [])) == {p for p, (_, _, needed) in parameters.items() if needed}


def test_the_gateway_role_may_invoke_exactly_the_tool_functions(agent):
    role = props(agent, "GatewayRole")
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": ["bedrock-agentcore.amazonaws.com"]
    }
    [policy] = role["Policies"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == ["lambda:InvokeFunction"]
    assert sorted(r["Fn::GetAtt"][0] for r in statement["Resource"]) == sorted(
        function_of(target) for target in targets(agent).values()
    )
    assert props(agent, "Gateway")["RoleArn"] == {"Fn::GetAtt": ["GatewayRole", "Arn"]}


def substituted(text: str, environment: str, region: str, account: str = ACCOUNT) -> str:
    values = {"Environment": environment, "AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws"}
    return re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], text)


def gateway_arn(name: str, region: str, account: str = ACCOUNT, gateway_id: str = "a1b2c3d4e5") -> str:
    return f"arn:aws:bedrock-agentcore:{region}:{account}:gateway/{name}-{gateway_id}"


def test_only_this_gateway_of_this_account_may_assume_the_gateway_role(agent):
    """aws:SourceArn matches the gateway's id (its name, "-" and ten characters: the registry
    schema's GatewayArn) in every environment and region, and no other gateway."""
    [statement] = props(agent, "GatewayRole")["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == ["sts:AssumeRole"]
    condition = statement["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": {"Fn::Sub": "${AWS::AccountId}"}}
    assert set(condition) == {"StringEquals", "ArnLike"}
    pattern, name = condition["ArnLike"]["aws:SourceArn"]["Fn::Sub"], props(agent, "Gateway")["Name"]["Fn::Sub"]
    arn_schema = schemas.schema("AWS::BedrockAgentCore::Gateway")["properties"]
    for environment in PLATFORM.environments:
        for region in PLATFORM.regions:
            ours = substituted(name, environment, region)
            assert ours == ours.lower() and re.fullmatch(arn_schema["Name"]["pattern"], ours)
            trusted = substituted(pattern, environment, region)
            assert re.fullmatch(arn_schema["GatewayArn"]["pattern"], gateway_arn(ours, region))
            assert fnmatchcase(gateway_arn(ours, region), trusted)
            others = [
                gateway_arn(f"{ours}-x", region),  # a gateway named like ours, longer
                gateway_arn(ours, region, gateway_id="a1b2c3d4e"),
                gateway_arn(ours, region, account="210987654321"),
                *(gateway_arn(ours, r) for r in PLATFORM.regions if r != region),
                *(gateway_arn(substituted(name, e, region), region) for e in PLATFORM.environments if e != environment),
            ]
            assert not any(fnmatchcase(arn, trusted) for arn in others)


def test_no_lambda_permission_lets_a_service_invoke_the_tools_but_the_classic_agent(agent):
    """The gateway invokes with its role (GATEWAY_IAM_ROLE): no resource policy for it."""
    functions = {function_of(target) for target in targets(agent).values()}
    for name, permission in resources_of_type(agent, "AWS::Lambda::Permission").items():
        if permission["Properties"]["FunctionName"].get("Ref") in functions:
            assert permission["Condition"] == agents.CLASSIC_AGENT_CONDITION, name
            assert permission["Properties"]["SourceArn"] == {"Fn::GetAtt": ["Agent", "AgentArn"]}, name


def test_the_knowledge_base_tool_is_wired_to_this_knowledge_base_only(agent, monkeypatch):
    """Its function reads the stack's knowledge base id, may Retrieve from that knowledge base and
    nothing else of Bedrock's, and its schema asks for exactly what the handler reads."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    import templates_src.handlers.agent_tools as module

    [knowledge_base] = resources_of_type(agent, "AWS::Bedrock::KnowledgeBase")
    [(name, target)] = [(n, t) for n, t in targets(agent).items() if n in GATEWAY_ONLY]
    function = props(agent, function_of(target))
    assert function["Environment"]["Variables"]["KNOWLEDGE_BASE_ID"] == ref(knowledge_base)
    [policy] = props(agent, function["Role"]["Fn::GetAtt"][0])["Policies"]
    bedrock = [
        (action, resource)
        for statement in policy["PolicyDocument"]["Statement"]
        for action in statement["Action"]
        for resource in statement["Resource"]
        if action.split(":")[0].startswith("bedrock")
    ]
    assert bedrock == [("bedrock:Retrieve", {"Fn::GetAtt": [knowledge_base, "KnowledgeBaseArn"]})]
    [(tool, definition)] = tool_schemas(target).items()
    assert set(module.ACTION_GROUPS[name]) == {tool}
    schema = definition["InputSchema"]
    assert {p: s["Type"] for p, s in schema["Properties"].items()} == {"query": "string"}
    assert schema["Required"] == ["query"]  # search_knowledge_base reads params["query"]
    assert name not in {
        g["ActionGroupName"] for g in props(agent, "Agent")["ActionGroups"]
    }  # the classic agent has the KB


def test_no_one_outside_iam_reaches_the_agent_or_its_tools(agent):
    gateway, harness = props(agent, "Gateway"), props(agent, "Harness")
    assert gateway["AuthorizerType"] == "AWS_IAM" and "AuthorizerConfiguration" not in gateway
    assert "AuthorizerConfiguration" not in harness  # inbound: AWS IAM (SigV4)
    for name, permission in resources_of_type(agent, "AWS::Lambda::Permission").items():
        if permission["Properties"]["Principal"] == "bedrock.amazonaws.com":
            assert permission["Condition"] == agents.CLASSIC_AGENT_CONDITION, name
    [statement] = props(agent, "AgentInvokerPolicy")["PolicyDocument"]["Statement"]
    assert sorted(statement["Action"]) == ["bedrock-agentcore:InvokeAgentRuntime", "bedrock-agentcore:InvokeHarness"]
    assert statement["Resource"] == [{"Fn::GetAtt": ["Harness", "Arn"]}]
    assert "Roles" not in props(agent, "AgentInvokerPolicy")  # attached by whoever grants analysts access


def test_the_harness_runs_the_model_instructions_and_gateway_of_the_classic_agent(agent):
    harness = props(agent, "Harness")
    assert harness["Model"] == {
        "BedrockModelConfig": {
            "ModelId": {
                "Fn::Sub": [
                    "${Geography}.${Model}",
                    {
                        "Model": ref(agents.MODEL_PARAMETER),
                        "Geography": {
                            "Fn::FindInMap": [agents.INFERENCE_PROFILE_MAPPING, ref("AWS::Region"), "Geography"]
                        },
                    },
                ]
            }
        }
    }
    assert harness["SystemPrompt"] == [{"Text": AGENT_INSTRUCTION}]
    assert props(agent, "Agent")["Instruction"] == AGENT_INSTRUCTION  # the classic agent, where it exists
    [tool] = harness["Tools"]
    assert tool["Type"] == "agentcore_gateway"
    # "@server": every tool of that server (the gateway); a plain name would match a built-in only
    assert harness["AllowedTools"] == [f"@{tool['Name']}"]
    [pattern] = harness["AllowedTools"]
    assert re.fullmatch(
        schemas.schema("AWS::BedrockAgentCore::Harness")["properties"]["AllowedTools"]["items"]["pattern"], pattern
    )
    assert tool["Config"]["AgentCoreGateway"] == {
        "GatewayArn": {"Fn::GetAtt": ["Gateway", "GatewayArn"]},
        "OutboundAuth": {"AwsIam": {}},
    }
    assert harness["Memory"] == {"Disabled": {}}
    network = harness["Environment"]["AgentCoreRuntimeEnvironment"]["NetworkConfiguration"]
    assert network["NetworkMode"] == "VPC" and set(network["NetworkModeConfig"]) == {"SecurityGroups", "Subnets"}
    endpoint = props(agent, "HarnessEndpoint")
    assert endpoint["HarnessId"] == {"Fn::GetAtt": ["Harness", "HarnessId"]}
    assert endpoint["TargetVersion"] == {"Fn::GetAtt": ["Harness", "Version"]}
    assert endpoint["EndpointName"] == ref("Environment")


def test_the_harness_role_reaches_its_model_gateway_and_observability_only(agent):
    [policy] = props(agent, "HarnessRole")["Policies"]
    granted = {
        action: statement["Resource"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in statement["Action"]
    }
    assert granted["bedrock-agentcore:InvokeGateway"] == [{"Fn::GetAtt": ["Gateway", "GatewayArn"]}]
    assert {a.split(":")[0] for a in granted} == {"bedrock", "bedrock-agentcore", "logs", "xray", "cloudwatch"}
    [metrics] = [s for s in policy["PolicyDocument"]["Statement"] if "cloudwatch:PutMetricData" in s["Action"]]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": agentcore.METRICS_NAMESPACE}}
    assert not any(a.startswith("lambda:") for a in granted)  # the tools only through the gateway


def test_the_classic_agent_exists_only_behind_its_parameter_off_by_default(agent):
    parameter = agent["Parameters"][agents.CLASSIC_AGENT_PARAMETER]
    assert parameter["Default"] == "false" and "2026-07-30" in parameter["Description"]
    assert agent["Conditions"][agents.CLASSIC_AGENT_CONDITION] == {
        "Fn::Equals": [ref(agents.CLASSIC_AGENT_PARAMETER), "true"]
    }
    classic = {name for name, r in agent["Resources"].items() if r.get("Condition") == agents.CLASSIC_AGENT_CONDITION}
    for kind in ("AWS::Bedrock::Agent", "AWS::Bedrock::AgentAlias"):
        assert set(resources_of_type(agent, kind)) <= classic
    assert "AgentRole" in classic
    groups = {group["ActionGroupName"] for group in props(agent, "Agent")["ActionGroups"]}
    assert groups == set(TOOLS) - GATEWAY_ONLY
    for name, output in agent["Outputs"].items():
        refers = json.dumps(output["Value"])
        if any(f'"{logical}"' in refers for logical in classic):
            assert output.get("Condition") == agents.CLASSIC_AGENT_CONDITION, name


# --- each tool, called as the gateway calls it, on moto --------------------------------------


def example_input(definition: dict, values: dict) -> dict:
    """The tool schema's example input: each declared parameter set, of its declared type."""
    schema = definition["InputSchema"]
    example = {name: values.get(name, EXAMPLES[name]) for name in schema["Properties"]}
    for name, value in example.items():
        assert isinstance(value, JSON_TYPES[schema["Properties"][name]["Type"]]), name
    return example


def call(module, monkeypatch, target: str, tool: str, arguments: dict):
    monkeypatch.setenv("ACTION_GROUP", target)
    context = SimpleNamespace(
        client_context=SimpleNamespace(
            custom={"bedrockAgentCoreToolName": f"{target}{agentcore.TOOL_NAME_SEPARATOR}{tool}"}
        )
    )
    return module.handler(arguments, context)


def seed(world: World) -> None:
    world.dynamodb.Table("transactions").put_item(Item={"transactionId": "t-1", "createdAt": "2026-01-01T00:00:00Z#a"})
    world.dynamodb.Table("profiles").put_item(Item={"userId": "u-1", "transactionCount": 3})
    world.dynamodb.Table("decisions").put_item(Item={"decisionId": "t-1", "decision": "APPROVE", "riskScore": "0.2"})
    world.dynamodb.Table("patterns").put_item(Item={"pattern_id": "card-testing", "version": 1, "smallAmounts": 5})


def knowledge_answers(module, monkeypatch, results: list[dict], query: str) -> None:
    """bedrock-agent-runtime, which moto does not model, answers Retrieve with ``results``."""
    client = boto3.client("bedrock-agent-runtime")
    stubber = Stubber(client)
    stubber.add_response(
        "retrieve",
        {"retrievalResults": results},
        {
            "knowledgeBaseId": "KB12345678",
            "retrievalQuery": {"text": query},
            "retrievalConfiguration": {"vectorSearchConfiguration": {"numberOfResults": module.KNOWLEDGE_RESULTS}},
        },
    )
    stubber.activate()
    real = module.boto3.client
    monkeypatch.setattr(
        module.boto3, "client", lambda name, **kw: client if name == "bedrock-agent-runtime" else real(name, **kw)
    )
    monkeypatch.setenv("KNOWLEDGE_BASE_ID", "KB12345678")


def every_tool(agent) -> list[tuple[str, str, dict]]:
    return [
        (name, tool, definition)
        for name, target in targets(agent).items()
        for tool, definition in tool_schemas(target).items()
    ]


def test_every_tool_answers_its_schemas_example_input(agent, tools, monkeypatch):  # noqa: F811
    module, world = tools
    seed(world)
    for target, tool, definition in every_tool(agent):
        arguments = example_input(definition, {})
        if tool == "search_knowledge_base":
            passage = {
                "content": {"text": "Card testing: many small amounts"},
                "location": {"type": "S3"},
                "score": 0.8,
            }
            knowledge_answers(module, monkeypatch, [passage], arguments["query"])
        answer = call(module, monkeypatch, target, tool, arguments)
        assert "unanswered" not in answer, (tool, answer)
        json.dumps(answer)  # the gateway needs JSON
    assert [e["detail"]["transactionId"] for e in world.events_put()] == ["t-1"]  # flag_transaction put it


def test_every_tool_says_when_what_it_was_asked_about_does_not_exist(agent, tools, monkeypatch):  # noqa: F811
    module, world = tools
    for target, tool, definition in every_tool(agent):
        arguments = example_input(definition, UNKNOWN)
        if tool == "search_knowledge_base":
            knowledge_answers(module, monkeypatch, [], arguments["query"])
        answer = call(module, monkeypatch, target, tool, arguments)
        assert set(answer) == {"unanswered"} and answer["unanswered"], tool
    assert world.events_put() == [] and world.trail_objects() == []


def test_every_required_parameter_left_out_is_named(agent, tools, monkeypatch):  # noqa: F811
    module, _ = tools
    for target, tool, definition in every_tool(agent):
        for required in definition["InputSchema"].get("Required", []):
            arguments = {k: v for k, v in example_input(definition, {}).items() if k != required}
            assert call(module, monkeypatch, target, tool, arguments) == {
                "unanswered": f"Missing parameter: {required}."
            }


def test_a_tool_of_another_target_is_refused(tools, monkeypatch):  # noqa: F811
    module, _ = tools
    monkeypatch.setenv("ACTION_GROUP", "user-profiles")
    context = SimpleNamespace(
        client_context=SimpleNamespace(custom={"bedrockAgentCoreToolName": "flagging___flag_transaction"})
    )
    with pytest.raises(module.NotServed):
        module.handler({"transactionId": "t-1", "reason": "r"}, context)


# --- observability ---------------------------------------------------------------------------


def dashboard_widgets(agent) -> dict[str, dict]:
    body, variables = props(agent, "Dashboard")["DashboardBody"]["Fn::Sub"]
    return {w["properties"]["title"]: w for w in json.loads(body)["widgets"]}, variables


def test_the_gateway_alarms_on_its_system_errors_whatever_the_tool(agent):
    alarm = props(agent, "GatewaySystemErrorsAlarm")
    [query] = alarm["Metrics"]
    text, values = query["Expression"]["Fn::Sub"]
    assert text == f"SELECT SUM(SystemErrors) FROM \"{monitoring.AGENTCORE_NAMESPACE}\" WHERE Resource = '${{Arn}}'"
    assert values == {"Arn": {"Fn::GetAtt": ["Gateway", "GatewayArn"]}} and query["ReturnData"] is True
    assert alarm["Threshold"] == ref("ErrorThreshold") and alarm["AlarmActions"] == [ref("AlertTopic")]


def test_the_dashboard_shows_the_gateway_and_the_harness_and_every_tool_function(agent):
    widgets, variables = dashboard_widgets(agent)
    searches = [
        line[0]["expression"] for w in widgets.values() for line in w["properties"]["metrics"] if len(line) == 1
    ]
    for metric in ("Invocations", "SystemErrors", "UserErrors", "Throttles", "Latency", "TargetExecutionTime"):
        assert any(f'MetricName="{metric}" "${{GatewayArn}}"' in s for s in searches), metric
    assert any('"${HarnessName}"' in s for s in searches)
    assert variables["GatewayArn"] == {"Fn::GetAtt": ["Gateway", "GatewayArn"]}
    assert variables["HarnessName"] == props(agent, "Harness")["HarnessName"]
    errors = widgets["Function errors and throttles"]["properties"]["metrics"]
    assert {f"{function_of(t).removesuffix('Function')}" for t in targets(agent).values()} <= {
        line[3].strip("${}") for line in errors
    }
    for w in widgets.values():  # CloudWatch's form: each line a list, an expression a one-element list
        assert all(isinstance(line, list) for line in w["properties"]["metrics"]), w["properties"]["title"]
