"""S3 buckets: versioned, encrypted with a CMK, public access blocked, TLS only, retained."""

from __future__ import annotations

from awacs.aws import Bool, Condition, Deny, Principal, Statement
from troposphere import GetAtt, Ref, Sub, Template
from troposphere import s3

from .. import policies
from ..conventions import retain, standard_tags


def add_private_bucket(template: Template, title: str, name: Sub, key, noncurrent_days: int = 90) -> s3.Bucket:
    bucket = template.add_resource(
        retain(
            s3.Bucket(
                title,
                BucketName=name,
                VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
                BucketEncryption=s3.BucketEncryption(
                    ServerSideEncryptionConfiguration=[
                        s3.ServerSideEncryptionRule(
                            ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                                SSEAlgorithm="aws:kms", KMSMasterKeyID=GetAtt(key, "Arn")
                            ),
                            BucketKeyEnabled=True,
                        )
                    ]
                ),
                PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
                    BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True
                ),
                OwnershipControls=s3.OwnershipControls(Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]),
                LifecycleConfiguration=s3.LifecycleConfiguration(
                    Rules=[
                        s3.LifecycleRule(
                            Id="expire-noncurrent-versions",
                            Status="Enabled",
                            NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=noncurrent_days),
                            AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(DaysAfterInitiation=7),
                        )
                    ]
                ),
                Tags=standard_tags(),
            )
        )
    )
    template.add_resource(
        s3.BucketPolicy(
            f"{title}Policy",
            Bucket=Ref(bucket),
            PolicyDocument=policies.document(
                Statement(
                    Sid="TlsOnly",
                    Effect=Deny,
                    Principal=Principal("*"),
                    Action=policies.actions("s3", "GetObject", "PutObject", "DeleteObject", "ListBucket"),
                    Resource=[GetAtt(bucket, "Arn"), Sub("${Arn}/*", Arn=GetAtt(bucket, "Arn"))],
                    Condition=Condition(Bool("aws:SecureTransport", "false")),
                )
            ),
        )
    )
    return bucket
