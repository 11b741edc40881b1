"""Bedrock agents (classic) with a knowledge base whose vectors live in S3 Vectors.

The classic agent (AWS::Bedrock::Agent and its alias) exists only behind
CLASSIC_AGENT_PARAMETER, off by default: Amazon Bedrock Agents is closed to new customers from
2026-07-30 ("Amazon Bedrock Agents Classic maintenance mode", Bedrock User Guide,
https://docs.aws.amazon.com/bedrock/latest/userguide/agents-classic-maintenance-mode.html), so only an
account enrolled before then can create it. The agent otherwise runs on AgentCore
(components/agentcore.py); the knowledge base, which AWS leaves unaffected, serves both.

Why S3 Vectors for the knowledge base's vector store (and not OpenSearch Serverless or
Aurora pgvector): it is created whole by CloudFormation (bucket and index, no SQL to run
and no index to create by hand), encrypted with our CMK, reachable only through IAM (no
network endpoint to expose), and paid per use. An OpenSearch Serverless collection
bills at least two OCUs around the clock: nine of them (3 environments x 3 regions) for
a fraud knowledge base of a few thousand documents.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import awacs.bedrock
import awacs.kms
import awacs.s3
import awacs.s3vectors
from troposphere import Equals, FindInMap, GetAtt, Parameter, Ref, Sub, Template, awslambda, bedrock, s3vectors

from .. import policies
from ..conventions import ENVIRONMENT, REGIONS, flag_parameter, physical_name, retain, standard_tag_map, standard_tags
from .identity import add_role

# The foundation models an agent may run: the one list, the model parameter's AllowedValues.
# Bedrock offers them on demand only through a cross-Region inference profile, whose id is the
# model id behind the geography of the calling region ("us." in us-east-1 and us-west-2, "eu."
# in eu-west-1; INFERENCE_PROFILE_GEOGRAPHIES). anthropic.claude-3-5-sonnet-20240620-v1:0, used
# before, is retired. From the Amazon Bedrock User Guide (Supported foundation models, Supported
# Regions and models for inference profiles, Model lifecycle) and Anthropic's model deprecations
# page; checked 2026-11-22. Recheck before adding a region or when Bedrock lists one as Legacy.
AGENT_MODELS = (
    "anthropic.claude-sonnet-4-6",  # Claude Sonnet 4.6: us.anthropic.claude-sonnet-4-6, eu.anthropic.claude-sonnet-4-6
    "anthropic.claude-haiku-4-5-20251001-v1:0",  # Claude Haiku 4.5: us.… and eu.… profiles
)
# Geography prefix of the system-defined (cross-Region) inference profiles, per region we deploy to.
INFERENCE_PROFILE_GEOGRAPHIES = {"us-east-1": "us", "us-west-2": "us", "eu-west-1": "eu"}
INFERENCE_PROFILE_MAPPING = "InferenceProfileGeographies"
MODEL_PARAMETER = "FoundationModelId"

EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"
EMBEDDING_DIMENSIONS = 1024
# Bedrock writes the chunk text and its metadata with each vector: too large to filter on.
BEDROCK_METADATA_KEYS = ["AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA"]
AGENT_IDLE_SESSION_SECONDS = 600
CLASSIC_AGENT_PARAMETER = "ClassicBedrockAgent"
CLASSIC_AGENT_CONDITION = "UseClassicBedrockAgent"


def classic_agent_parameter() -> Parameter:
    return flag_parameter(
        CLASSIC_AGENT_PARAMETER,
        "false",
        "Also create the classic Bedrock agent (AWS::Bedrock::Agent) and its alias: only for accounts enrolled "
        "in Bedrock Agents before 2026-07-30 (closed to new customers since). The agent runs on AgentCore either way",
    )


def add_classic_agent_condition(template: Template) -> None:
    template.add_condition(CLASSIC_AGENT_CONDITION, Equals(Ref(CLASSIC_AGENT_PARAMETER), "true"))


def foundation_model_arn(model_id, region: str = "${AWS::Region}") -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:bedrock:{region}::foundation-model/${{Model}}", Model=model_id)


def model_parameter() -> Parameter:
    return Parameter(
        MODEL_PARAMETER,
        Type="String",
        AllowedValues=list(AGENT_MODELS),
        Default=AGENT_MODELS[0],
        Description="Bedrock foundation model of the agent, run through its region's cross-Region inference profile",
    )


def add_inference_profile_mapping(template: Template) -> None:
    """Region -> geography of its inference profiles; every region we deploy to must have one."""
    missing = sorted(set(REGIONS) - set(INFERENCE_PROFILE_GEOGRAPHIES))
    if missing:
        raise ValueError(
            f"no inference profile geography for {', '.join(missing)}: add it to INFERENCE_PROFILE_GEOGRAPHIES"
        )
    template.add_mapping(
        INFERENCE_PROFILE_MAPPING,
        {region: {"Geography": geography} for region, geography in sorted(INFERENCE_PROFILE_GEOGRAPHIES.items())},
    )


def _profile(pattern: str, model_id) -> Sub:
    return Sub(pattern, Model=model_id, Geography=FindInMap(INFERENCE_PROFILE_MAPPING, Ref("AWS::Region"), "Geography"))


def inference_profile_id(model_id) -> Sub:
    """The system-defined inference profile of ``model_id`` for this region, e.g. us.anthropic…"""
    return _profile("${Geography}.${Model}", model_id)


def inference_profile_arn(model_id) -> Sub:
    return _profile(
        "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/${Geography}.${Model}",
        model_id,
    )


def add_vector_store(template: Template, suffix: str, key) -> tuple[s3vectors.VectorBucket, s3vectors.Index]:
    bucket = template.add_resource(
        retain(
            s3vectors.VectorBucket(
                "VectorBucket",
                # No VectorBucketName: CloudFormation generates a unique one (AWS::S3Vectors::VectorBucket,
                # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3vectors-vectorbucket.html).
                # The bucket is retained; a fixed name would make the next create after destroy fail
                # ("already exists"), and destroy has no remover for it (the pinned SDK has no s3vectors client).
                # The index name is unique within its bucket, so it collides with nothing either.
                EncryptionConfiguration=s3vectors.EncryptionConfiguration(
                    SseType="aws:kms", KmsKeyArn=GetAtt(key, "Arn")
                ),
                Tags=standard_tags(),
            )
        )
    )
    index = template.add_resource(
        retain(
            s3vectors.Index(
                "VectorIndex",
                VectorBucketArn=GetAtt(bucket, "VectorBucketArn"),
                IndexName=f"{suffix}-knowledge",
                DataType="float32",
                Dimension=EMBEDDING_DIMENSIONS,
                DistanceMetric="cosine",
                MetadataConfiguration=s3vectors.MetadataConfiguration(NonFilterableMetadataKeys=BEDROCK_METADATA_KEYS),
                Tags=standard_tags(),
            )
        )
    )
    return bucket, index


def add_knowledge_base_role(
    template: Template, suffix: str, key, documents_bucket, documents_prefix: str, index
) -> object:
    """Embeds documents of one prefix of one bucket into one index: nothing else."""
    return add_role(
        template,
        "KnowledgeBaseRole",
        f"{suffix}-kb",
        policies.service_trust_for_account("bedrock.amazonaws.com"),
        "Bedrock knowledge base: read the knowledge documents, embed them, store the vectors",
        [
            policies.allow(policies.actions(awacs.bedrock.InvokeModel), [foundation_model_arn(EMBEDDING_MODEL)]),
            policies.allow(policies.actions(awacs.s3.ListBucket), [GetAtt(documents_bucket, "Arn")]),
            policies.allow(
                policies.actions(awacs.s3.GetObject),
                [Sub(f"${{Arn}}/{documents_prefix}*", Arn=GetAtt(documents_bucket, "Arn"))],
            ),
            policies.allow(
                policies.actions(
                    awacs.s3vectors.GetIndex,
                    awacs.s3vectors.PutVectors,
                    awacs.s3vectors.GetVectors,
                    awacs.s3vectors.DeleteVectors,
                    awacs.s3vectors.QueryVectors,
                    awacs.s3vectors.ListVectors,
                ),
                [GetAtt(index, "IndexArn")],
            ),
            policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt, awacs.kms.GenerateDataKey),
        ],
    )


def add_knowledge_base(
    template: Template,
    *,
    suffix: str,
    description: str,
    role,
    key,
    vector_bucket,
    index,
    documents_bucket,
    documents_prefix: str,
) -> bedrock.KnowledgeBase:
    knowledge_base = template.add_resource(
        bedrock.KnowledgeBase(
            "KnowledgeBase",
            Name=physical_name("kb", suffix),
            Description=description,
            RoleArn=GetAtt(role, "Arn"),
            KnowledgeBaseConfiguration=bedrock.KnowledgeBaseConfiguration(
                Type="VECTOR",
                VectorKnowledgeBaseConfiguration=bedrock.VectorKnowledgeBaseConfiguration(
                    EmbeddingModelArn=foundation_model_arn(EMBEDDING_MODEL),
                    EmbeddingModelConfiguration=bedrock.EmbeddingModelConfiguration(
                        BedrockEmbeddingModelConfiguration=bedrock.BedrockEmbeddingModelConfiguration(
                            Dimensions=EMBEDDING_DIMENSIONS, EmbeddingDataType="FLOAT32"
                        )
                    ),
                ),
            ),
            StorageConfiguration=bedrock.StorageConfiguration(
                Type="S3_VECTORS",
                S3VectorsConfiguration=bedrock.S3VectorsConfiguration(
                    VectorBucketArn=GetAtt(vector_bucket, "VectorBucketArn"), IndexArn=GetAtt(index, "IndexArn")
                ),
            ),
            Tags=standard_tag_map(),
        )
    )
    template.add_resource(
        bedrock.DataSource(
            "KnowledgeBaseDataSource",
            Name=physical_name("kb-source", suffix),
            Description=Sub(f"Documents under {documents_prefix} in ${{Bucket}}", Bucket=Ref(documents_bucket)),
            KnowledgeBaseId=Ref(knowledge_base),
            DataDeletionPolicy="RETAIN",
            DataSourceConfiguration=bedrock.DataSourceConfiguration(
                Type="S3",
                S3Configuration=bedrock.S3DataSourceConfiguration(
                    BucketArn=GetAtt(documents_bucket, "Arn"), InclusionPrefixes=[documents_prefix]
                ),
            ),
            ServerSideEncryptionConfiguration=bedrock.ServerSideEncryptionConfiguration(KmsKeyArn=GetAtt(key, "Arn")),
        )
    )
    return knowledge_base


def add_agent_role(template: Template, suffix: str, key, model_id, knowledge_base) -> object:
    """The classic agent's role: its model (``model_statements``) and one knowledge base."""
    role = add_role(
        template,
        "AgentRole",
        f"{suffix}-agent",
        policies.service_trust_for_account("bedrock.amazonaws.com"),
        "Bedrock agent: its foundation model and its knowledge base, nothing else",
        [
            *model_statements(model_id),
            policies.allow(policies.actions(awacs.bedrock.Retrieve), [GetAtt(knowledge_base, "KnowledgeBaseArn")]),
            policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt, awacs.kms.GenerateDataKey),
        ],
    )
    role.Condition = CLASSIC_AGENT_CONDITION
    return role


