"""An agent on Amazon Bedrock AgentCore: a gateway whose Lambda targets are the agent's tools,
and a harness (AgentCore's managed agent loop) that reaches them through the gateway.

What each piece is, and the AWS page each decision rests on:

- Why AgentCore: "Amazon Bedrock Agents Classic maintenance mode" (Bedrock User Guide): Bedrock
  Agents is closed to new customers from 2026-07-30 and points to AgentCore; knowledge bases are
  not affected (https://docs.aws.amazon.com/bedrock/latest/userguide/agents-classic-maintenance-mode.html).
- The harness, not a runtime: the same page recommends AgentCore's managed harness (model, tools
  and instructions declared; action groups become gateway tools) unless one owns the loop's
  code; a runtime needs our own agent code in a container
  (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/harness.html).
- Gateway, AuthorizerType AWS_IAM (one of the schema's CUSTOM_JWT, AWS_IAM, NONE,
  AUTHENTICATE_ONLY): callers sign with SigV4 and need ``bedrock-agentcore:InvokeGateway`` on
  the gateway, which only the harness's role has; no token issuer, nothing anonymous.
- Lambda targets with an inline tool schema, GATEWAY_IAM_ROLE outbound: the gateway's role
  invokes the functions; a same-account function needs no resource policy, only the role's
  ``lambda:InvokeFunction`` (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-add-target-lambda.html).
  So no ``AWS::Lambda::Permission`` is made for the gateway: the call comes from the role, not
  from a service principal, and a ``SourceArn`` on a permission would never match it. What a
  SourceArn would do there, the role's trust does: ``bedrock-agentcore.amazonaws.com`` may
  assume it only with ``aws:SourceAccount`` this account and ``aws:SourceArn`` this gateway
  (ArnLike on its name and id suffix, since the gateway needs the role before it exists; AWS's
  trust for AgentCore service roles conditions on both keys,
  https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-permissions.html), so
  no other gateway, in this account or another, may reach the tool functions through it.
  The gateway calls a function with the tool's arguments as the event and the tool's name,
  ``<target>___<tool>``, in the client context (``bedrockAgentCoreToolName``; handlers/agent_tools.py).
- Harness without AuthorizerConfiguration: inbound is AWS IAM (SigV4); invoking needs
  ``bedrock-agentcore:InvokeHarness`` and ``bedrock-agentcore:InvokeAgentRuntime`` on the
  harness ARN (harness security and access controls,
  https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/harness-security.html):
  ``add_invoker_policy`` grants exactly those, to be attached to the analysts' roles.
- Harness to gateway: OutboundAuth AwsIam (SigV4 with the harness's execution role, the
  default; AWS::BedrockAgentCore::Harness HarnessAgentCoreGatewayConfig,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-bedrockagentcore-harness-harnessagentcoregatewayconfig.html).
- AllowedTools ``@fraud-tools``: every tool of the gateway tool, and nothing else, so the
  harness's built-in ``shell`` and ``file_operations`` are not offered to the model. A plain
  name matches a built-in tool by name; ``@server`` matches all tools of that (MCP) server, which
  is what a gateway is to the harness ("Connect to tools", Supported patterns,
  https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/harness-tools.html; the schema's
  pattern ``^(\\*|@?[^/]+(/[^/]+)?)$``). ``fraud-tools`` alone would allow no tool at all.
- Memory Disabled: the classic agent kept a session's context for its idle time and nothing
  after; a harness session is stateful by itself, and long-term memory of customer data is
  not wanted (harness.html; HarnessDisabledMemoryConfiguration in the registry schema).
- Network mode VPC: the harness's sessions run in the platform's private subnets with the
  application security group, as the tool functions do (harness-security.html, "VPC").
- The execution role: model invocation through the region's inference profile (as the
  classic agent's role), InvokeGateway on our gateway, and the logs, X-Ray and
  ``bedrock-agentcore`` metrics AgentCore observability writes (AgentCore Runtime execution
  role, https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-permissions.html:
  PutMetricData only with ``cloudwatch:namespace`` ``bedrock-agentcore``, METRICS_NAMESPACE).
  That is the namespace the agent's own telemetry is put under; the metrics the service itself
  vends for the gateway and harness are read under ``AWS/Bedrock-AgentCore``
  (fraud_agent_monitoring, observability-gateway-metrics.html), which nobody here puts.
- The endpoint: a named, stable reference to a harness version that callers invoke
  (AWS::BedrockAgentCore::HarnessEndpoint, registry schema), one per environment like the
  classic alias; TargetVersion follows the harness's Version, so every change is served.
"""

from __future__ import annotations

from dataclasses import dataclass

import awacs.awslambda
import awacs.bedrock_agentcore as agentcore_actions
import awacs.cloudwatch
import awacs.logs
import awacs.xray
from awacs.aws import Condition, StringEquals
from troposphere import GetAtt, Ref, Sub, Template, bedrockagentcore, iam

from .. import policies
from ..conventions import ENVIRONMENT, name_pattern, physical_name, standard_tag_map, standard_tags
from .agents import ActionGroup, model_statements
from .identity import add_role

