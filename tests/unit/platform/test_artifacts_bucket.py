"""Who may use the artifacts bucket, evaluated with awsfacts.policy_eval on the rendered
bucket policy: only the deployers bootstrap names (its caller first) may write, read or
re-open it, nobody without TLS; and every bucket policy of every template denies every S3
action without TLS."""

from __future__ import annotations

import pytest

from cfnops.awsfacts import intrinsics, policy_eval, principal_arns
from cfnops.rollout import bootstrap
from templates_src.platform import PLATFORM

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = f"arn:aws:s3:::{PLATFORM.bucket(ACCOUNT, REGION)}"
TEMPLATE = f"{BUCKET}/cfnops/fraud-detection-prod/template.json"
DEPLOYER_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_PlatformDeploy_0123abcd/alice@example.com"
DEPLOYER_ROLE = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PlatformDeploy_0123abcd"
)
CI_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ci/cfnops-deploy"
WRITES_AND_READS = (
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObjectTagging",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration",
    "s3:ListBucketVersions",
)
OTHERS = {
    "another role of the account": f"arn:aws:iam::{ACCOUNT}:role/Admin",
    "dev's execution role": f"arn:aws:iam::{ACCOUNT}:role/{PLATFORM.execution_role_of('dev')}",
    "prod's administration role": f"arn:aws:iam::{ACCOUNT}:role/{PLATFORM.administration_role_of('prod')}",
    "a workload role": f"arn:aws:iam::{ACCOUNT}:role/prod-{REGION}-role-payments",
    "a role whose name ends like the deployer's": f"arn:aws:iam::{ACCOUNT}:role/xAWSReservedSSO_PlatformDeploy_0123abcd",
    "an IAM user": f"arn:aws:iam::{ACCOUNT}:user/bob",
    "another account": "arn:aws:iam::999999999999:root",
}


