"""CI's AWS identity (bootstrap, `make bootstrap`): GitHub Actions' OIDC provider and, per
environment, the role its deploy job assumes, plus one read-only role for plans.

Nothing exists until the parameter files name the repository (``stackset-roles``:
``GitHubRepository: owner/name``). An account that already has GitHub's provider (IAM keeps
one per URL) passes its ARN in ``GitHubOidcProviderArn`` instead of creating another.

- ``cfnops-<env>-ci-deploy``: trusted only for a job of that repository running in the GitHub
  environment ``<env>`` or ``<env>-approval`` (the subject claim
  ``repo:<owner/name>:environment:<env>``; each environment's deployment branches are limited
  to the protected branch in GitHub's settings). It may run what ``cfnops deploy`` calls for
  that environment's StackSets (``*-<env>``) and pass that environment's administration role
  (a new StackSet must name it), read stacks' outputs and bootstrap's roles, and use the
  artifacts buckets (through S3 only, for KMS). No IAM action beyond GetRole and PassRole.
- ``cfnops-ci-plan``: trusted for the repository's pull requests and its protected branch;
  reads StackSets and stacks and detects drift (what ``cfnops plan --drift`` calls).

GitHub's OIDC claims: https://docs.github.com/en/actions/reference/security/oidc;
IAM's condition keys for it: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
"""

from __future__ import annotations

import awacs.cloudformation as cfn
import awacs.iam
import awacs.kms
import awacs.s3
import awacs.sts
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals, StringLike
from troposphere import And, Equals, GetAtt, If, Not, Output, Parameter, Ref, Sub, Template, iam
from troposphere import Condition as UseCondition

from cfnops.changes.ci_gate import APPROVAL_SUFFIX

from .. import policies
from ..conventions import ADMINISTRATION_ROLE, ARTIFACTS_BUCKET, EXECUTION_ROLE, standard_tags

REPOSITORY = "GitHubRepository"
PROVIDER_ARN = "GitHubOidcProviderArn"
ISSUER = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"  # aws-actions/configure-aws-credentials' audience
DEPLOY_ROLE = "cfnops-{environment}-ci-deploy"
PLAN_ROLE = "cfnops-ci-plan"
PROTECTED_BRANCH = "main"

STACKSET_READS = (
    cfn.DescribeStackSet,
    cfn.ListStackInstances,
    cfn.DescribeStackInstance,
    cfn.DescribeStackSetOperation,
    cfn.ListStackSetOperations,
    cfn.ListStackSetOperationResults,
    cfn.DetectStackSetDrift,
    cfn.ListStackInstanceResourceDrifts,
)
STACKSET_CHANGES = (cfn.UpdateStackSet, cfn.CreateStackInstances, cfn.UpdateStackInstances, cfn.DeleteStackInstances)
STACK_READS = (cfn.DescribeStacks, cfn.DescribeStackResourceDrifts)


def add_parameters(template: Template) -> None:
    template.add_parameter(
        Parameter(
            REPOSITORY,
            Type="String",
            Default="",
            AllowedPattern=r"^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?$",
            Description="owner/name of the GitHub repository whose workflows deploy (empty: no CI identity)",
        )
    )
    template.add_parameter(
        Parameter(
            PROVIDER_ARN,
            Type="String",
            Default="",
            AllowedPattern=r"^(arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com)?$",
            Description="The account's existing GitHub OIDC provider (empty: bootstrap creates it)",
        )
    )


def add_conditions(template: Template, once_per_account: str) -> None:
    template.add_condition("CiIdentity", And(UseCondition(once_per_account), Not(Equals(Ref(REPOSITORY), ""))))
    template.add_condition("CreateOidcProvider", And(UseCondition("CiIdentity"), Equals(Ref(PROVIDER_ARN), "")))


def add_provider(template: Template) -> iam.OIDCProvider:
    return template.add_resource(
        iam.OIDCProvider(
            "GitHubOidcProvider",
            Condition="CreateOidcProvider",
            Url=f"https://{ISSUER}",
            ClientIdList=[AUDIENCE],
            Tags=standard_tags(),
        )
    )


def _provider_arn(provider: iam.OIDCProvider):
    return If("CreateOidcProvider", GetAtt(provider, "Arn"), Ref(PROVIDER_ARN))


def subjects(environment: str) -> list:
    """The subject claims of a job in the GitHub environment ``environment`` or its approval one."""
    return [Sub(f"repo:${{{REPOSITORY}}}:environment:{name}") for name in (environment, environment + APPROVAL_SUFFIX)]


def _trust(provider: iam.OIDCProvider, subject_condition) -> PolicyDocument:
    return policies.document(
        Statement(
            Effect=Allow,
            Principal=Principal("Federated", _provider_arn(provider)),
            Action=[awacs.sts.AssumeRoleWithWebIdentity],
            Condition=Condition([StringEquals(f"{ISSUER}:aud", AUDIENCE), subject_condition]),
        )
    )


