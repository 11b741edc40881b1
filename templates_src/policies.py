"""IAM policy documents and trust policies, built with awacs.

Least privilege: every action is spelled out (no ``*`` or ``service:*``), and every
resource is the one the statement is about, except where the API itself only accepts
``"*"`` (noted beside the statement).
"""

from __future__ import annotations

import awacs.kms
import awacs.logs
import awacs.sts
from awacs.aws import (
    Action,
    Allow,
    ArnLike,
    Bool,
    Condition,
    Policy,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from awacs.helpers.trust import make_simple_assume_policy
from troposphere import AWSHelperFn, Sub

VERSION = "2012-10-17"

# Explicit key-administration and key-use actions for the account root. The usual
# "kms:*" would be shorter; it is also exactly what our policy rules forbid.
KMS_ACCOUNT_ACTIONS = (
    awacs.kms.CancelKeyDeletion,
    awacs.kms.CreateAlias,
    awacs.kms.CreateGrant,
    awacs.kms.Decrypt,
    awacs.kms.DeleteAlias,
    awacs.kms.DescribeKey,
    awacs.kms.DisableKey,
    awacs.kms.DisableKeyRotation,
    awacs.kms.EnableKey,
    awacs.kms.EnableKeyRotation,
    awacs.kms.Encrypt,
    awacs.kms.GenerateDataKey,
    awacs.kms.GenerateDataKeyWithoutPlaintext,
    awacs.kms.GetKeyPolicy,
    awacs.kms.GetKeyRotationStatus,
    awacs.kms.ListAliases,
    awacs.kms.ListGrants,
    awacs.kms.ListKeyPolicies,
    awacs.kms.ListResourceTags,
    awacs.kms.PutKeyPolicy,
    awacs.kms.ReEncryptFrom,
    awacs.kms.ReEncryptTo,
    awacs.kms.RetireGrant,
    awacs.kms.RevokeGrant,
    awacs.kms.ScheduleKeyDeletion,
    awacs.kms.TagResource,
    awacs.kms.UntagResource,
    awacs.kms.UpdateAlias,
    awacs.kms.UpdateKeyDescription,
)
KMS_USE_ACTIONS = (
    awacs.kms.Decrypt,
    awacs.kms.Encrypt,
    awacs.kms.GenerateDataKey,
    awacs.kms.ReEncryptFrom,
    awacs.kms.ReEncryptTo,
    awacs.kms.DescribeKey,
)


def actions(*names: Action) -> list[Action]:
    """``actions(awacs.kms.Decrypt)`` -> [kms:Decrypt]: awacs' per-service constants, so a
    misspelt action fails at import; refuses wildcards by construction."""
    for name in names:
        if "*" in name.JSONrepr():
            raise ValueError(f"wildcard action {name.JSONrepr()} is not allowed")
    return list(names)


def allow(action_list: list[Action], resources: list, **kwargs) -> Statement:
    return Statement(Effect=Allow, Action=action_list, Resource=resources, **kwargs)


def service_trust(*services: str) -> Policy:
    """Trust policy for AWS services, e.g. ``service_trust("ecs-tasks.amazonaws.com")``."""
    return make_simple_assume_policy(*services)


def account_trust_with_mfa() -> PolicyDocument:
    """Humans of this account assume the role only with MFA."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
                Action=[awacs.sts.AssumeRole],
                Condition=Condition(Bool("aws:MultiFactorAuthPresent", "true")),
            )
        ],
    )


def kms_key_policy(
    service_principals: list[tuple[str, Condition | dict | None]], extra_statements: list | None = None
) -> PolicyDocument:
    """Key policy: the account administers the key; named services may use it.

    ``service_principals`` holds (principal, condition) pairs; the condition narrows
    the service to this account's resources (encryption context or source account).
    """
    root = Principal("AWS", Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"))
    statements = [
        Statement(
            Sid="AccountAdministersKey",
            Effect=Allow,
            Principal=root,
            Action=actions(*KMS_ACCOUNT_ACTIONS),
            Resource=["*"],  # in a key policy "*" means "this key"
        )
    ]
    for index, (service, condition) in enumerate(service_principals):
        statement = dict(
            Sid=f"ServiceUsesKey{index}",
            Effect=Allow,
            Principal=Principal("Service", service),
            Action=actions(
                awacs.kms.Decrypt,
                awacs.kms.Encrypt,
                awacs.kms.GenerateDataKey,
                awacs.kms.ReEncryptFrom,
                awacs.kms.ReEncryptTo,
                awacs.kms.DescribeKey,
            ),
            Resource=["*"],
        )
        if condition:
            statement["Condition"] = condition
        statements.append(Statement(**statement))
    return PolicyDocument(Version=VERSION, Statement=statements + list(extra_statements or []))


def logs_service_condition() -> Condition:
    """CloudWatch Logs may use the key only for log groups of this account and region."""
    return Condition(
        ArnLike(
            "kms:EncryptionContext:aws:logs:arn",
            Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"),
        )
    )


def _this_account() -> StringEquals:
    return StringEquals("aws:SourceAccount", Sub("${AWS::AccountId}"))


def source_account_condition() -> Condition:
    return Condition(_this_account())


def logs_key_user() -> tuple:
    """CloudWatch Logs of this region, for this account's log groups only."""
    return Sub("logs.${AWS::Region}.amazonaws.com"), logs_service_condition()


def _service_trust(service: str, condition: Condition) -> PolicyDocument:
    return document(
        Statement(
            Effect=Allow, Principal=Principal("Service", [service]), Action=[awacs.sts.AssumeRole], Condition=condition
        )
    )


def service_trust_for_account(service: str) -> PolicyDocument:
    """A service may assume the role only on behalf of this account (confused deputy)."""
    return _service_trust(service, source_account_condition())


def service_trust_for_source(service: str, source_arn: AWSHelperFn) -> PolicyDocument:
    """A service may assume the role only on behalf of this account and for the resources
    ``source_arn`` matches (ArnLike: the role is created before the resource it serves)."""
    return _service_trust(service, Condition([_this_account(), ArnLike("aws:SourceArn", source_arn)]))


def document(*statements: Statement) -> PolicyDocument:
    return PolicyDocument(Version=VERSION, Statement=list(statements))


def log_delivery_statement(log_group_arn: AWSHelperFn) -> Statement:
    """Write to one log group (flow logs, container logs, audit logs)."""
    # A log group's Arn attribute ends in ":*" and so already covers its streams.
    return allow(
        actions(awacs.logs.CreateLogStream, awacs.logs.PutLogEvents, awacs.logs.DescribeLogStreams), [log_group_arn]
    )


def kms_use_statement(key_arn: AWSHelperFn, *names: Action) -> Statement:
    return allow(actions(*(names or KMS_USE_ACTIONS)), [key_arn])