def bucket_policy(templates, writers: str) -> dict:
    """The artifacts bucket's policy as S3 holds it after a bootstrap with these writers."""
    template = templates[PLATFORM.bootstrap]
    policies = [
        r["Properties"]["PolicyDocument"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::S3::BucketPolicy" and r["Properties"]["Bucket"] == {"Ref": "ArtifactsBucket"}
    ]
    assert len(policies) == 1
    refs = {"AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::Region": REGION}
    refs[PLATFORM.artifacts_writers] = writers.split(",")
    return intrinsics.Resolver(refs, unresolved=lambda node: BUCKET)(policies[0])


def decision(policy: dict, action: str, resource: str, principal: str, tls: bool = True) -> policy_eval.Decision:
    context = {"aws:PrincipalArn": principal, "aws:SecureTransport": str(tls).lower()}
    return policy_eval.evaluate([policy], action, resource, context)


@pytest.fixture(scope="module")
def writers() -> str:
    values = bootstrap.with_writers({PLATFORM.artifacts_writers: CI_ROLE}, PLATFORM.artifacts_writers, DEPLOYER_SESSION)
    return values[PLATFORM.artifacts_writers]


def test_bootstrap_names_its_caller_first_then_the_writers_given(writers):
    assert writers.split(",") == [*principal_arns.patterns(DEPLOYER_SESSION), CI_ROLE]
    again = bootstrap.with_writers({PLATFORM.artifacts_writers: writers}, PLATFORM.artifacts_writers, DEPLOYER_SESSION)
    assert again[PLATFORM.artifacts_writers] == writers  # no duplicates on a re-run


@pytest.mark.parametrize("action", WRITES_AND_READS)
def test_only_the_deployers_may_use_the_bucket(templates, writers, action):
    policy = bucket_policy(templates, writers)
    resource = BUCKET if "Bucket" in action or "Lifecycle" in action else TEMPLATE
    for deployer in (DEPLOYER_ROLE, CI_ROLE):  # their own policies decide; the bucket does not stand in the way
        assert decision(policy, action, resource, deployer).reason != "explicitly denied", (deployer, action)
    for who, principal in OTHERS.items():
        refused = decision(policy, action, resource, principal)
        assert (refused.reason, refused.statement) == ("explicitly denied", "OnlyTheDeployers"), (who, action)


def test_nobody_without_tls(templates, writers):
    policy = bucket_policy(templates, writers)
    for principal in (DEPLOYER_ROLE, CI_ROLE, *OTHERS.values()):
        refused = decision(policy, "s3:PutObject", TEMPLATE, principal, tls=False)
        assert refused.reason == "explicitly denied", principal
    assert decision(policy, "s3:PutObject", TEMPLATE, DEPLOYER_ROLE, tls=False).statement == "TlsOnly"


def test_without_writers_nobody_may_use_it(templates):
    """The template's default (no bootstrap to name its caller) locks the bucket, never opens it."""
    policy = bucket_policy(
        templates, templates[PLATFORM.bootstrap]["Parameters"][PLATFORM.artifacts_writers]["Default"]
    )
    for principal in (DEPLOYER_ROLE, *OTHERS.values()):
        assert decision(policy, "s3:PutObject", TEMPLATE, principal).reason == "explicitly denied", principal


@pytest.mark.parametrize(
    ("caller", "principal_arn", "not_it"),
    [
        (DEPLOYER_SESSION, DEPLOYER_ROLE, f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/AWSReservedSSO_Other"),
        (
            f"arn:aws:sts::{ACCOUNT}:assumed-role/cfnops-deploy/ci-1234",
            f"arn:aws:iam::{ACCOUNT}:role/cfnops-deploy",
            f"arn:aws:iam::{ACCOUNT}:role/cfnops-deploy-2",
        ),
        (
            f"arn:aws:iam::{ACCOUNT}:user/ops/alice",
            f"arn:aws:iam::{ACCOUNT}:user/ops/alice",
            f"arn:aws:iam::{ACCOUNT}:user/ops/alicex",
        ),
        (f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:user/root"),
        (
            f"arn:aws-cn:sts::{ACCOUNT}:assumed-role/deploy/s",
            f"arn:aws-cn:iam::{ACCOUNT}:role/deploy",
            f"arn:aws:iam::{ACCOUNT}:role/deploy",
        ),
    ],
)
def test_the_callers_patterns_match_its_principal_arn_and_nothing_else(caller, principal_arn, not_it):
    patterns = principal_arns.patterns(caller)
    condition = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": list(patterns)}},
            }
        ]
    }
    assert policy_eval.evaluate([condition], "s3:GetObject", "x", {"aws:PrincipalArn": principal_arn}).allowed
    assert not policy_eval.evaluate([condition], "s3:GetObject", "x", {"aws:PrincipalArn": not_it}).allowed


def test_an_arn_sts_never_gives_is_refused():
    with pytest.raises(ValueError, match="not a caller ARN"):
        principal_arns.patterns(f"arn:aws:sts::{ACCOUNT}:user/moto")


def test_every_bucket_policy_denies_every_s3_action_without_tls(templates):
    checked = 0
    for name, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] != "AWS::S3::BucketPolicy":
                continue
            bucket = resource["Properties"]["Bucket"]["Ref"]
            arn = {"Fn::GetAtt": [bucket, "Arn"]}
            tls = [s for s in resource["Properties"]["PolicyDocument"]["Statement"] if s.get("Sid") == "TlsOnly"]
            assert len(tls) == 1, (name, logical_id)
            assert tls[0]["Effect"] == "Deny" and tls[0]["Principal"] == "*", (name, logical_id)
            assert tls[0]["Action"] == ["s3:*"], (name, logical_id)
            assert tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, (name, logical_id)
            assert tls[0]["Resource"] == [arn, {"Fn::Sub": ["${Arn}/*", {"Arn": arn}]}], (name, logical_id)
            checked += 1
    assert checked
