"""Customer-managed KMS keys with rotation and an alias."""

from __future__ import annotations

from awacs.aws import Condition
from troposphere import GetAtt, Ref, Sub, Template
from troposphere.kms import Alias, Key

from .. import policies
from ..conventions import retain, standard_tags

KEY_DELETION_WINDOW_DAYS = 7


def add_kms_key(
    template: Template,
    title: str,
    purpose: str,
    service_principals: list[tuple[str, Condition | dict | None]] | None = None,
    extra_statements: list | None = None,
) -> Key:
    """A rotating CMK that outlives the stack (data encrypted with it must stay readable);
    ``extra_statements`` for a service that needs other actions or conditions (CloudTrail)."""
    key = template.add_resource(
        retain(
            Key(
                title,
                Description=Sub(f"${{Environment}} {purpose}"),
                # stated, not left to the default: CloudFormation's drift detection compares only
                # what the template sets, so a key disabled by hand is reported on AWS too
                Enabled=True,
                EnableKeyRotation=True,
                # the seeds' 7 days (KMS's minimum): CloudFormation schedules a key's deletion only
                # when it deletes the resource, which with RetainExceptOnCreate is only the empty key
                # of a failed first creation; a kept key is deleted by hand (make destroy lists how)
                PendingWindowInDays=KEY_DELETION_WINDOW_DAYS,
                KeyPolicy=policies.kms_key_policy(service_principals or [], extra_statements or []),
                Tags=standard_tags(),
            )
        )
    )
    template.add_resource(
        Alias(
            f"{title}Alias",
            AliasName=Sub(f"alias/${{Environment}}-${{AWS::Region}}-{purpose.lower().replace(' ', '-')}"),
            TargetKeyId=Ref(key),
        )
    )
    return key


def key_arn(key: Key) -> GetAtt:
    return GetAtt(key, "Arn")