def model_statements(model_id) -> list:
    """Invoke ``model_id`` through this region's inference profile of it. The profile routes a
    request to any region of its geography, so the model is allowed in every region ("*")."""
    invoke = policies.actions(awacs.bedrock.InvokeModel, awacs.bedrock.InvokeModelWithResponseStream)
    return [
        policies.allow(invoke + policies.actions(awacs.bedrock.GetInferenceProfile), [inference_profile_arn(model_id)]),
        policies.allow(invoke, [foundation_model_arn(model_id, region="*")]),
    ]


@dataclass(frozen=True)
class Tool:
    """One function of an action group: what it does, its parameters as {name: (type,
    description, required)}, and whether the analyst confirms each call (writes)."""

    description: str
    parameters: dict
    confirm: bool = False


@dataclass(frozen=True)
class ActionGroup:
    """Functions (function details, not OpenAPI) run by one Lambda function, ``executor``."""

    name: str
    description: str
    executor: awslambda.Function
    tools: dict  # function name -> Tool


def _action_group(group: ActionGroup) -> bedrock.AgentActionGroup:
    return bedrock.AgentActionGroup(
        ActionGroupName=group.name,
        Description=group.description,
        ActionGroupState="ENABLED",
        ActionGroupExecutor=bedrock.ActionGroupExecutor(Lambda=GetAtt(group.executor, "Arn")),
        FunctionSchema=bedrock.FunctionSchema(
            Functions=[
                bedrock.Function(
                    Name=function_name,
                    Description=tool.description,
                    RequireConfirmation="ENABLED" if tool.confirm else "DISABLED",
                    Parameters={
                        parameter: bedrock.ParameterDetail(Type=kind, Description=text, Required=required)
                        for parameter, (kind, text, required) in tool.parameters.items()
                    },
                )
                for function_name, tool in group.tools.items()
            ]
        ),
    )


