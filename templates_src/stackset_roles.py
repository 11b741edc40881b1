"""Template ``stackset-roles``: what StackSets need before the first rollout (`make bootstrap`).

- AWSCloudFormationStackSetAdministrationRole: assumed by CloudFormation only for this
  account's StackSets (aws:SourceAccount and aws:SourceArn), allowed only to assume the
  execution role in target accounts.
- AWSCloudFormationStackSetExecutionRole: trusted by the administrator account's
  administration role, allowed exactly the actions our templates need (EXECUTION_ACTIONS
  below, documented in the README), not AdministratorAccess.
- the artifacts bucket ``cfnops-artifacts-<account>-<region>`` for templates over
  51,200 bytes: versioned, CMK-encrypted, public access blocked, TLS only.

Deployed as a plain stack, once per account in each administrator region. The role
names are fixed by StackSets; they are created in RoleRegion only (IAM is global).
"""

from __future__ import annotations

from awacs.aws import Action, Allow, ArnLike, Condition, Principal, Statement, StringEquals
from troposphere import Equals, GetAtt, If, Output, Parameter, Ref, Sub, Template
from troposphere import iam

from . import policies
from .components import buckets, encryption
from .conventions import add_standard_parameters, standard_tags, suppress

ADMINISTRATION_ROLE = "AWSCloudFormationStackSetAdministrationRole"
EXECUTION_ROLE = "AWSCloudFormationStackSetExecutionRole"

