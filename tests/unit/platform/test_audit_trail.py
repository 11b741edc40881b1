"""The account's audit trail, in the bootstrap template: created once (the role region),
multi-region, CMK-encrypted, validated, delivered to a locked bucket, with S3 data events
for prod's fraud-agent and loan-processing buckets."""

from __future__ import annotations

import pytest

from templates_src.conventions import REGIONS
from tests.conftest import props, ref
from tests.support.conventions import sub_names

TRAIL_ARN = {"Fn::Sub": "arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/cfnops-audit-trail"}


@pytest.fixture(scope="module")
def bootstrap(templates):
    return templates["stackset-roles"]


def test_one_multi_region_trail_with_log_file_validation_and_the_cmk(bootstrap):
    trail = bootstrap["Resources"]["Trail"]
    settings = trail["Properties"]
    assert (
        settings["IsMultiRegionTrail"],
        settings["IncludeGlobalServiceEvents"],
        settings["EnableLogFileValidation"],
        settings["IsLogging"],
    ) == (True, True, True, True)
    assert settings["KMSKeyId"] == {"Fn::GetAtt": ["TrailKey", "Arn"]} and settings["S3BucketName"] == ref(
        "TrailBucket"
    )
    assert trail["DependsOn"] == ["TrailBucketPolicy"]  # CloudTrail checks the bucket policy when it is created


def test_created_once_per_account_in_the_role_region(bootstrap):
    assert bootstrap["Conditions"]["CreateRoles"] == {"Fn::Equals": [ref("AWS::Region"), ref("RoleRegion")]}
    for title in ("Trail", "TrailKey", "TrailKeyAlias", "TrailBucket", "TrailBucketPolicy"):
        assert bootstrap["Resources"][title]["Condition"] == "CreateRoles", title


def test_key_lets_cloudtrail_encrypt_only_for_this_trail(bootstrap):
    key = bootstrap["Resources"]["TrailKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = {s.get("Sid"): s for s in key["Properties"]["KeyPolicy"]["Statement"]}
    trail_statements = [s for s in statements.values() if s["Principal"] == {"Service": "cloudtrail.amazonaws.com"}]
    assert sorted(a for s in trail_statements for a in s["Action"]) == [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:GenerateDataKey",
    ]
    assert all(s["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL_ARN for s in trail_statements)
    encrypt = statements["CloudTrailEncryptsLogs"]["Condition"]
    assert encrypt["StringLike"] == {
        "kms:EncryptionContext:aws:cloudtrail:arn": {
            "Fn::Sub": "arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*"
        }
    }


def test_bucket_is_locked_in_compliance_mode_private_versioned_and_tls_only(bootstrap):
    bucket = bootstrap["Resources"]["TrailBucket"]
    settings = bucket["Properties"]
    assert settings["ObjectLockEnabled"] is True
    assert settings["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": ref("TrailRetentionDays")}},
    }
    assert bootstrap["Parameters"]["TrailRetentionDays"]["Default"] == 365
    assert settings["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(settings["PublicAccessBlockConfiguration"].values()) == {True}
    assert settings["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["TrailKey", "Arn"]},
    }
    statements = {s["Sid"]: s for s in props(bootstrap, "TrailBucketPolicy")["PolicyDocument"]["Statement"]}
    assert statements["TlsOnly"]["Effect"] == "Deny" and statements["TlsOnly"]["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }
    assert statements["CloudTrailAclCheck"]["Action"] == ["s3:GetBucketAcl"]
    write = statements["CloudTrailWrite"]
    assert write["Action"] == ["s3:PutObject"]
    assert write["Resource"] == [
        {"Fn::Sub": ["${Arn}/AWSLogs/${AWS::AccountId}/*", {"Arn": {"Fn::GetAtt": ["TrailBucket", "Arn"]}}]}
    ]
    assert write["Condition"] == {
        "StringEquals": {"aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control"}
    }
    assert statements["CloudTrailAclCheck"]["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}


def _data_event_prefixes(bootstrap) -> list[str]:
    selectors = props(bootstrap, "Trail")["AdvancedEventSelectors"]
    assert selectors[0]["FieldSelectors"] == [{"Field": "eventCategory", "Equals": ["Management"]}]
    fields = {f["Field"]: f for f in selectors[1]["FieldSelectors"]}
    assert fields["eventCategory"]["Equals"] == ["Data"] and fields["resources.type"]["Equals"] == ["AWS::S3::Object"]
    return [item["Fn::Sub"] for item in fields["resources.ARN"]["StartsWith"]]


def test_data_events_for_every_prod_bucket_of_the_fraud_agent_and_loan_processing(bootstrap, templates):
    def arn(name: str) -> str:
        return "arn:${AWS::Partition}:s3:::" + name + "/"

    expected = [arn(f"cfnops-artifacts-${{AWS::AccountId}}-{region}") for region in REGIONS]
    expected += [
        arn(name) for name in sub_names(templates["fraud-agent"], "AWS::S3::Bucket", "BucketName", "prod", REGIONS)
    ]
    expected += [
        arn(name)
        for name in sub_names(templates["loan-processing"], "AWS::S3::Bucket", "BucketName", "prod", ["eu-west-1"])
    ]
    prefixes = _data_event_prefixes(bootstrap)
    assert sorted(prefixes) == sorted(expected)
    assert arn("prod-eu-west-1-s3-loan-alb-logs-${AWS::AccountId}") in prefixes
    assert sum("-s3-fa-" in p for p in prefixes) == 9 and not any(
        p.startswith("arn:${AWS::Partition}:s3:::dev-") for p in prefixes
    )


def test_the_locked_bucket_and_its_key_are_never_deleted_by_cloudformation(bootstrap):
    """Not even by the rollback of the creation that made them: Object Lock in compliance mode
    keeps the logs undeletable, so a rollback that tried would end ROLLBACK_FAILED, and RECREATE
    in DELETE_FAILED for the whole retention; kept, the next creation imports them (adopt.py)."""
    for title in ("TrailBucket", "TrailKey"):
        resource = bootstrap["Resources"][title]
        assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain"), title