def _allow_agent_to_invoke(template: Template, function, agent) -> awslambda.Permission:
    """Bedrock may invoke ``function`` for this one agent of this account, nothing else."""
    return template.add_resource(
        awslambda.Permission(
            f"{function.title}AgentPermission",
            Action="lambda:InvokeFunction",
            FunctionName=Ref(function),
            Principal="bedrock.amazonaws.com",
            SourceArn=GetAtt(agent, "AgentArn"),
            SourceAccount=Ref("AWS::AccountId"),
            Condition=CLASSIC_AGENT_CONDITION,
        )
    )


def _references(value) -> set[str]:
    """Every logical name ``value`` refers to with Ref (parameters and resources)."""
    if isinstance(value, dict):
        found = {value["Ref"]} if set(value) == {"Ref"} and isinstance(value["Ref"], str) else set()
        return found.union(*(_references(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_references(item) for item in value))
    return set()


def alias_description(agent: bedrock.Agent) -> Sub:
    """A text that changes whenever the agent does: a digest of the agent's template text and
    each value it reads by Ref (the model parameter, the knowledge base id); tags are not
    part of a version. Bedrock
    makes a new agent version only when the alias is updated (issue 20: the CDK generative-AI
    constructs and the Terraform provider report this), so an agent change must change the alias.
    Its GetAtt targets are named resources whose ARN changes only with their name."""
    body = {name: value for name, value in agent.to_dict()["Properties"].items() if name != "Tags"}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:12]
    read = sorted(name for name in _references(body) if not name.startswith("AWS::") and name != ENVIRONMENT)
    text = " ".join(f"${{{name}}}" for name in read)
    return Sub(f"The ${{{ENVIRONMENT}}} alias of the fraud agent; agent {digest} {text}".rstrip())