SERVICE = "bedrock-agentcore.amazonaws.com"
GATEWAY_TOOL = "fraud-tools"  # the harness's name for the gateway (and everything behind it)
TOOL_NAME_SEPARATOR = "___"  # the gateway names a target's tools <target>___<tool>
METRICS_NAMESPACE = "bedrock-agentcore"  # what the execution role may put metrics under
LOG_GROUP_PREFIX = "/aws/bedrock-agentcore/runtimes/"
# A gateway's id is its name, "-" and ten lowercase letters or digits (the registry schema's
# GatewayIdentifier ^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$ and GatewayArn, whose name part has
# the Name's own {1,48}): what the gateway role's trust matches before the gateway exists.
GATEWAY_ID_SUFFIX = 10


def input_schema(parameters: dict) -> bedrockagentcore.SchemaDefinition:
    """A tool's parameters ({name: (type, description, required)}) as a gateway SchemaDefinition."""
    required = [name for name, (_, _, needed) in parameters.items() if needed]
    return bedrockagentcore.SchemaDefinition(
        Type="object",
        Properties={name: {"Type": kind, "Description": text} for name, (kind, text, _) in parameters.items()},
        **({"Required": required} if required else {}),
    )


def tool_definitions(group: ActionGroup) -> list[bedrockagentcore.ToolDefinition]:
    """The gateway's inline tool schema of one target: one definition per tool of the group."""
    return [
        bedrockagentcore.ToolDefinition(
            Name=name, Description=tool.description, InputSchema=input_schema(tool.parameters)
        )
        for name, tool in group.tools.items()
    ]


@dataclass(frozen=True)
class Gateway:
    gateway: bedrockagentcore.Gateway
    role: iam.Role
    targets: tuple[bedrockagentcore.GatewayTarget, ...]


def gateway_name(suffix: str) -> str:
    """The gateway's name as a Fn::Sub pattern: lowercase, since its id (and ARN) starts with it."""
    return name_pattern("gw", suffix)


def gateway_arn_pattern(suffix: str) -> Sub:
    """The ARN of the gateway named ``gateway_name(suffix)`` in this account and region, known
    before the gateway exists: its id is the name, "-" and ten more characters."""
    return Sub(
        f"arn:${{AWS::Partition}}:bedrock-agentcore:${{AWS::Region}}:${{AWS::AccountId}}:gateway/"
        f"{gateway_name(suffix)}-{'?' * GATEWAY_ID_SUFFIX}"
    )


def add_gateway_role(template: Template, suffix: str, groups: tuple[ActionGroup, ...]) -> iam.Role:
    """May invoke each tool's function, and nothing else; only our gateway may assume it."""
    return add_role(
        template,
        "GatewayRole",
        f"{suffix}-gateway",
        policies.service_trust_for_source(SERVICE, gateway_arn_pattern(suffix)),
        "AgentCore gateway: invoke the fraud agent's tool functions, nothing else",
        [policies.allow(policies.actions(awacs.awslambda.InvokeFunction), [GetAtt(g.executor, "Arn") for g in groups])],
    )


def add_gateway(
    template: Template, *, suffix: str, description: str, instructions: str, key, groups: tuple[ActionGroup, ...]
) -> Gateway:
    role = add_gateway_role(template, suffix, groups)
    gateway = template.add_resource(
        bedrockagentcore.Gateway(
            "Gateway",
            Name=Sub(gateway_name(suffix)),
            Description=description,
            AuthorizerType="AWS_IAM",
            # ProtocolType left to its default, MCP (the schema's default; troposphere 4.11 types it as a dict)
            ProtocolConfiguration=bedrockagentcore.GatewayProtocolConfiguration(
                Mcp=bedrockagentcore.MCPGatewayConfiguration(Instructions=instructions)
            ),
            KmsKeyArn=GetAtt(key, "Arn"),
            RoleArn=GetAtt(role, "Arn"),
            Tags=standard_tag_map(),
        )
    )
    targets = tuple(
        template.add_resource(
            bedrockagentcore.GatewayTarget(
                f"{group.executor.title.removesuffix('Function')}Target",
                Name=group.name,
                Description=group.description,
                GatewayIdentifier=GetAtt(gateway, "GatewayIdentifier"),
                CredentialProviderConfigurations=[
                    bedrockagentcore.CredentialProviderConfiguration(CredentialProviderType="GATEWAY_IAM_ROLE")
                ],
                TargetConfiguration=bedrockagentcore.TargetConfiguration(
                    Mcp=bedrockagentcore.McpTargetConfiguration(
                        Lambda=bedrockagentcore.McpLambdaTargetConfiguration(
                            LambdaArn=GetAtt(group.executor, "Arn"),
                            ToolSchema=bedrockagentcore.ToolSchema(InlinePayload=tool_definitions(group)),
                        )
                    )
                ),
            )
        )
        for group in groups
    )
    return Gateway(gateway, role, targets)


