"""Secret rotation every ROTATION_DAYS (seed 001: 30 days, the same in every environment).

- A secret RDS manages (``rds!cluster-…``): Secrets Manager's managed rotation, whose
  schedule an AWS::SecretsManager::RotationSchedule with RotationRules alone sets (no
  function: "For secrets managed by other services, you use managed rotation",
  https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_managed.html;
  the registry schema requires only SecretId).
- A cluster RDS cannot manage the password of (an Aurora global database's): credentials in
  a secret of our own, attached to the cluster, rotated by a function of ours that sets the
  password through RDS's API (handlers/master_password_rotation.py)."""

from __future__ import annotations

import awacs.kms
import awacs.rds
import awacs.secretsmanager
from troposphere import GetAtt, Ref, Sub, Template, awslambda
from troposphere import secretsmanager as sm

from .. import policies
from ..conventions import retain, standard_tags
from ..handlers import source
from . import functions, observability

ROTATION_DAYS = 30
ROTATION_FUNCTION_CONCURRENCY = 1  # Secrets Manager rotates one secret at a time
ROTATION_LOG_RETENTION_DAYS = 365


def rotation_rules() -> sm.RotationRules:
    return sm.RotationRules(ScheduleExpression=f"rate({ROTATION_DAYS} days)")


def rotate_managed_secret(template: Template, title: str, secret_arn, condition: str | None = None):
    """The schedule of a secret another service manages and rotates (RDS's master user secret)."""
    schedule = sm.RotationSchedule(title, SecretId=secret_arn, RotationRules=rotation_rules())
    if condition:
        schedule.Condition = condition
    return template.add_resource(schedule)


def add_master_credentials(template: Template, title: str, username: str, key, condition: str) -> sm.Secret:
    """A master user and a generated password, in a secret encrypted with ``key``; the
    cluster reads the password by dynamic reference. Kept with the cluster's snapshot."""
    secret = sm.Secret(
        title,
        Condition=condition,
        # named under the environment: its execution role reaches only secrets named {env}/...
        Name=Sub(f"${{Environment}}/${{AWS::Region}}/${{AWS::StackName}}-{title}"),
        Description=Sub(f"${{Environment}} master user {username} (rotated every {ROTATION_DAYS} days)"),
        KmsKeyId=Ref(key),
        GenerateSecretString=sm.GenerateSecretString(
            SecretStringTemplate=f'{{"username": "{username}"}}',
            GenerateStringKey="password",
            PasswordLength=32,
            ExcludeCharacters="\"'@/\\ ",
        ),
        Tags=standard_tags(),
    )
    return template.add_resource(retain(secret))


def rotate_master_credentials(template: Template, *, suffix: str, secret: sm.Secret, cluster, key, network):
    """``secret`` attached to ``cluster`` (adds dbClusterIdentifier, host, port), and rotated
    every ROTATION_DAYS by a function in the VPC that may change that cluster's password only."""
    condition = secret.Condition
    attachment = template.add_resource(
        sm.SecretTargetAttachment(
            f"{secret.title}Attachment",
            Condition=condition,
            SecretId=Ref(secret),
            TargetId=Ref(cluster),
            TargetType="AWS::RDS::DBCluster",
        )
    )
    name = f"{suffix}-rotation"
    queue = functions.add_dead_letter_queue(template, f"{secret.title}RotationDeadLetterQueue", name, key)
    log_group = observability.add_log_group(
        template, f"{secret.title}RotationLogGroup", name, ROTATION_LOG_RETENTION_DAYS, key
    )
    statements = [
        policies.allow(
            policies.actions(
                awacs.secretsmanager.DescribeSecret,
                awacs.secretsmanager.GetSecretValue,
                awacs.secretsmanager.PutSecretValue,
                awacs.secretsmanager.UpdateSecretVersionStage,
            ),
            [Ref(secret)],
        ),
        policies.allow(policies.actions(awacs.secretsmanager.GetRandomPassword), ["*"]),  # accepts no resource ARN
        policies.allow(
            policies.actions(awacs.rds.ModifyDBCluster, awacs.rds.DescribeDBClusters), [GetAtt(cluster, "DBClusterArn")]
        ),
        policies.kms_use_statement(GetAtt(key, "Arn"), awacs.kms.Decrypt, awacs.kms.GenerateDataKey),
    ]
    role = functions.add_function_role(
        template, f"{secret.title}RotationRole", name, log_group, queue, statements, network.vpc_id
    )
    function = functions.add_inline_function(
        template,
        title=f"{secret.title}RotationFunction",
        suffix=name,
        code=source("master_password_rotation"),
        memory=128,
        reserved_concurrency=ROTATION_FUNCTION_CONCURRENCY,
        role=role,
        key=key,
        log_group=log_group,
        dead_letter_queue=queue,
        subnets=network.private_subnet_ids,
        security_group=network.application_security_group,
        environment={},
        timeout=60,
    )
    permission = template.add_resource(
        awslambda.Permission(
            f"{secret.title}RotationPermission",
            Condition=condition,
            Action="lambda:InvokeFunction",
            FunctionName=GetAtt(function, "Arn"),
            Principal="secretsmanager.amazonaws.com",
            SourceAccount=Ref("AWS::AccountId"),
            # this function rotates this secret only: "if you include the context key aws:SourceArn
            # ..., the rotation function can only be used to rotate the secret specified by that ARN"
            # (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html)
            SourceArn=Ref(secret),
        )
    )
    for resource in (queue, log_group, role, function):
        resource.Condition = condition  # type: ignore[union-attr]  # only where the secret is
    return template.add_resource(
        sm.RotationSchedule(
            f"{secret.title}RotationSchedule",
            Condition=condition,
            DependsOn=[permission.title],  # the attachment: by SecretId
            SecretId=Ref(attachment),
            RotationLambdaARN=GetAtt(function, "Arn"),
            RotationRules=rotation_rules(),
        )
    )
