"""Template ``stackset-roles``: what StackSets need before the first rollout (`make bootstrap`).

- per environment, ``cfnops-<env>-stackset-administration``: assumed by CloudFormation only
  for this account's StackSets of that environment (aws:SourceAccount, aws:SourceArn
  ``stackset/*-<env>:*``), allowed only to assume that environment's execution role;
- per environment, ``cfnops-<env>-stackset-execution``: trusted only by that environment's
  administration role, tagged ``Environment=<env>``; the customer managed policies the three
  share are derived from the workload templates (``execution_policy``): every handler
  permission of their resource types, on the caller's environment's names only
  (``${aws:PrincipalTag/Environment}``), IAM only with the workload boundary.
- per environment, ``cfnops-<env>-workload-boundary``: the permissions boundary of every
  workload role of that environment (the only one its execution role may give a role); it
  denies the other environments' names and tagged resources.
- the artifacts bucket ``cfnops-artifacts-<account>-<region>`` for templates over
  51,200 bytes: versioned, CMK-encrypted, public access blocked, TLS only, and usable only by
  the deployers (``ArtifactsWriters``: the principal ARNs bootstrap knows, its caller first).
- the account's audit trail (``components/audit.py``): one multi-region CloudTrail trail,
  with S3 data events for prod's fraud-agent and loan-processing buckets and the artifacts
  buckets, their names derived from the workload templates themselves.

Deployed as a plain stack, once per account in each administrator region. The role
names are fixed by StackSets; they are created in RoleRegion only (IAM is global).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

import awacs.s3
import awacs.sts
from awacs.aws import Allow, ArnLike, ArnNotLike, Condition, Deny, Principal, Statement, StringEquals
from troposphere import Equals, GetAtt, If, Output, Parameter, Ref, Sub, Template, iam

from cfnops.drift import outside

from . import execution_policy, policies
from .components import audit, buckets, ci_identity, encryption
from .conventions import (
    ADMINISTRATION_ROLE,
    ARTIFACTS_BUCKET,
    ARTIFACTS_WRITERS,
    ENVIRONMENTS,
    EXECUTION_ROLE,
    REGIONS,
    add_standard_parameters,
    permissions_boundary_name,
    standard_tags,
    suppress,
    used_outside,
)

# an element of ArtifactsWriters: an aws:PrincipalArn pattern of this partition's IAM or STS
PRINCIPAL_ARN_PATTERN = r"^(arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:[!-~]+)?$"

# whose S3 buckets the audit trail records object by object, in which environment
DATA_EVENT_TEMPLATES = ("fraud-agent", "loan-processing")
DATA_EVENT_ENVIRONMENT = "prod"


def add_parameters(template: Template) -> None:
    add_standard_parameters(template)
    template.add_parameter(
        Parameter(
            "AdministratorAccountId",
            Type="String",
            Default="",
            AllowedPattern=r"^([0-9]{12})?$",
            Description="Account whose StackSets deploy here (empty: this account)",
        )
    )
    template.add_parameter(
        Parameter(
            "RoleRegion",
            Type="String",
            Default="us-east-1",
            AllowedValues=["us-east-1", "us-west-2", "eu-west-1"],
            Description="The one region whose bootstrap stack creates the (global) StackSet roles",
        )
    )
    template.add_parameter(
        Parameter(
            ARTIFACTS_WRITERS,
            Type="CommaDelimitedList",
            Default="",
            AllowedPattern=PRINCIPAL_ARN_PATTERN,
            Description="aws:PrincipalArn patterns that alone may use the artifacts bucket (cfnops bootstrap "
            "adds its caller; empty: nobody)",
        )
    )


def administrator_account():
    return If("SelfAdministered", Ref("AWS::AccountId"), Ref("AdministratorAccountId"))


def _title(environment: str) -> str:
    return environment.title().replace("-", "")


def add_administration_role(template: Template, environment: str) -> iam.Role:
    """The role the environment's StackSets run their operations with, in the administrator account."""
    trust = policies.document(
        Statement(
            Effect=Allow,
            Principal=Principal("Service", ["cloudformation.amazonaws.com"]),
            Action=[awacs.sts.AssumeRole],
            Condition=Condition(
                [
                    StringEquals("aws:SourceAccount", Ref("AWS::AccountId")),
                    ArnLike(
                        "aws:SourceArn",
                        # cfnops names a StackSet <file>-<environment> (cfnops/inputs/stacksets.py)
                        Sub(f"arn:${{AWS::Partition}}:cloudformation:*:${{AWS::AccountId}}:stackset/*-{environment}:*"),
                    ),
                ]
            ),
        )
    )
    return template.add_resource(
        iam.Role(
            f"AdministrationRole{_title(environment)}",
            Condition="CreateRoles",
            RoleName=ADMINISTRATION_ROLE.format(environment=environment),
            Description=f"CloudFormation StackSets of {environment} assume {environment}'s execution roles",
            AssumeRolePolicyDocument=trust,
            Policies=[
                iam.Policy(
                    PolicyName="assume-execution-role",
                    PolicyDocument=policies.document(
                        policies.allow(
                            policies.actions(awacs.sts.AssumeRole),
                            [
                                Sub(
                                    f"arn:${{AWS::Partition}}:iam::*:role/{EXECUTION_ROLE.format(environment=environment)}"
                                )
                            ],
                        )
                    ),
                )
            ],
            Tags=standard_tags(environment),
        )
    )