# What CloudFormation does in a target account when it creates, updates and deletes the
# resources of our templates. Each service's actions are listed; none is a wildcard.
EXECUTION_ACTIONS = {
    "ec2": ("AllocateAddress", "AssociateRouteTable", "AttachInternetGateway", "AuthorizeSecurityGroupEgress",
            "AuthorizeSecurityGroupIngress", "CreateFlowLogs", "CreateInternetGateway", "CreateNatGateway",
            "CreateNetworkInterface", "CreateRoute", "CreateRouteTable", "CreateSecurityGroup", "CreateSubnet",
            "CreateTags", "CreateVpc", "CreateVpcEndpoint", "DeleteVpcEndpoints", "DescribeVpcEndpoints",
            "ModifyVpcEndpoint", "DeleteFlowLogs", "DeleteInternetGateway", "DeleteNatGateway",
            "DeleteNetworkInterface", "DeleteRoute", "DeleteRouteTable", "DeleteSecurityGroup", "DeleteSubnet",
            "DeleteTags", "DeleteVpc", "DescribeAccountAttributes", "DescribeAddresses", "DescribeAvailabilityZones",
            "DescribeFlowLogs", "DescribeInternetGateways", "DescribeNatGateways", "DescribeNetworkInterfaces",
            "DescribeRouteTables", "DescribeSecurityGroupRules", "DescribeSecurityGroups", "DescribeSubnets",
            "DescribeTags", "DescribeVpcAttribute", "DescribeVpcs", "DetachInternetGateway", "DisassociateRouteTable",
            "ModifySubnetAttribute", "ModifyVpcAttribute", "ReleaseAddress", "ReplaceRoute",
            "RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress"),
    "rds": ("AddTagsToResource", "CreateDBCluster", "CreateDBClusterSnapshot", "CreateDBInstance", "CreateDBSnapshot",
            "CreateDBSubnetGroup", "DescribeDBSnapshots", "CreateDBClusterParameterGroup",
            "DeleteDBClusterParameterGroup", "DescribeDBClusterParameterGroups", "DescribeDBClusterParameters",
            "ModifyDBClusterParameterGroup",
            "DeleteDBCluster", "DeleteDBInstance", "DeleteDBSubnetGroup", "DescribeDBClusterSnapshots",
            "DescribeDBClusters", "DescribeDBEngineVersions", "DescribeDBInstances", "DescribeDBSubnetGroups",
            "DescribeOrderableDBInstanceOptions", "ListTagsForResource", "ModifyDBCluster", "ModifyDBInstance",
            "ModifyDBSubnetGroup", "RemoveTagsFromResource"),
    "dynamodb": ("CreateTable", "CreateTableReplica", "DeleteTable", "DeleteTableReplica", "DescribeContinuousBackups",
                 "DescribeTable", "DescribeTimeToLive", "ListTagsOfResource", "TagResource", "UntagResource",
                 "UpdateContinuousBackups", "UpdateTable", "UpdateTimeToLive"),
    "kms": ("CreateAlias", "CreateGrant", "CreateKey", "Decrypt", "DeleteAlias", "DescribeKey", "DisableKey",
            "DisableKeyRotation", "EnableKey", "EnableKeyRotation", "Encrypt", "GenerateDataKey", "GetKeyPolicy",
            "GetKeyRotationStatus", "ListAliases", "ListResourceTags", "PutKeyPolicy", "ScheduleKeyDeletion",
            "TagResource", "UntagResource", "UpdateAlias", "UpdateKeyDescription"),
    "logs": ("AssociateKmsKey", "CreateLogGroup", "DeleteLogGroup", "DeleteRetentionPolicy", "DescribeLogGroups",
             "DeleteMetricFilter", "DescribeMetricFilters", "PutMetricFilter",
             "DisassociateKmsKey", "ListTagsForResource", "PutRetentionPolicy", "TagResource", "UntagResource"),
    "iam": ("AttachRolePolicy", "CreatePolicy", "CreatePolicyVersion", "CreateRole", "CreateServiceLinkedRole",
            "DeletePolicy", "DeletePolicyVersion", "DeleteRole", "DeleteRolePolicy", "DetachRolePolicy", "GetPolicy",
            "GetRole", "GetRolePolicy", "ListAttachedRolePolicies", "ListPolicyVersions", "ListRolePolicies", "PassRole",
            "PutRolePolicy", "TagRole", "UntagRole", "UpdateAssumeRolePolicy", "UpdateRole"),
    "ecs": ("CreateCluster", "CreateService", "DeleteCluster", "DeleteService", "DeregisterTaskDefinition",
            "DescribeClusters", "DescribeServices", "DescribeTaskDefinition", "ListTagsForResource",
            "RegisterTaskDefinition", "TagResource", "UntagResource", "UpdateCluster", "UpdateClusterSettings",
            "UpdateService"),
    "elasticloadbalancing": ("AddTags", "CreateListener", "CreateLoadBalancer", "CreateTargetGroup", "DeleteListener",
                             "DeleteLoadBalancer", "DeleteTargetGroup", "DescribeListeners",
                             "DescribeLoadBalancerAttributes", "DescribeLoadBalancers", "DescribeTags",
                             "DescribeTargetGroupAttributes", "DescribeTargetGroups", "ModifyListener",
                             "ModifyLoadBalancerAttributes", "ModifyTargetGroup", "ModifyTargetGroupAttributes",
                             "RemoveTags", "SetSecurityGroups", "SetSubnets"),
    "application-autoscaling": ("DeleteScalingPolicy", "DeregisterScalableTarget", "DescribeScalableTargets",
                                "DescribeScalingPolicies", "ListTagsForResource", "PutScalingPolicy",
                                "RegisterScalableTarget", "TagResource", "UntagResource"),
    "sns": ("CreateTopic", "DeleteTopic", "GetSubscriptionAttributes", "GetTopicAttributes", "ListSubscriptionsByTopic",
            "ListTagsForResource", "SetTopicAttributes", "Subscribe", "TagResource", "Unsubscribe", "UntagResource"),
    "cloudwatch": ("DeleteAlarms", "DeleteDashboards", "DescribeAlarms", "GetDashboard", "ListTagsForResource",
                   "PutDashboard", "PutMetricAlarm", "TagResource", "UntagResource"),
    "secretsmanager": ("GetRandomPassword",),
    # payments functions and the hosted rotation function (AWS::SecretsManager-2020-07-23 transform)
    "lambda": ("AddPermission", "CreateFunction", "DeleteFunction", "DeleteFunctionConcurrency", "GetFunction",
               "GetFunctionConcurrency", "GetFunctionConfiguration", "ListTags", "PutFunctionConcurrency",
               "RemovePermission", "TagResource", "UntagResource", "UpdateFunctionCode", "UpdateFunctionConfiguration",
               "CreateEventSourceMapping", "DeleteEventSourceMapping", "GetEventSourceMapping",
               "UpdateEventSourceMapping"),
    "serverlessrepo": ("CreateCloudFormationTemplate", "GetApplication", "GetCloudFormationTemplate"),
    # payments: image-based functions with reserved concurrency and a dead-letter queue
    "ecr": ("BatchGetImage", "GetDownloadUrlForLayer", "GetRepositoryPolicy", "SetRepositoryPolicy"),
    "sqs": ("CreateQueue", "DeleteQueue", "GetQueueAttributes", "ListQueueTags", "SetQueueAttributes", "TagQueue",
            "UntagQueue"),
    # data-pipeline: Kinesis, ElastiCache Redis, RDS instance snapshots
    "kinesis": ("AddTagsToStream", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteStream", "DescribeStream",
                "DescribeStreamSummary", "IncreaseStreamRetentionPeriod", "ListTagsForStream", "RemoveTagsFromStream",
                "StartStreamEncryption", "StopStreamEncryption", "UpdateShardCount", "UpdateStreamMode"),
    "elasticache": ("AddTagsToResource", "CreateCacheSubnetGroup", "CreateReplicationGroup", "CreateSnapshot",
                    "DeleteCacheSubnetGroup", "DeleteReplicationGroup", "DescribeCacheClusters",
                    "DescribeCacheSubnetGroups", "DescribeReplicationGroups", "ListTagsForResource",
                    "ModifyCacheSubnetGroup", "ModifyReplicationGroup", "RemoveTagsFromResource"),
    # loan-processing: Aurora MySQL cluster parameter group, the access-log bucket
    "s3": ("CreateBucket", "DeleteBucket", "DeleteBucketPolicy", "GetBucketLocation", "GetBucketOwnershipControls",
           "GetBucketPolicy", "GetBucketPublicAccessBlock", "GetBucketTagging", "GetBucketVersioning",
           "GetEncryptionConfiguration", "GetLifecycleConfiguration", "ListBucket", "PutBucketOwnershipControls",
           "PutBucketPolicy", "PutBucketPublicAccessBlock", "PutBucketTagging", "PutBucketVersioning",
           "PutEncryptionConfiguration", "PutLifecycleConfiguration"),
    # fraud-agent: event bus and rules, stream mappings, metric filters, the Bedrock agent and its knowledge base
    "events": ("CreateEventBus", "DeleteEventBus", "DeleteRule", "DescribeEventBus", "DescribeRule",
               "ListTagsForResource", "ListTargetsByRule", "PutRule", "PutTargets", "RemoveTargets", "TagResource",
               "UntagResource"),
    "bedrock": ("AssociateAgentKnowledgeBase", "CreateAgent", "CreateAgentAlias", "CreateDataSource",
                "CreateKnowledgeBase", "DeleteAgent", "DeleteAgentAlias", "DeleteAgentVersion", "DeleteDataSource",
                "DeleteKnowledgeBase", "DisassociateAgentKnowledgeBase", "GetAgent", "GetAgentAlias",
                "GetAgentKnowledgeBase", "GetDataSource", "GetKnowledgeBase", "ListAgentAliases",
                "ListAgentKnowledgeBases", "ListAgentVersions", "ListTagsForResource", "PrepareAgent", "TagResource",
                "UntagResource", "UpdateAgent", "UpdateAgentAlias", "UpdateAgentKnowledgeBase", "UpdateDataSource",
                "UpdateKnowledgeBase"),
    "s3vectors": ("CreateIndex", "CreateVectorBucket", "DeleteIndex", "DeleteVectorBucket", "GetIndex", "GetVectorBucket",
                  "ListTagsForResource", "TagResource", "UntagResource"),
    "cloudformation": ("CreateChangeSet", "CreateStack", "DeleteStack", "DescribeStackEvents", "DescribeStacks",
                       "UpdateStack"),
}


