"""S3 buckets: versioned, encrypted, public access blocked, TLS only, retained.

Data buckets are encrypted with a CMK. Load balancer access-log buckets cannot be:
Elastic Load Balancing writes its logs with SSE-S3 only (a documented limitation)."""

from __future__ import annotations

import awacs.s3
from awacs.aws import Allow, Bool, Condition, Deny, Principal, Statement
from troposphere import FindInMap, GetAtt, Ref, Sub, Template, s3

from cfnops.awsfacts import s3_lifecycle

from .. import policies
from ..conventions import retain, standard_tags, suppress

# The Elastic Load Balancing account that writes access logs, per region
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html).
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
}
ELB_LOG_MAPPING = "ElbLogDeliveryAccounts"
SSE_S3_REASON = "Elastic Load Balancing writes access logs to SSE-S3 buckets only; a KMS key is not supported"


def _encryption(key) -> s3.BucketEncryption:
    default = (
        s3.ServerSideEncryptionByDefault(SSEAlgorithm="aws:kms", KMSMasterKeyID=GetAtt(key, "Arn"))
        if key
        else s3.ServerSideEncryptionByDefault(SSEAlgorithm="AES256")
    )
    return s3.BucketEncryption(
        ServerSideEncryptionConfiguration=[
            s3.ServerSideEncryptionRule(ServerSideEncryptionByDefault=default, BucketKeyEnabled=bool(key))
        ]
    )


def _lifecycle(rules: list[s3.LifecycleRule]) -> s3.LifecycleConfiguration:
    """``rules``; where one moves objects to Glacier, small ones go too (s3_lifecycle: by default
    S3 moves no object under 128 KB, most log objects)."""
    classes = {transition.StorageClass for rule in rules for transition in rule.properties.get("Transitions", [])}
    if classes & s3_lifecycle.TAKE_SMALL_OBJECTS:
        return s3.LifecycleConfiguration(
            Rules=rules, TransitionDefaultMinimumObjectSize=s3_lifecycle.SMALL_OBJECTS_TO_GLACIER
        )
    return s3.LifecycleConfiguration(Rules=rules)


def _bucket(template: Template, title: str, name: Sub, key, rules: list[s3.LifecycleRule]) -> s3.Bucket:
    return template.add_resource(
        retain(
            s3.Bucket(
                title,
                BucketName=name,
                VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
                BucketEncryption=_encryption(key),
                PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
                    BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True
                ),
                OwnershipControls=s3.OwnershipControls(
                    Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
                ),
                LifecycleConfiguration=_lifecycle(rules),
                Tags=standard_tags(),
            )
        )
    )


def _noncurrent_expiry(days: int, **current) -> s3.LifecycleRule:
    return s3.LifecycleRule(
        Id="expire-noncurrent-versions",
        Status="Enabled",
        NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=days),
        AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(DaysAfterInitiation=7),
        **current,
    )


def bucket_and_objects(bucket: s3.Bucket) -> list:
    """The bucket's ARN and its objects'."""
    return [GetAtt(bucket, "Arn"), Sub("${Arn}/*", Arn=GetAtt(bucket, "Arn"))]


def _add_policy(template: Template, bucket: s3.Bucket, *statements: Statement) -> s3.BucketPolicy:
    """The bucket's policy: TLS only (every S3 action, as AWS's own example denies,
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html), then ``statements``."""
    tls_only = Statement(
        Sid="TlsOnly",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[awacs.s3.Action("*")],
        Resource=bucket_and_objects(bucket),
        Condition=Condition(Bool("aws:SecureTransport", "false")),
    )
    return template.add_resource(
        s3.BucketPolicy(
            f"{bucket.title}Policy", Bucket=Ref(bucket), PolicyDocument=policies.document(tls_only, *statements)
        )
    )


def expire_after(days: int) -> dict:
    """Lifecycle of current objects: deleted ``days`` after they were written."""
    return {"ExpirationInDays": days}


def tiered(infrequent_after: int, glacier_after: int) -> dict:
    """Lifecycle of current objects: Standard-IA, then Glacier, kept."""
    return {
        "Transitions": [
            s3.LifecycleRuleTransition(StorageClass="STANDARD_IA", TransitionInDays=infrequent_after),
            s3.LifecycleRuleTransition(StorageClass="GLACIER", TransitionInDays=glacier_after),
        ]
    }


def add_private_bucket(
    template: Template,
    title: str,
    name: Sub,
    key,
    noncurrent_days: int = 90,
    current: dict | None = None,
    policy_statements=(),
) -> s3.Bucket:
    """``current``: the lifecycle of current objects (``expire_after``, ``tiered``); kept by default.
    ``policy_statements`` (a function of the bucket) follow TLS-only in the bucket's policy."""
    bucket = _bucket(template, title, name, key, [_noncurrent_expiry(noncurrent_days, **(current or {}))])
    _add_policy(template, bucket, *(policy_statements(bucket) if policy_statements else ()))
    return bucket


def lock_in_compliance_mode(bucket: s3.Bucket, retention_days) -> s3.Bucket:
    """S3 Object Lock, compliance mode: every new object version is kept unchanged and
    undeletable by anyone, root included, for ``retention_days``. Object Lock needs
    versioning (every bucket of ours has it), is turned on here at the bucket's creation,
    and can never be turned off."""
    bucket.ObjectLockEnabled = True
    bucket.ObjectLockConfiguration = s3.ObjectLockConfiguration(
        ObjectLockEnabled="Enabled",
        Rule=s3.ObjectLockRule(DefaultRetention=s3.DefaultRetention(Mode="COMPLIANCE", Days=retention_days)),
    )
    return bucket


def add_access_log_bucket(
    template: Template, title: str, name: Sub, prefix: str, glacier_after_days: int, expire_after_days: int
) -> tuple[s3.Bucket, s3.BucketPolicy]:
    """Where the region's load balancers write access logs under ``prefix``: SSE-S3,
    to Glacier after ``glacier_after_days``, deleted after ``expire_after_days``."""
    template.add_mapping(
        ELB_LOG_MAPPING, {region: {"Account": account} for region, account in ELB_LOG_ACCOUNTS.items()}
    )
    current = dict(
        Transitions=[s3.LifecycleRuleTransition(StorageClass="GLACIER", TransitionInDays=glacier_after_days)],
        **expire_after(expire_after_days),
    )
    bucket = _bucket(template, title, name, None, [_noncurrent_expiry(glacier_after_days, **current)])
    for rule in ("E9002", "CKV_AWS_145"):
        suppress(bucket, rule, SSE_S3_REASON)
    suppress(
        bucket,
        "CKV_AWS_18",
        "it is the access-log bucket: logging it would need another log bucket, and so on; "
        "in prod, reads of it are recorded by the account trail's data events (stackset-roles)",
    )
    elb_account = FindInMap(ELB_LOG_MAPPING, Ref("AWS::Region"), "Account")
    policy = _add_policy(
        template,
        bucket,
        Statement(
            Sid="LoadBalancerAccessLogs",
            Effect=Allow,
            Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${Account}:root", Account=elb_account)),
            Action=policies.actions(awacs.s3.PutObject),
            Resource=[Sub(f"${{Arn}}/{prefix}/AWSLogs/${{AWS::AccountId}}/*", Arn=GetAtt(bucket, "Arn"))],
        ),
    )
    return bucket, policy