NEWER_ACTIONS = (  # cfn-lint's W3037 on a policy: its action list is older than IAM's catalogue
    "W3037",
    "actions from the registry schemas, checked against IAM's catalogue (gate rule IAM-ACTION), newer than cfn-lint's",
)
BOUNDARY_SUPPRESSIONS = {
    rule: "a permissions boundary caps actions (and denies the other environments' names and tagged "
    "resources); each role's own policy names its resources"
    for rule in ("CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_111")
}


def add_boundary(template: Template, environment: str, boundary) -> iam.ManagedPolicy:
    """The permissions boundary every workload role of ``environment`` carries."""
    policy = template.add_resource(
        iam.ManagedPolicy(
            f"WorkloadBoundary{_title(environment)}",
            Condition="CreateRoles",
            ManagedPolicyName=permissions_boundary_name(environment),
            Description=f"cfnops: the most a workload role of {environment} may do (the actions our templates' "
            "role policies use, never on another environment's resources)",
            PolicyDocument=boundary,
        )
    )
    for rule, reason in BOUNDARY_SUPPRESSIONS.items():
        suppress(policy, rule, reason)
    return policy


def add_execution_role(template: Template, environment: str, administration: iam.Role) -> iam.Role:
    """The environment's execution role: what its StackSets' templates may do in this account.
    Its Environment tag is what the shared policies scope by: only sts:AssumeRole is trusted
    (no sts:TagSession), so no session can bring another value."""
    trust = policies.document(
        Statement(
            Effect=Allow,
            Principal=Principal(
                "AWS",
                Sub(
                    f"arn:${{AWS::Partition}}:iam::${{Admin}}:role/{administration.RoleName}",
                    Admin=administrator_account(),
                ),
            ),
            Action=[awacs.sts.AssumeRole],
        )
    )
    return template.add_resource(
        iam.Role(
            f"ExecutionRole{_title(environment)}",
            Condition="CreateRoles",
            RoleName=EXECUTION_ROLE.format(environment=environment),
            # IAM refuses a trust policy naming a role that does not exist yet ("Invalid principal").
            DependsOn=[administration.title],
            Description=f"What CloudFormation may do here for cfnops StackSets of {environment}",
            AssumeRolePolicyDocument=trust,
            Tags=standard_tags(environment),
        )
    )


def add_execution_policies(
    template: Template, permissions: execution_policy.ExecutionPermissions, roles: list[iam.Role]
) -> None:
    """The customer managed policies every environment's execution role shares."""
    for index, document in enumerate(permissions.documents, start=1):
        policy = template.add_resource(
            iam.ManagedPolicy(
                f"ExecutionPolicy{index}",
                Condition="CreateRoles",
                ManagedPolicyName=f"cfnops-stackset-execution-{index}",
                Description=f"cfnops StackSet execution roles, part {index} of {len(permissions.documents)}: "
                "our templates' handler permissions",
                Roles=[Ref(role) for role in roles],
                PolicyDocument=document,
            )
        )
        for rule, reason in (*execution_policy.suppressions(document).items(), NEWER_ACTIONS):
            suppress(policy, rule, reason)


DRIFT_READ_RESOURCES = {  # per service of outside.READ_ACTIONS: what the reader may read
    "cloudformation": "arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/StackSet-*",  # instance stacks
    "ec2": "*",  # DescribeSecurityGroupRules has no resource-level permissions
    "iam": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*",
    "s3": "arn:${AWS::Partition}:s3:::*",
    "sqs": "arn:${AWS::Partition}:sqs:*:${AWS::AccountId}:*",
    "sns": "arn:${AWS::Partition}:sns:*:${AWS::AccountId}:*",
}


def add_drift_reader_role(template: Template) -> iam.Role:
    """What `cfnops drift` reads beside CloudFormation's drift (cfnops/drift/outside.py):
    only the read calls that module makes, trusted by the administrator account."""
    trust = policies.document(
        Statement(
            Effect=Allow,
            Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${Admin}:root", Admin=administrator_account())),
            Action=[awacs.sts.AssumeRole],
        )
    )
    statements = [
        policies.allow(
            policies.actions(*(getattr(importlib.import_module(f"awacs.{service}"), name) for name in names)),
            [Sub(DRIFT_READ_RESOURCES[service]) if DRIFT_READ_RESOURCES[service] != "*" else "*"],
        )
        for service, names in outside.READ_ACTIONS.items()
    ]
    return template.add_resource(
        iam.Role(
            "DriftReaderRole",
            Condition="CreateRoles",
            RoleName=outside.READER_ROLE,
            Description="Read-only: what cfnops drift reads that CloudFormation's drift does not compare",
            AssumeRolePolicyDocument=trust,
            ManagedPolicyArns=[],
            Policies=[iam.Policy(PolicyName="drift-read", PolicyDocument=policies.document(*statements))],
            Tags=standard_tags(),
        )
    )