SECRET_ACTIONS = ("CancelRotateSecret", "CreateSecret", "DeleteSecret", "DescribeSecret", "GetSecretValue",
                  "PutResourcePolicy", "RotateSecret", "TagResource", "UntagResource", "UpdateSecret")


def add_parameters(template: Template) -> None:
    add_standard_parameters(template)
    template.add_parameter(Parameter(
        "AdministratorAccountId", Type="String", Default="", AllowedPattern=r"^([0-9]{12})?$",
        Description="Account whose StackSets deploy here (empty: this account)"))
    template.add_parameter(Parameter(
        "RoleRegion", Type="String", Default="us-east-1", AllowedValues=["us-east-1", "us-west-2", "eu-west-1"],
        Description="The one region whose bootstrap stack creates the (global) StackSet roles"))


def administrator_account():
    return If("SelfAdministered", Ref("AWS::AccountId"), Ref("AdministratorAccountId"))


def add_administration_role(template: Template) -> iam.Role:
    trust = policies.document(Statement(
        Effect=Allow,
        Principal=Principal("Service", ["cloudformation.amazonaws.com"]),
        Action=[Action("sts", "AssumeRole")],
        Condition=Condition([
            StringEquals("aws:SourceAccount", Ref("AWS::AccountId")),
            ArnLike("aws:SourceArn", Sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stackset/*")),
        ]),
    ))
    return template.add_resource(iam.Role(
        "AdministrationRole", Condition="CreateRoles", RoleName=ADMINISTRATION_ROLE,
        Description="CloudFormation StackSets of this account assume execution roles in target accounts",
        AssumeRolePolicyDocument=trust,
        Policies=[iam.Policy(PolicyName="assume-execution-role", PolicyDocument=policies.document(policies.allow(
            policies.actions("sts", "AssumeRole"),
            [Sub(f"arn:${{AWS::Partition}}:iam::*:role/{EXECUTION_ROLE}")])))],
        Tags=standard_tags(),
    ))


def add_execution_role(template: Template) -> iam.Role:
    trust = policies.document(Statement(
        Effect=Allow,
        Principal=Principal("AWS", Sub(f"arn:${{AWS::Partition}}:iam::${{Admin}}:role/{ADMINISTRATION_ROLE}",
                                       Admin=administrator_account())),
        Action=[Action("sts", "AssumeRole")],
    ))
    statements = [policies.allow(policies.actions(service, *names), ["*"]) for service, names in EXECUTION_ACTIONS.items()]
    # secrets: only this account's; GetSecretValue resolves our {{resolve:secretsmanager:...}} references
    statements.append(policies.allow(
        policies.actions("secretsmanager", *SECRET_ACTIONS),
        [Sub("arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:*")]))
    role = template.add_resource(iam.Role(
        "ExecutionRole", Condition="CreateRoles", RoleName=EXECUTION_ROLE,
        Description="What CloudFormation may do here for cfnops StackSets: the actions our templates need",
        AssumeRolePolicyDocument=trust,
        Policies=[iam.Policy(PolicyName="cfnops-templates", PolicyDocument=policies.document(*statements))],
        Tags=standard_tags(),
    ))
    suppress(role, "CKV_AWS_111", "CloudFormation creates resources whose names and ARNs are not known in advance; "
                                  "actions are listed one by one, none is a wildcard")
    suppress(role, "CKV_AWS_109", "the execution role must manage the key and bucket policies of the resources it creates")
    suppress(role, "CKV_AWS_110", "the execution role creates the roles our templates define (iam:CreateRole, PassRole)")
    return role


def build() -> Template:
    template = Template(Description="cfnops bootstrap: StackSet administration and execution roles, artifacts bucket")
    add_parameters(template)
    template.add_condition("SelfAdministered", Equals(Ref("AdministratorAccountId"), ""))
    template.add_condition("CreateRoles", Equals(Ref("AWS::Region"), Ref("RoleRegion")))
    add_administration_role(template)
    add_execution_role(template)
    key = encryption.add_kms_key(template, "ArtifactsKey", "cfnops artifacts")
    bucket = buckets.add_private_bucket(template, "ArtifactsBucket", Sub("cfnops-artifacts-${AWS::AccountId}-${AWS::Region}"), key)
    suppress(bucket, "CKV_AWS_18", "holds only rendered templates; reads and writes are recorded by CloudTrail")
    template.add_output(Output("ArtifactsBucketName", Value=Ref(bucket), Description="Templates over 51,200 bytes"))
    template.add_output(Output("ExecutionRoleArn", Condition="CreateRoles", Value=GetAtt("ExecutionRole", "Arn"),
                               Description="Role CloudFormation assumes in this account"))
    return template