def _stacksets(environment: str) -> str:
    # cfnops names a StackSet <file>-<environment> (cfnops/inputs/stacksets.py)
    return f"arn:${{AWS::Partition}}:cloudformation:*:${{AWS::AccountId}}:stackset/*-{environment}:*"


def _role_arn(name: str):
    return Sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}")


def deploy_statements(environment: str) -> list[Statement]:
    administration = ADMINISTRATION_ROLE.format(environment=environment)
    stacksets = Sub(_stacksets(environment))
    targets = [
        Sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stackset-target/*"),
        Sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:type/resource/*"),
    ]
    buckets = ARTIFACTS_BUCKET.format(account="${AWS::AccountId}", region="*")
    return [
        policies.allow(policies.actions(*STACKSET_READS, cfn.TagResource), [stacksets]),
        policies.allow(policies.actions(*STACKSET_CHANGES), [stacksets, *targets]),
        policies.allow(
            policies.actions(cfn.CreateStackSet),
            ["*"],  # CreateStackSet takes no resource: the role it names is the condition
            Condition=Condition(StringEquals("cloudformation:RoleArn", _role_arn(administration))),
        ),
        policies.allow(policies.actions(cfn.ListStackSets), ["*"]),  # no resource-level permissions
        policies.allow(
            policies.actions(*STACK_READS), [Sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/*")]
        ),
        policies.allow(policies.actions(awacs.iam.PassRole), [_role_arn(administration)]),
        policies.allow(
            policies.actions(awacs.iam.GetRole),
            [_role_arn(administration), _role_arn(EXECUTION_ROLE.format(environment=environment))],
        ),
        policies.allow(policies.actions(awacs.s3.ListBucket), [Sub(f"arn:${{AWS::Partition}}:s3:::{buckets}")]),
        policies.allow(
            policies.actions(awacs.s3.PutObject, awacs.s3.GetObject),
            [Sub(f"arn:${{AWS::Partition}}:s3:::{buckets}/*")],
        ),
        policies.allow(
            policies.actions(awacs.kms.GenerateDataKey, awacs.kms.Decrypt),
            [Sub("arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*")],
            Condition=Condition(StringLike("kms:ViaService", "s3.*.amazonaws.com")),
        ),
    ]


def add_deploy_role(template: Template, environment: str, provider: iam.OIDCProvider) -> iam.Role:
    title = environment.title().replace("-", "")
    name = DEPLOY_ROLE.format(environment=environment)
    return template.add_resource(
        iam.Role(
            f"CiDeployRole{title}",
            Condition="CiIdentity",
            RoleName=name,
            Description=f"GitHub Actions deploys {environment} (its environments {environment}, "
            f"{environment}{APPROVAL_SUFFIX})",
            AssumeRolePolicyDocument=_trust(provider, StringEquals(f"{ISSUER}:sub", subjects(environment))),
            Policies=[
                iam.Policy(
                    PolicyName=f"deploy-{environment}",
                    PolicyDocument=policies.document(*deploy_statements(environment)),
                )
            ],
            Tags=standard_tags(environment),
        )
    )


def add_plan_role(template: Template, provider: iam.OIDCProvider) -> iam.Role:
    subjects_ = [
        Sub(f"repo:${{{REPOSITORY}}}:pull_request"),
        Sub(f"repo:${{{REPOSITORY}}}:ref:refs/heads/{PROTECTED_BRANCH}"),
    ]
    reads = [
        policies.allow(
            policies.actions(*STACKSET_READS),
            [Sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stackset/*")],
        ),
        policies.allow(policies.actions(cfn.ListStackSets), ["*"]),
        policies.allow(
            policies.actions(*STACK_READS), [Sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/*")]
        ),
    ]
    return template.add_resource(
        iam.Role(
            "CiPlanRole",
            Condition="CiIdentity",
            RoleName=PLAN_ROLE,
            Description="GitHub Actions plans (pull requests and the protected branch): read only",
            AssumeRolePolicyDocument=_trust(provider, StringEquals(f"{ISSUER}:sub", subjects_)),
            Policies=[iam.Policy(PolicyName="plan", PolicyDocument=policies.document(*reads))],
            Tags=standard_tags(),
        )
    )


def add_ci_identity(template: Template, environments, once_per_account: str) -> list[iam.Role]:
    """The provider, each environment's deploy role and the plan role, created in the stack of
    ``once_per_account`` (IAM is global) when the parameter files name the repository."""
    add_parameters(template)
    add_conditions(template, once_per_account)
    provider = add_provider(template)
    roles = [add_deploy_role(template, environment, provider) for environment in environments]
    roles.append(add_plan_role(template, provider))
    for role in roles:
        template.add_output(
            Output(f"{role.title}Arn", Condition="CiIdentity", Value=GetAtt(role, "Arn"), Description=role.Description)
        )
    return roles
