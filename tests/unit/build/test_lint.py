"""Lint and policy gate, in-process: zero findings on generated/, and each rule bites."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cfnops.build import lint
from cfnops.core.errors import FindingsError
from cfnops.inputs.project import Project
from templates_src.conventions import REGIONS
from tests.conftest import PLATFORM, ROOT

TAGS = [{"Key": k, "Value": "x"} for k in ("Environment", "Owner", "CostCenter", "ManagedBy", "Project")]
KEY = {
    "Type": "AWS::KMS::Key",
    "DeletionPolicy": "Retain",
    "UpdateReplacePolicy": "Retain",
    "Properties": {
        "EnableKeyRotation": True,
        "Tags": TAGS,
        "KeyPolicy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                    "Action": ["kms:Decrypt", "kms:PutKeyPolicy"],
                    "Resource": "*",
                }
            ],
        },
    },
}


def findings_for(tmp_path: Path, resources: dict, metadata: dict | None = None) -> list[lint.Finding]:
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Key": KEY, **resources}}
    if metadata:
        template["Metadata"] = metadata
    path = tmp_path / "generated" / "sample.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(template, indent=2))
    return lint_alone("generated/sample.json", path)


def lint_alone(file: str, path: Path) -> list[lint.Finding]:
    """cfn-lint and checkov on one template, in this process (no cache, no pool)."""
    found = (
        lint.lint_cfn(file, str(path), list(REGIONS), PLATFORM.required_tags)
        + lint.run_checkov({file: str(path)})[file]
    )
    return sorted(set(found))


def rules(findings):
    return {f.rule for f in findings}


@pytest.mark.slow  # the real platform through the linters, cold: the gate itself, not a unit
def test_generated_templates_have_zero_findings(project):
    result = lint.lint(project, ["network", "fraud-detection"], list(REGIONS), use_cache=False)
    assert result.findings == []
    lint.raise_on_findings(result)


@pytest.mark.slow  # the real platform through the linters, cold: the gate itself, not a unit
def test_cfn_lint_alone_reports_nothing_on_generated():
    files = sorted(str(p) for p in (ROOT / "generated").glob("*.json") if p.name != "manifest.json")
    cfn_lint = str(Path(sys.executable).with_name("cfn-lint"))
    run = subprocess.run(
        [cfn_lint, "--regions", *REGIONS, "--include-checks", "I", "--", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (run.returncode, run.stdout) == (0, "")


@pytest.mark.slow  # cfn-lint and checkov on a template, cold: not a unit
def test_required_tags(tmp_path):
    topic = {
        "Type": "AWS::SNS::Topic",
        "Properties": {"KmsMasterKeyId": {"Ref": "Key"}, "Tags": [{"Key": "Environment", "Value": "dev"}]},
    }
    found = [f for f in findings_for(tmp_path, {"Topic": topic}) if f.rule == "E9001"]
    assert [f.message for f in found] == ["Topic lacks required tags: Owner, CostCenter, ManagedBy, Project"]
    assert found[0].path == "Resources/Topic/Properties/Tags"


def test_a_template_can_require_more_tags(tmp_path):
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}, "Tags": TAGS}}
    found = [
        f
        for f in findings_for(tmp_path, {"Topic": topic}, {"cfnops": {"RequiredTags": ["ComplianceLevel"]}})
        if f.rule == "E9001"
    ]
    assert sorted(f.message for f in found) == [
        "Key lacks required tags: ComplianceLevel",
        "Topic lacks required tags: ComplianceLevel",
    ]


def test_aws_managed_keys_are_refused(tmp_path):
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": "alias/aws/sqs", "Tags": TAGS}}
    found = [f.message for f in findings_for(tmp_path, {"Queue": queue}) if f.rule == "E9002"]
    assert found == ["Queue: KmsMasterKeyId is an AWS-managed key (alias/aws/sqs); use a customer-managed key"]


def test_unencrypted_database_is_refused(tmp_path):
    cluster = {
        "Type": "AWS::RDS::DBCluster",
        "DeletionPolicy": "Snapshot",
        "UpdateReplacePolicy": "Snapshot",
        "Properties": {"Engine": "aurora-postgresql", "Tags": TAGS},
    }
    found = sorted(f.message for f in findings_for(tmp_path, {"Db": cluster}) if f.rule == "E9002")
    assert found == ["Db: KmsKeyId must name a customer-managed KMS key", "Db: StorageEncrypted must be True"]


def test_log_retention(tmp_path):
    group = {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {"KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}, "Tags": TAGS},
    }
    found = [f.message for f in findings_for(tmp_path, {"Logs": group}) if f.rule == "E9003"]
    assert found == ["Logs sets no RetentionInDays"]


def test_public_s3(tmp_path):
    bucket = {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {"AccessControl": "PublicRead", "Tags": TAGS},
    }
    found = sorted(f.message for f in findings_for(tmp_path, {"Bucket": bucket}) if f.rule == "E9004")
    assert found == [
        "Bucket: public ACL PublicRead",
        "Bucket: public access not blocked (BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, RestrictPublicBuckets must be true)",
    ]


def test_wildcard_actions(tmp_path):
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": ["lambda.amazonaws.com"]},
                        "Action": ["sts:AssumeRole"],
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "p",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": ["s3:*", "s3:GetObject"], "Resource": "arn:aws:s3:::b/*"},
                            {"Effect": "Allow", "NotAction": ["iam:PassRole"], "Resource": "arn:aws:s3:::b"},
                            {"Effect": "Deny", "Action": ["s3:*"], "Resource": "arn:aws:s3:::other"},  # only narrows
                        ],
                    },
                }
            ],
            "Tags": TAGS,
        },
    }
    found = sorted(f.message for f in findings_for(tmp_path, {"Role": role}) if f.rule == "E9005")
    assert found == ["Role: NotAction grants everything else; list actions", "Role: wildcard action 's3:*'"]


def test_lambda_permissions_for_a_service_name_their_source(tmp_path):
    def permission(principal, **source):
        return {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": principal, **source},
        }

    arn, account = {"SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r"}, {"SourceAccount": "123456789012"}
    resources = {
        "Both": permission("events.amazonaws.com", **arn, **account),
        "NoArn": permission("secretsmanager.amazonaws.com", **account),
        "Neither": permission({"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}),
        "AnAccount": permission("123456789012"),  # not a service: no source to name
    }
    found = sorted(f.message for f in findings_for(tmp_path, resources) if f.rule == "E9006")
    assert found == [
        "Neither grants logs.${AWS::Region}.amazonaws.com without SourceArn, SourceAccount",
        "NoArn grants secretsmanager.amazonaws.com without SourceArn",
    ]


def test_checkov_runs_and_a_reasoned_suppression_silences_one_rule(tmp_path):
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"Tags": TAGS}}
    assert "CKV_AWS_27" in rules(findings_for(tmp_path, {"Queue": queue}))  # SQS encryption
    queue["Metadata"] = {"checkov": {"skip": [{"id": "CKV_AWS_27", "comment": "test queue, no data"}]}}
    assert "CKV_AWS_27" not in rules(findings_for(tmp_path, {"Queue": queue}))


def test_suppressions_need_a_reason_and_a_resource(tmp_path):
    queue = {
        "Type": "AWS::SQS::Queue",
        "Properties": {"KmsMasterKeyId": {"Ref": "Key"}, "Tags": TAGS},
        "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_27"}]}, "cfn-lint": {"config": {"ignore_checks": ["E9001"]}}},
    }
    found = sorted(
        f.message
        for f in findings_for(tmp_path, {"Queue": queue}, {"cfn-lint": {"config": {"ignore_checks": ["E3002"]}}})
        if f.rule == "SUPPRESSION"
    )
    assert found == [
        "checkov skip of CKV_AWS_27 has no comment (reason)",
        "suppression of E9001 has no reason in SuppressionReasons",
        "template-wide suppressions are not allowed; suppress one rule on one resource",
    ]


def test_suppress_helper_refuses_an_empty_reason():
    from troposphere.sqs import Queue

    from templates_src.conventions import suppress

    with pytest.raises(ValueError, match="needs a reason"):
        suppress(Queue("Q"), "CKV_AWS_27", "  ")


@pytest.mark.slow  # cfn-lint and checkov twice, cold: not a unit
def test_cache_skips_unchanged_templates_and_relints_changed_ones(tmp_path):
    project = Project(tmp_path, PLATFORM)
    (tmp_path / "generated").mkdir()
    for name in ("a", "b"):
        (tmp_path / "generated" / f"{name}.json").write_text(json.dumps({"Resources": {"Key": KEY}}))
    first = lint.lint(project, ["a", "b"], ["us-east-1"])
    assert sorted(first.linted) == ["a", "b"] and first.cached == []
    second = lint.lint(project, ["a", "b"], ["us-east-1"])
    assert second.linted == [] and sorted(second.cached) == ["a", "b"] and second.findings == first.findings
    (tmp_path / "generated" / "b.json").write_text(
        json.dumps({"Resources": {"Key": KEY, "Q": {"Type": "AWS::SQS::Queue"}}})
    )
    third = lint.lint(project, ["a", "b"], ["us-east-1"])
    assert third.linted == ["b"] and third.cached == ["a"]
    with pytest.raises(FindingsError, match="E9001"):
        lint.raise_on_findings(third)


def test_one_pool_reports_each_engine_with_its_file_and_place(tmp_path):
    """cfn-lint, our rules and checkov each find what is planted in a different template,
    through the pool (checkov once over all of them), exactly as each template alone finds it."""
    project = Project(tmp_path, PLATFORM)
    (tmp_path / "generated").mkdir()
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}, "Tags": TAGS}}
    planted = {
        "cfn": {"Topic": {**topic, "Properties": {**topic["Properties"], "NotAProperty": 1}}},
        "own": {"Topic": {**topic, "Properties": {**topic["Properties"], "Tags": TAGS[:1]}}},
        "checkov": {
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "DeletionPolicy": "Delete",
                "UpdateReplacePolicy": "Delete",
                "Properties": {"MessageRetentionPeriod": 60, "Tags": TAGS},
                "Metadata": {
                    "cfn-lint": {"config": {"ignore_checks": ["E9002"]}},  # ours finds it too
                    "SuppressionReasons": {"E9002": "left to checkov here"},
                },
            }
        },
        "clean": {"Topic": topic},
    }
    for name, resources in planted.items():
        template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Key": KEY, **resources}}
        (tmp_path / "generated" / f"{name}.json").write_text(json.dumps(template, indent=2))
    result = lint.lint(project, list(planted), list(REGIONS), use_cache=False)
    found = {(f.file, f.path, f.rule, f.source) for f in result.findings}
    assert found == {
        ("generated/cfn.json", "Resources/Topic/Properties/NotAProperty", "E3002", "cfn-lint"),
        ("generated/own.json", "Resources/Topic/Properties/Tags", "E9001", "cfn-lint"),
        ("generated/checkov.json", "AWS::SQS::Queue/Queue", "CKV_AWS_27", "checkov"),
    }
    alone = [
        f for name in planted for f in lint_alone(f"generated/{name}.json", tmp_path / "generated" / f"{name}.json")
    ]
    assert result.findings == sorted(alone)
