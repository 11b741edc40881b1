"""The account's audit trail: one multi-region CloudTrail trail, created once per account.

- encrypted with its own CMK: CloudTrail may generate data keys only for this trail
  (``aws:SourceArn``) and only under its own encryption context
  (``kms:EncryptionContext:aws:cloudtrail:arn``), and describe the key; decrypt only for
  this trail (CloudTrail checks it when the bucket has an S3 Bucket Key);
- log-file validation on (signed digest files prove nothing was changed or removed);
- delivered to a bucket with S3 Object Lock in COMPLIANCE mode for ``TrailRetentionDays``,
  versioned, public access blocked, TLS only, CMK-encrypted; CloudTrail may read its ACL and
  write under ``AWSLogs/<account>/`` only for this trail (``aws:SourceArn``); the bucket and
  its key are never deleted by CloudFormation (``Retain``, rollbacks included: locked objects
  cannot be deleted), and a later creation of the bootstrap adopts them (rollout/adopt.py);
- management events (read and write) of every region, plus S3 object-level data events of
  the buckets named (``data_event_buckets``: bucket names, Fn::Sub patterns);
- also delivered to a CloudWatch Logs group (CMK-encrypted, kept ``LOG_RETENTION_DAYS``, its name
  generated so a re-created bootstrap never collides with a kept one) through a role only
  CloudTrail may assume, only for this trail and account, allowed only to write this trail's
  streams: the metric filters and alarms of ``audit_alarms`` read it.
"""

from __future__ import annotations

import awacs.kms
import awacs.logs
import awacs.s3
import awacs.sts
from awacs.aws import Allow, Condition, Principal, Statement, StringEquals, StringLike
from troposphere import GetAtt, Parameter, Ref, Sub, Template, cloudtrail, iam, logs

from .. import policies
from ..conventions import retain, retain_always, standard_tags, suppress
from . import audit_alarms, buckets, encryption

TRAIL_NAME = "cfnops-audit-trail"
RETENTION_PARAMETER = "TrailRetentionDays"
CLOUDTRAIL = "cloudtrail.amazonaws.com"
# CIS AWS Foundations 3.x / PCI DSS 10.7: at least a year of audit history at hand; a value
# CloudWatch Logs accepts for RetentionInDays
LOG_RETENTION_DAYS = 365


def trail_arn() -> Sub:
    """Known before the trail exists: the key and bucket policies name it (no cycle)."""
    return Sub(f"arn:${{AWS::Partition}}:cloudtrail:${{AWS::Region}}:${{AWS::AccountId}}:trail/{TRAIL_NAME}")


def _for_this_trail(equals: dict | None = None, like=None) -> Condition:
    """aws:SourceArn is this trail (plus ``equals`` keys, and a StringLike element ``like``)."""
    elements = [StringEquals({"aws:SourceArn": trail_arn(), **(equals or {})})]
    return Condition(elements + ([like] if like is not None else []))


def key_statements() -> list[Statement]:
    """CloudTrail's part of the key policy (AWS CloudTrail User Guide, "Configure AWS KMS key
    policies for CloudTrail"): encrypt, describe, and decrypt, each only for this trail."""
    context = StringLike(
        "kms:EncryptionContext:aws:cloudtrail:arn", Sub("arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*")
    )
    service = Principal("Service", CLOUDTRAIL)
    return [
        Statement(
            Sid="CloudTrailEncryptsLogs",
            Effect=Allow,
            Principal=service,
            Action=policies.actions(awacs.kms.GenerateDataKey),
            Resource=["*"],
            Condition=_for_this_trail(like=context),
        ),
        Statement(
            Sid="CloudTrailDescribesKey",
            Effect=Allow,
            Principal=service,
            Action=policies.actions(awacs.kms.DescribeKey),
            Resource=["*"],
            Condition=_for_this_trail(),
        ),
        Statement(
            Sid="CloudTrailDecryptsForBucketKey",
            Effect=Allow,
            Principal=service,
            Action=policies.actions(awacs.kms.Decrypt),
            Resource=["*"],
            Condition=_for_this_trail(),
        ),
    ]


def bucket_statements(bucket) -> list[Statement]:
    service = Principal("Service", CLOUDTRAIL)
    return [
        Statement(
            Sid="CloudTrailAclCheck",
            Effect=Allow,
            Principal=service,
            Action=policies.actions(awacs.s3.GetBucketAcl),
            Resource=[GetAtt(bucket, "Arn")],
            Condition=_for_this_trail(),
        ),
        Statement(
            Sid="CloudTrailWrite",
            Effect=Allow,
            Principal=service,
            Action=policies.actions(awacs.s3.PutObject),
            Resource=[Sub("${Arn}/AWSLogs/${AWS::AccountId}/*", Arn=GetAtt(bucket, "Arn"))],
            Condition=_for_this_trail({"s3:x-amz-acl": "bucket-owner-full-control"}),
        ),
    ]


