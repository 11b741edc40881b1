"""Bedrock agents with a knowledge base whose vectors live in S3 Vectors.

Why S3 Vectors for the knowledge base's vector store (and not OpenSearch Serverless or
Aurora pgvector): it is created whole by CloudFormation (bucket and index, no SQL to run
and no index to create by hand), encrypted with our CMK, reachable only through IAM (no
network endpoint to expose), and paid per use. An OpenSearch Serverless collection
bills at least two OCUs around the clock: nine of them (3 environments x 3 regions) for
a fraud knowledge base of a few thousand documents.
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Sub, Template
from troposphere import bedrock, s3vectors

from .. import policies
from ..conventions import account_unique_name, physical_name, retain, standard_tag_map, standard_tags
from .identity import add_role

EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"
EMBEDDING_DIMENSIONS = 1024
# Bedrock writes the chunk text and its metadata with each vector: too large to filter on.
BEDROCK_METADATA_KEYS = ["AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA"]
AGENT_IDLE_SESSION_SECONDS = 600


def foundation_model_arn(model_id) -> Sub:
    return Sub("arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${Model}", Model=model_id)


def add_vector_store(template: Template, suffix: str, key) -> tuple[s3vectors.VectorBucket, s3vectors.Index]:
    bucket = template.add_resource(retain(s3vectors.VectorBucket(
        "VectorBucket",
        VectorBucketName=account_unique_name("vectors", suffix),
        EncryptionConfiguration=s3vectors.EncryptionConfiguration(SseType="aws:kms", KmsKeyArn=GetAtt(key, "Arn")),
        Tags=standard_tags(),
    )))
    index = template.add_resource(retain(s3vectors.Index(
        "VectorIndex",
        VectorBucketArn=GetAtt(bucket, "VectorBucketArn"),
        IndexName=f"{suffix}-knowledge",
        DataType="float32",
        Dimension=EMBEDDING_DIMENSIONS,
        DistanceMetric="cosine",
        MetadataConfiguration=s3vectors.MetadataConfiguration(NonFilterableMetadataKeys=BEDROCK_METADATA_KEYS),
        Tags=standard_tags(),
    )))
    return bucket, index


def add_knowledge_base_role(template: Template, suffix: str, key, documents_bucket, documents_prefix: str, index) -> object:
    """Embeds documents of one prefix of one bucket into one index: nothing else."""
    return add_role(
        template, "KnowledgeBaseRole", f"{suffix}-kb", policies.service_trust_for_account("bedrock.amazonaws.com"),
        "Bedrock knowledge base: read the knowledge documents, embed them, store the vectors",
        [
            policies.allow(policies.actions("bedrock", "InvokeModel"), [foundation_model_arn(EMBEDDING_MODEL)]),
            policies.allow(policies.actions("s3", "ListBucket"), [GetAtt(documents_bucket, "Arn")]),
            policies.allow(policies.actions("s3", "GetObject"),
                           [Sub(f"${{Arn}}/{documents_prefix}*", Arn=GetAtt(documents_bucket, "Arn"))]),
            policies.allow(policies.actions("s3vectors", "GetIndex", "PutVectors", "GetVectors", "DeleteVectors",
                                            "QueryVectors", "ListVectors"), [GetAtt(index, "IndexArn")]),
            policies.kms_use_statement(GetAtt(key, "Arn"), "Decrypt", "GenerateDataKey"),
        ],
    )


def add_knowledge_base(template: Template, *, suffix: str, description: str, role, key, vector_bucket, index,
                       documents_bucket, documents_prefix: str) -> bedrock.KnowledgeBase:
    knowledge_base = template.add_resource(bedrock.KnowledgeBase(
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
                        Dimensions=EMBEDDING_DIMENSIONS, EmbeddingDataType="FLOAT32")),
            ),
        ),
        StorageConfiguration=bedrock.StorageConfiguration(
            Type="S3_VECTORS",
            S3VectorsConfiguration=bedrock.S3VectorsConfiguration(
                VectorBucketArn=GetAtt(vector_bucket, "VectorBucketArn"), IndexArn=GetAtt(index, "IndexArn")),
        ),
        Tags=standard_tag_map(),
    ))
    template.add_resource(bedrock.DataSource(
        "KnowledgeBaseDataSource",
        Name=physical_name("kb-source", suffix),
        Description=Sub(f"Documents under {documents_prefix} in ${{Bucket}}", Bucket=Ref(documents_bucket)),
        KnowledgeBaseId=Ref(knowledge_base),
        DataDeletionPolicy="RETAIN",
        DataSourceConfiguration=bedrock.DataSourceConfiguration(
            Type="S3",
            S3Configuration=bedrock.S3DataSourceConfiguration(
                BucketArn=GetAtt(documents_bucket, "Arn"), InclusionPrefixes=[documents_prefix]),
        ),
        ServerSideEncryptionConfiguration=bedrock.ServerSideEncryptionConfiguration(KmsKeyArn=GetAtt(key, "Arn")),
    ))
    return knowledge_base


def add_agent_role(template: Template, suffix: str, key, model_id, knowledge_base) -> object:
    """Invokes one foundation model and retrieves from one knowledge base."""
    return add_role(
        template, "AgentRole", f"{suffix}-agent", policies.service_trust_for_account("bedrock.amazonaws.com"),
        "Bedrock agent: its foundation model and its knowledge base, nothing else",
        [
            policies.allow(policies.actions("bedrock", "InvokeModel", "InvokeModelWithResponseStream"),
                           [foundation_model_arn(model_id)]),
            policies.allow(policies.actions("bedrock", "Retrieve"), [GetAtt(knowledge_base, "KnowledgeBaseArn")]),
            policies.kms_use_statement(GetAtt(key, "Arn"), "Decrypt", "GenerateDataKey"),
        ],
    )


def add_agent(template: Template, *, suffix: str, description: str, instruction: str, model_id, role, key,
              knowledge_base, knowledge_base_use: str, alias_name) -> tuple[bedrock.Agent, bedrock.AgentAlias]:
    """The agent (prepared on every change) and an alias named ``alias_name``, which
    points at a new version whenever the agent changes."""
    agent = template.add_resource(bedrock.Agent(
        "Agent",
        AgentName=physical_name("agent", suffix),
        Description=description,
        Instruction=instruction,
        FoundationModel=model_id,
        AgentResourceRoleArn=GetAtt(role, "Arn"),
        CustomerEncryptionKeyArn=GetAtt(key, "Arn"),
        IdleSessionTTLInSeconds=AGENT_IDLE_SESSION_SECONDS,
        AutoPrepare=True,
        KnowledgeBases=[bedrock.AgentKnowledgeBase(
            KnowledgeBaseId=Ref(knowledge_base), Description=knowledge_base_use, KnowledgeBaseState="ENABLED")],
        Tags=standard_tag_map(),
    ))
    alias = template.add_resource(bedrock.AgentAlias(
        "AgentAlias",
        AgentId=GetAtt(agent, "AgentId"),
        AgentAliasName=alias_name,
        Description=Sub("The ${Environment} alias of the fraud agent"),
        Tags=standard_tag_map(),
    ))
    return agent, alias
