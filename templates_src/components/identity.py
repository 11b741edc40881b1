"""IAM roles and the environment access policies, per IamMode.

IamMode decides what the service and its operators may do with the environment's data:

* ``read-only``     (dev)     read the rules table, decrypt; no secret (the database's master
                              secret is its administrator's password, never a reader's)
* ``limited-write`` (staging) also read the database secret, write and update items
* ``full-access``   (prod)    also delete items, and every action is written to an
                              audit log group

Exactly one policy exists per stack (a Condition per mode); it is attached to both roles.
"""

from __future__ import annotations

import awacs.dynamodb
import awacs.ecr
import awacs.kms
import awacs.secretsmanager
from awacs.aws import PolicyDocument
from troposphere import Equals, GetAtt, If, Ref, Sub, Template, iam

from .. import policies
from ..conventions import permissions_boundary_arn, physical_name, standard_tags

IAM_MODES = ("read-only", "limited-write", "full-access")
IAM_MODE = "IamMode"
MODE_CONDITIONS = {"read-only": "IamReadOnly", "limited-write": "IamLimitedWrite", "full-access": "IamFullAccess"}

READ_ACTIONS = (
    awacs.dynamodb.BatchGetItem,
    awacs.dynamodb.ConditionCheckItem,
    awacs.dynamodb.DescribeTable,
    awacs.dynamodb.GetItem,
    awacs.dynamodb.Query,
    awacs.dynamodb.Scan,
)
WRITE_ACTIONS = (awacs.dynamodb.PutItem, awacs.dynamodb.UpdateItem)
DELETE_ACTIONS = (awacs.dynamodb.BatchWriteItem, awacs.dynamodb.DeleteItem)


def add_iam_mode_conditions(template: Template) -> None:
    for mode, condition in MODE_CONDITIONS.items():
        template.add_condition(condition, Equals(Ref(IAM_MODE), mode))


def add_task_execution_role(template: Template, suffix: str, service: str, log_group, repository) -> iam.Role:
    """What ECS needs to start a task: pull the image from its one repository in this account's
    registry (``repository``: its name), ship logs."""
    return add_role(
        template,
        "TaskExecutionRole",
        suffix,
        policies.service_trust_for_account("ecs-tasks.amazonaws.com"),
        f"Pulls the {service} image and ships its logs",
        [
            # GetAuthorizationToken accepts no resource but "*"
            policies.allow(policies.actions(awacs.ecr.GetAuthorizationToken), ["*"]),
            policies.allow(
                policies.actions(
                    awacs.ecr.BatchCheckLayerAvailability, awacs.ecr.BatchGetImage, awacs.ecr.GetDownloadUrlForLayer
                ),
                [
                    Sub(
                        "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${Repository}",
                        Repository=repository,
                    )
                ],
            ),
            policies.log_delivery_statement(GetAtt(log_group, "Arn")),
        ],
    )


def add_role(template: Template, title: str, suffix: str, trust, description: str, statements=None) -> iam.Role:
    """A role named ``{env}-{region}-role-{suffix}``: unique per account, region and env."""
    properties = dict(
        RoleName=physical_name("role", suffix),
        Description=description,
        AssumeRolePolicyDocument=trust,
        MaxSessionDuration=3600,
        PermissionsBoundary=permissions_boundary_arn(),
        Tags=standard_tags(),
    )
    if statements:
        properties["Policies"] = [iam.Policy(PolicyName=suffix, PolicyDocument=policies.document(*statements))]
    return template.add_resource(iam.Role(title, **properties))


def secret_statement(secret_arn):
    return policies.allow(
        policies.actions(awacs.secretsmanager.DescribeSecret, awacs.secretsmanager.GetSecretValue), [secret_arn]
    )


def mode_statements(mode: str, table_arn, secret, key_arns: list, audit_log_arn) -> list:
    """The statements that ``mode`` grants, each mode a superset of the one before. ``key_arns``:
    every CMK the data is encrypted with (a table's replicas use their region's replica key);
    ``secret``: the database secret's statement, granted from limited-write on."""
    table_resources = [table_arn, table_index_arn(table_arn)]
    statements = [
        policies.allow(policies.actions(*READ_ACTIONS), table_resources),
        policies.allow(policies.actions(awacs.kms.Decrypt, awacs.kms.DescribeKey), key_arns),
    ]
    if mode in ("limited-write", "full-access"):
        statements.append(secret)
        statements.append(policies.allow(policies.actions(*WRITE_ACTIONS), [table_arn]))
        statements.append(policies.allow(policies.actions(awacs.kms.Encrypt, awacs.kms.GenerateDataKey), key_arns))
    if mode == "full-access":
        statements.append(policies.allow(policies.actions(*DELETE_ACTIONS), [table_arn]))
        statements.append(policies.log_delivery_statement(audit_log_arn))
    return statements


def table_index_arn(table_arn) -> Sub:
    return Sub("${TableArn}/index/*", TableArn=table_arn)


def add_mode_policies(
    template: Template,
    roles: list[iam.Role],
    table_arn,
    secret_arn,
    key_arns: list,
    audit_log_arn,
    secret_condition: str | None = None,
) -> None:
    """One managed policy per IamMode, each behind its Condition, attached to ``roles``.
    With ``secret_condition``, the secret's statement exists only where that Condition holds."""
    for mode, condition in MODE_CONDITIONS.items():
        secret = secret_statement(secret_arn)
        if secret_condition:
            secret = If(secret_condition, secret, Ref("AWS::NoValue"))
        statements = mode_statements(mode, table_arn, secret, key_arns, audit_log_arn)
        document: PolicyDocument | dict = (
            {"Version": policies.VERSION, "Statement": statements}  # awacs takes statements only, not an If
            if secret_condition
            else policies.document(*statements)
        )
        template.add_resource(
            iam.ManagedPolicy(
                f"{condition}Policy",
                Condition=condition,
                ManagedPolicyName=physical_name("policy", f"data-{mode}"),
                Description=f"Environment data access: {mode}",
                Roles=[Ref(role) for role in roles],
                PolicyDocument=document,
            )
        )