def only_the_deployers(bucket) -> list[Statement]:
    """The artifacts bucket's own statement: every S3 action, on the bucket and its objects,
    denied to any principal that is not one of ArtifactsWriters (aws:PrincipalArn: for a role
    session, the role's ARN; https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
    CloudFormation reads a TemplateURL with its caller's credentials, so the deployer that
    wrote a template is the one that has it read; nobody else can write, read or re-open it."""
    return [
        Statement(
            Sid="OnlyTheDeployers",
            Effect=Deny,
            Principal=Principal("*"),
            Action=[awacs.s3.Action("*")],
            Resource=buckets.bucket_and_objects(bucket),
            Condition=Condition(ArnNotLike("aws:PrincipalArn", Ref(ARTIFACTS_WRITERS))),
        )
    ]


def _regions(template: dict) -> list[str]:
    allowed = (template.get("Metadata") or {}).get("cfnops", {}).get("AllowedRegions")
    return [region for region in REGIONS if not allowed or region in allowed]


def data_event_buckets(rendered: Mapping[str, dict]) -> list[str]:
    """Names (Fn::Sub patterns) of the buckets the trail records object-level access to: prod's buckets of
    DATA_EVENT_TEMPLATES in every region each may deploy to (names from their own templates,
    so a renamed or added bucket follows), and the artifacts bucket of every region. A platform
    built on these components without those templates records its artifacts buckets only."""
    names = [ARTIFACTS_BUCKET.format(account="${AWS::AccountId}", region=region) for region in REGIONS]
    for name in (n for n in DATA_EVENT_TEMPLATES if n in rendered):
        template = rendered[name]
        for resource in template["Resources"].values():
            pattern = (
                resource["Properties"].get("BucketName", {}).get("Fn::Sub")
                if resource["Type"] == "AWS::S3::Bucket"
                else None
            )
            if not isinstance(pattern, str):
                continue
            for region in _regions(template):
                names.append(
                    pattern.replace("${Environment}", DATA_EVENT_ENVIRONMENT).replace("${AWS::Region}", region)
                )
    return names


def build(workloads: Mapping[str, Callable[[], Template]]) -> Template:
    """The bootstrap template for StackSets that deploy ``workloads`` (name -> build)."""
    rendered = {name: b().to_dict() for name, b in workloads.items()}
    permissions = execution_policy.execution_permissions(rendered)
    template = Template(Description="cfnops bootstrap: StackSet administration and execution roles, artifacts bucket")
    add_parameters(template)
    template.add_condition("SelfAdministered", Equals(Ref("AdministratorAccountId"), ""))
    # the one region whose stack creates what an account has once: the (global) roles, the trail
    template.add_condition("CreateRoles", Equals(Ref("AWS::Region"), Ref("RoleRegion")))
    execution_roles = []
    for environment in ENVIRONMENTS:
        add_boundary(template, environment, permissions.boundaries[environment])
        execution_roles.append(
            add_execution_role(template, environment, add_administration_role(template, environment))
        )
    add_execution_policies(template, permissions, execution_roles)
    add_drift_reader_role(template)
    key = encryption.add_kms_key(template, "ArtifactsKey", "cfnops artifacts")
    bucket = buckets.add_private_bucket(
        template,
        "ArtifactsBucket",
        Sub(ARTIFACTS_BUCKET.format(account="${AWS::AccountId}", region="${AWS::Region}")),
        key,
        policy_statements=only_the_deployers,
    )
    suppress(
        bucket,
        "CKV_AWS_18",
        "holds only rendered templates; reads and writes are recorded by the account's trail (data events)",
    )
    used_outside(
        bucket,
        "cfnops uploads templates over 51,200 bytes with the deploying credentials, and CloudFormation reads "
        "them (TemplateURL) with the same",
    )
    audit.add_trail(template, "CreateRoles", data_event_buckets(rendered))
    ci_identity.add_ci_identity(template, ENVIRONMENTS, "CreateRoles")  # CI's OIDC roles (components/ci_identity.py)
    template.add_output(Output("ArtifactsBucketName", Value=Ref(bucket), Description="Templates over 51,200 bytes"))
    for role in execution_roles:
        template.add_output(
            Output(
                f"{role.title}Arn",
                Condition="CreateRoles",
                Value=GetAtt(role, "Arn"),
                Description=f"Role CloudFormation assumes in this account for {role.RoleName.split('-')[1]}'s StackSets",
            )
        )
    return template