def retention_parameter() -> Parameter:
    return Parameter(
        RETENTION_PARAMETER,
        Type="Number",
        MinValue=1,
        MaxValue=3650,
        Default=365,
        Description="Days each audit-trail log file is locked (S3 Object Lock, compliance mode), then expired",
    )


def _selectors(data_event_buckets: list) -> list[cloudtrail.AdvancedEventSelector]:
    def field(name: str, **match) -> cloudtrail.AdvancedFieldSelector:
        return cloudtrail.AdvancedFieldSelector(Field=name, **match)

    return [
        cloudtrail.AdvancedEventSelector(
            Name="Management events", FieldSelectors=[field("eventCategory", Equals=["Management"])]
        ),
        cloudtrail.AdvancedEventSelector(
            Name="S3 object-level events of the audited buckets",
            FieldSelectors=[
                field("eventCategory", Equals=["Data"]),
                field("resources.type", Equals=["AWS::S3::Object"]),
                field(
                    "resources.ARN",
                    StartsWith=[Sub(f"arn:${{AWS::Partition}}:s3:::{name}/") for name in data_event_buckets],
                ),
            ],
        ),
    ]


def add_log_delivery(template: Template, key) -> tuple[logs.LogGroup, iam.Role]:
    """The trail's log group and the role CloudTrail writes it with (AWS CloudTrail User Guide,
    "Role policy document for CloudTrail to use CloudWatch Logs for monitoring",
    https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html:
    logs:CreateLogStream and logs:PutLogEvents on the
    streams ``<account>_CloudTrail_<region>`` of the group; a multi-region trail writes one per region)."""
    group = template.add_resource(
        retain(
            logs.LogGroup(
                "TrailLogGroup", RetentionInDays=LOG_RETENTION_DAYS, KmsKeyId=GetAtt(key, "Arn"), Tags=standard_tags()
            )
        )
    )
    streams = Sub(
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Group}:log-stream:${AWS::AccountId}_CloudTrail_*",
        Group=Ref(group),
    )
    role = template.add_resource(
        iam.Role(
            "TrailLogsRole",
            AssumeRolePolicyDocument=policies.document(
                Statement(
                    Effect=Allow,
                    Principal=Principal("Service", [CLOUDTRAIL]),
                    Action=[awacs.sts.AssumeRole],
                    Condition=_for_this_trail({"aws:SourceAccount": Ref("AWS::AccountId")}),
                )
            ),
            Policies=[
                iam.Policy(
                    PolicyName="deliver-to-trail-log-group",
                    PolicyDocument=policies.document(
                        policies.allow(policies.actions(awacs.logs.CreateLogStream, awacs.logs.PutLogEvents), [streams])
                    ),
                )
            ],
            Tags=standard_tags(),
        )
    )
    return group, role


def add_trail(template: Template, condition: str, data_event_buckets: list) -> cloudtrail.Trail:
    """The trail and its key, bucket and log group, all under ``condition`` (the one region of the account)."""
    template.add_parameter(retention_parameter())
    key = encryption.add_kms_key(
        template,
        "TrailKey",
        "cfnops audit trail",
        [policies.logs_key_user(), ("cloudwatch.amazonaws.com", policies.source_account_condition())],
        extra_statements=key_statements(),
    )
    group, role = add_log_delivery(template, key)
    bucket = buckets.lock_in_compliance_mode(
        buckets.add_private_bucket(
            template,
            "TrailBucket",
            Sub("cfnops-audit-trail-${AWS::AccountId}-${AWS::Region}"),
            key,
            current=buckets.expire_after(Ref(RETENTION_PARAMETER)),
            policy_statements=bucket_statements,
        ),
        Ref(RETENTION_PARAMETER),
    )
    retain_always(bucket)
    retain_always(key)
    suppress(
        bucket,
        "CKV_AWS_18",
        "the audit trail's own bucket: server access logs cannot go to a KMS-encrypted bucket, "
        "and data events on it would record the trail's own deliveries; its management events are in the trail",
    )
    trail = template.add_resource(
        cloudtrail.Trail(
            "Trail",
            TrailName=TRAIL_NAME,
            IsLogging=True,
            IsMultiRegionTrail=True,
            IncludeGlobalServiceEvents=True,
            EnableLogFileValidation=True,
            KMSKeyId=GetAtt(key, "Arn"),
            S3BucketName=Ref(bucket),
            CloudWatchLogsLogGroupArn=GetAtt(group, "Arn"),
            CloudWatchLogsRoleArn=GetAtt(role, "Arn"),
            AdvancedEventSelectors=_selectors(data_event_buckets),
            DependsOn=[f"{bucket.title}Policy"],
            Tags=standard_tags(),
        )
    )
    suppress(
        trail, "CKV_AWS_252", "nobody consumes per-file delivery notifications; log-file validation proves completeness"
    )
    titles = (
        key.title,
        f"{key.title}Alias",
        bucket.title,
        f"{bucket.title}Policy",
        group.title,
        role.title,
        trail.title,
    )
    for title in titles:
        template.resources[title].Condition = condition
    audit_alarms.add_alarms(template, group, key, condition)
    return trail