def add_harness_role(template: Template, suffix: str, key, model_id, gateway) -> iam.Role:
    """Its model (through the region's inference profile), our gateway, and the logs, traces
    and metrics AgentCore observability writes: nothing else."""
    runtime_logs = Sub(
        f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{LOG_GROUP_PREFIX}*"
    )
    return add_role(
        template,
        "HarnessRole",
        f"{suffix}-harness",
        policies.service_trust_for_account(SERVICE),
        "AgentCore harness: its model, its gateway, its logs, traces and metrics",
        [
            *model_statements(model_id),
            policies.allow(policies.actions(agentcore_actions.InvokeGateway), [GetAtt(gateway, "GatewayArn")]),
            policies.allow(policies.actions(awacs.logs.CreateLogGroup, awacs.logs.DescribeLogStreams), [runtime_logs]),
            policies.allow(
                policies.actions(awacs.logs.CreateLogStream, awacs.logs.PutLogEvents),
                [Sub("${Group}:log-stream:*", Group=runtime_logs)],
            ),
            policies.allow(
                policies.actions(
                    awacs.xray.PutTraceSegments,
                    awacs.xray.PutTelemetryRecords,
                    awacs.xray.GetSamplingRules,
                    awacs.xray.GetSamplingTargets,
                ),
                ["*"],  # X-Ray accepts no resource ARN for these
            ),
            policies.allow(
                policies.actions(awacs.cloudwatch.PutMetricData),
                ["*"],  # PutMetricData accepts no resource ARN: the namespace condition narrows it
                Condition=Condition(StringEquals("cloudwatch:namespace", METRICS_NAMESPACE)),
            ),
        ],
    )


def allowed_server_tools(tool: str) -> str:
    """The AllowedTools pattern for every tool of the harness tool ``tool`` (a gateway or MCP server)."""
    return f"@{tool}"


def harness_name(suffix: str) -> Sub:
    """Harness names allow letters, digits and underscores only (^[a-zA-Z][a-zA-Z0-9_]{0,39}$);
    one per environment in each region's account."""
    return Sub(f"${{{ENVIRONMENT}}}_{suffix.replace('-', '_')}")


def add_harness(
    template: Template,
    *,
    suffix: str,
    instruction: str,
    model_id,
    role,
    gateway,
    network,
) -> tuple[bedrockagentcore.Harness, bedrockagentcore.HarnessEndpoint]:
    harness = template.add_resource(
        bedrockagentcore.Harness(
            "Harness",
            HarnessName=harness_name(suffix),
            ExecutionRoleArn=GetAtt(role, "Arn"),
            Model=bedrockagentcore.HarnessModelConfiguration(
                BedrockModelConfig=bedrockagentcore.HarnessBedrockModelConfig(ModelId=model_id)
            ),
            SystemPrompt=[bedrockagentcore.HarnessSystemContentBlock(Text=instruction)],
            Tools=[
                bedrockagentcore.HarnessTool(
                    Type="agentcore_gateway",
                    Name=GATEWAY_TOOL,
                    Config=bedrockagentcore.HarnessToolConfiguration(
                        AgentCoreGateway=bedrockagentcore.HarnessAgentCoreGatewayConfig(
                            GatewayArn=GetAtt(gateway, "GatewayArn"),
                            OutboundAuth=bedrockagentcore.HarnessGatewayOutboundAuth(AwsIam={}),
                        )
                    ),
                )
            ],
            AllowedTools=[allowed_server_tools(GATEWAY_TOOL)],
            Memory=bedrockagentcore.HarnessMemoryConfiguration(Disabled={}),
            Environment=bedrockagentcore.HarnessEnvironmentProvider(
                AgentCoreRuntimeEnvironment=bedrockagentcore.HarnessAgentCoreRuntimeEnvironment(
                    NetworkConfiguration=bedrockagentcore.NetworkConfiguration(
                        NetworkMode="VPC",
                        NetworkModeConfig=bedrockagentcore.VpcConfig(
                            SecurityGroups=[network.application_security_group],
                            Subnets=network.private_subnet_ids,
                        ),
                    )
                )
            ),
            Tags=standard_tags(),
        )
    )
    endpoint = template.add_resource(
        bedrockagentcore.HarnessEndpoint(
            "HarnessEndpoint",
            HarnessId=GetAtt(harness, "HarnessId"),
            EndpointName=Ref(ENVIRONMENT),
            TargetVersion=GetAtt(harness, "Version"),
            Description=Sub(f"The ${{{ENVIRONMENT}}} endpoint of the fraud agent"),
            Tags=standard_tags(),
        )
    )
    return harness, endpoint


def add_invoker_policy(template: Template, suffix: str, harness) -> iam.ManagedPolicy:
    """What a caller needs to talk to the agent (InvokeHarness needs InvokeAgentRuntime on the
    harness too): attach it to the analysts' roles. Nothing else may invoke it."""
    return template.add_resource(
        iam.ManagedPolicy(
            "AgentInvokerPolicy",
            ManagedPolicyName=physical_name("policy", f"{suffix}-invoke"),
            Description="Invoke the fraud agent (its AgentCore harness), nothing else",
            PolicyDocument=policies.document(
                policies.allow(
                    policies.actions(agentcore_actions.InvokeHarness, agentcore_actions.InvokeAgentRuntime),
                    [GetAtt(harness, "Arn")],
                )
            ),
        )
    )