def add_agent(
    template: Template,
    *,
    suffix: str,
    description: str,
    instruction: str,
    model_id,
    role,
    key,
    knowledge_base,
    knowledge_base_use: str,
    alias_name,
    action_groups: tuple[ActionGroup, ...] = (),
) -> tuple[bedrock.Agent, bedrock.AgentAlias]:
    """The agent and an alias named ``alias_name``, which points at a new version whenever
    the agent changes. The action groups are part of the agent resource, so AutoPrepare
    prepares it after they (and their executors) exist, on every change. Each executor lets
    only this agent invoke it; the alias waits for those permissions, so the version it
    serves can call its tools."""
    agent = template.add_resource(
        bedrock.Agent(
            "Agent",
            AgentName=physical_name("agent", suffix),
            Description=description,
            Instruction=instruction,
            FoundationModel=model_id,
            AgentResourceRoleArn=GetAtt(role, "Arn"),
            CustomerEncryptionKeyArn=GetAtt(key, "Arn"),
            IdleSessionTTLInSeconds=AGENT_IDLE_SESSION_SECONDS,
            AutoPrepare=True,
            KnowledgeBases=[
                bedrock.AgentKnowledgeBase(
                    KnowledgeBaseId=Ref(knowledge_base), Description=knowledge_base_use, KnowledgeBaseState="ENABLED"
                )
            ],
            ActionGroups=[_action_group(group) for group in action_groups],
            Tags=standard_tag_map(),
            Condition=CLASSIC_AGENT_CONDITION,
        )
    )
    permissions = [_allow_agent_to_invoke(template, group.executor, agent) for group in action_groups]
    alias = template.add_resource(
        bedrock.AgentAlias(
            "AgentAlias",
            **({"DependsOn": [permission.title for permission in permissions]} if permissions else {}),
            AgentId=GetAtt(agent, "AgentId"),
            AgentAliasName=alias_name,
            Description=alias_description(agent),
            Tags=standard_tag_map(),
            Condition=CLASSIC_AGENT_CONDITION,
        )
    )
    return agent, alias
