"""Semantic ignore rules: a difference is hidden only when both sides are equal after the
rule's normaliser; every other pair is reported, whatever the rule file says. The shipped
drift-ignore.yaml is the rule set under test."""

from __future__ import annotations

import json

import pytest

from cfnops.core.errors import InputError
from cfnops.drift import detect as drift
from cfnops.drift import normalise
from tests.conftest import ROOT

RULES = drift.load_ignore_rules(ROOT / "drift-ignore.yaml", "drift-ignore.yaml")
ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
    ],
}


def trust(**changes) -> dict:
    statement = {**TRUST["Statement"][0], **changes}
    return {**TRUST, "Statement": [statement]}


def policy(actions, resources, condition=None, version="2012-10-17") -> list[dict]:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition is not None:
        statement["Condition"] = condition
    return [{"PolicyName": "app", "PolicyDocument": {"Version": version, "Statement": [statement]}}]


CONTAINER = [
    {
        "Name": "app",
        "Image": "repo/app:1",
        "PortMappings": [{"ContainerPort": 8080}],
        "Environment": [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}],
    }
]
ECS_DEFAULTED = [
    {
        "Name": "app",
        "Image": "repo/app:1",
        "Cpu": 0,
        "Essential": True,
        "MountPoints": [],
        "VolumesFrom": [],
        "PortMappings": [{"ContainerPort": 8080, "HostPort": 8080, "Protocol": "tcp"}],
        "Environment": [{"Name": "B", "Value": "2"}, {"Name": "A", "Value": "1"}],
    }
]
TAGS = [{"Key": "Environment", "Value": "staging"}, {"Key": "Owner", "Value": "fraud"}]

# (resource type, property, expected, actual, hidden?)
TABLE = [
    # IAM trust policies: same meaning, other form -> hidden
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, trust(Action="sts:AssumeRole"), True),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, trust(Principal={"Service": "lambda.amazonaws.com"}), True),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, {**TRUST, "Statement": TRUST["Statement"][0]}, True),
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        trust(Principal={"AWS": ACCOUNT}),
        trust(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
        True,
    ),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, json.dumps(trust(Action="sts:AssumeRole")), True),
    # ... and every change in meaning -> reported
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        TRUST,
        trust(Principal={"AWS": "arn:aws:iam::999999999999:root"}),
        False,
    ),
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        TRUST,
        trust(Principal={"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}),
        False,
    ),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, trust(Principal="*"), False),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, trust(Action=["sts:AssumeRole", "sts:TagSession"]), False),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, trust(Effect="Deny"), False),
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        trust(Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
        TRUST,
        False,
    ),
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        trust(Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
        trust(Condition={"StringEquals": {"aws:SourceAccount": "999999999999"}}),
        False,
    ),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, {**TRUST, "Version": "2008-10-17"}, False),
    ("AWS::IAM::Role", "AssumeRolePolicyDocument", TRUST, None, False),
    # inline policies: order and single-item lists -> hidden; actions, resources, conditions -> reported
    (
        "AWS::IAM::Role",
        "Policies",
        policy(["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::b/*"]),
        policy(["s3:PutObject", "s3:GetObject"], "arn:aws:s3:::b/*"),
        True,
    ),
    ("AWS::IAM::Role", "Policies", policy(["s3:GetObject"], ["arn:aws:s3:::b/*"]), policy("*", "*"), False),
    (
        "AWS::IAM::Role",
        "Policies",
        policy(["s3:GetObject"], ["arn:aws:s3:::b/*"]),
        policy(["s3:GetObject"], ["arn:aws:s3:::c/*"]),
        False,
    ),
    (
        "AWS::IAM::Role",
        "Policies",
        policy(["s3:GetObject"], ["arn:aws:s3:::b/*"], {"Bool": {"aws:SecureTransport": "true"}}),
        policy(["s3:GetObject"], ["arn:aws:s3:::b/*"]),
        False,
    ),
    ("AWS::IAM::Role", "Policies", policy(["s3:GetObject"], ["arn:aws:s3:::b/*"]), [], False),
    # ECS container definitions: documented defaults -> hidden; real settings -> reported
    ("AWS::ECS::TaskDefinition", "ContainerDefinitions", CONTAINER, ECS_DEFAULTED, True),
    (
        "AWS::ECS::TaskDefinition",
        "ContainerDefinitions",
        CONTAINER,
        [{**ECS_DEFAULTED[0], "Image": "evil/app:1"}],
        False,
    ),
    ("AWS::ECS::TaskDefinition", "ContainerDefinitions", CONTAINER, [{**ECS_DEFAULTED[0], "Privileged": True}], False),
    ("AWS::ECS::TaskDefinition", "ContainerDefinitions", CONTAINER, [{**ECS_DEFAULTED[0], "Cpu": 256}], False),
    ("AWS::ECS::TaskDefinition", "ContainerDefinitions", CONTAINER, [{**ECS_DEFAULTED[0], "Essential": False}], False),
    (
        "AWS::ECS::TaskDefinition",
        "ContainerDefinitions",
        CONTAINER,
        [{**ECS_DEFAULTED[0], "Environment": [{"Name": "A", "Value": "9"}, {"Name": "B", "Value": "2"}]}],
        False,
    ),
    (
        "AWS::ECS::TaskDefinition",
        "ContainerDefinitions",
        CONTAINER,
        [{**ECS_DEFAULTED[0], "PortMappings": [{"ContainerPort": 8080, "HostPort": 8080, "Protocol": "udp"}]}],
        False,
    ),
    # tags: only keys AWS services add are dropped
    ("AWS::Logs::LogGroup", "Tags", TAGS, TAGS + [{"Key": "aws:backup:source-resource", "Value": "x"}], True),
    ("AWS::Logs::LogGroup", "Tags", TAGS, list(reversed(TAGS)), True),
    ("AWS::Logs::LogGroup", "Tags", TAGS, TAGS + [{"Key": "Backdoor", "Value": "yes"}], False),
    ("AWS::Logs::LogGroup", "Tags", TAGS, TAGS[:1], False),
    ("AWS::Logs::LogGroup", "Tags", TAGS, [TAGS[0], {"Key": "Owner", "Value": "someone-else"}], False),
    # no rule for this type or property: never hidden
    ("AWS::S3::BucketPolicy", "PolicyDocument", TRUST, trust(Action="sts:AssumeRole"), False),
    ("AWS::IAM::Role", "MaxSessionDuration", 3600, 3600.0, False),
]


def summary(kind: str, prop: str, expected, actual) -> dict:
    text = lambda value: "null" if value is None else json.dumps(value, sort_keys=True)  # noqa: E731
    return {
        "StackId": "s",
        "LogicalResourceId": "R",
        "PhysicalResourceId": "r",
        "ResourceType": kind,
        "StackResourceDriftStatus": "MODIFIED",
        "PropertyDifferences": [
            {
                "PropertyPath": f"/{prop}",
                "ExpectedValue": text(expected),
                "ActualValue": text(actual),
                "DifferenceType": "REMOVE" if actual is None else "NOT_EQUAL",
            }
        ],
    }


@pytest.mark.parametrize("kind, prop, expected, actual, hidden", TABLE)
def test_equal_after_normalising_is_hidden_everything_else_reported(kind, prop, expected, actual, hidden):
    whole = None
    if kind == "AWS::ECS::TaskDefinition":  # HostPort's default depends on the task's NetworkMode
        whole = ({"NetworkMode": "awsvpc", prop: expected}, {"NetworkMode": "awsvpc", prop: actual})
    resource = drift._resource(summary(kind, prop, expected, actual), RULES, lambda _: whole)
    assert resource.drifted is (not hidden)
    [difference] = resource.differences
    assert bool(difference.ignored_because) is hidden
    assert (difference.ignored_by is not None) is hidden


def test_host_port_is_only_a_default_in_awsvpc_mode():
    bridge = ({"NetworkMode": "bridge", "ContainerDefinitions": CONTAINER}, {"ContainerDefinitions": ECS_DEFAULTED})
    assert drift._resource(
        summary("AWS::ECS::TaskDefinition", "ContainerDefinitions", CONTAINER, ECS_DEFAULTED), RULES, lambda _: bridge
    ).drifted


def test_deep_paths_use_the_stacks_whole_properties_and_without_them_stay_drift():
    """CloudFormation may report parts of a value (/Statement/0/Action): a rule can only
    judge the whole property, read from the instance's stack; unreadable means drift."""
    parts = {
        "StackId": "s",
        "LogicalResourceId": "Role",
        "ResourceType": "AWS::IAM::Role",
        "StackResourceDriftStatus": "MODIFIED",
        "PropertyDifferences": [
            {
                "PropertyPath": "/AssumeRolePolicyDocument/Statement/0/Action",
                "ExpectedValue": '["sts:AssumeRole"]',
                "ActualValue": "sts:AssumeRole",
                "DifferenceType": "NOT_EQUAL",
            }
        ],
    }
    same = ({"AssumeRolePolicyDocument": TRUST}, {"AssumeRolePolicyDocument": trust(Action="sts:AssumeRole")})
    other = ({"AssumeRolePolicyDocument": TRUST}, {"AssumeRolePolicyDocument": trust(Action="sts:*")})
    assert not drift._resource(parts, RULES, lambda _: same).drifted
    assert drift._resource(parts, RULES, lambda _: other).drifted
    assert drift._resource(parts, RULES, lambda _: None).drifted


def test_the_shipped_rules_cannot_hide_a_policy_change():
    kinds = {(rule.resource_type, rule.property): rule.normaliser for rule in RULES}
    assert kinds[("AWS::IAM::Role", "AssumeRolePolicyDocument")] == "iam-policy"
    assert all(rule.normaliser != "service-tags" or rule.property == "Tags" for rule in RULES)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "- {resource_type: 'AWS::IAM::Role', property_path: /AssumeRolePolicyDocument, reason: x}\n",
            r"drift-ignore.yaml: \[0\].property_path: path globs are no longer accepted",
        ),
        (
            "- {resource_type: 'AWS::IAM::Role', property: AssumeRolePolicyDocument, normaliser: iam-policy, reason: ''}\n",
            r"drift-ignore.yaml: \[0\]: expected resource_type, property .* a non-empty reason",
        ),
        (
            "- {resource_type: 'AWS::Logs::LogGroup', property: Tags, normaliser: everything, reason: r}\n",
            r"drift-ignore.yaml: \[0\].normaliser: expected one of iam-policy, ecs-container-defaults, service-tags, got everything",
        ),
        (
            "- {resource_type: 'AWS::Logs::LogGroup', property: Tags/*, normaliser: service-tags, reason: r}\n",
            r"drift-ignore.yaml: \[0\].property: expected a top-level property name",
        ),
        (
            "- {resource_type: 'AWS::IAM::Role', property: Policies, normaliser: iam-policy, reason: r, keys: [a]}\n",
            r"drift-ignore.yaml: \[0\].keys: expected a list of tag keys, and only with normaliser service-tags",
        ),
    ],
)
def test_a_bad_rule_is_one_line_naming_the_key(tmp_path, text, message):
    path = tmp_path / "drift-ignore.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        drift.load_ignore_rules(path, "drift-ignore.yaml")


def test_named_service_tag_keys_are_dropped_too():
    rule = drift.IgnoreRule("AWS::Logs::LogGroup", "Tags", "service-tags", "backup adds it", ("BackupPlan",))
    added = summary("AWS::Logs::LogGroup", "Tags", TAGS, TAGS + [{"Key": "BackupPlan", "Value": "daily"}])
    assert not drift._resource(added, (rule,)).drifted
    assert drift._resource(added, RULES).drifted  # the shipped rule names no such key


def test_a_string_that_opens_with_a_brace_but_is_not_json_is_compared_as_the_string():
    dynamic = "{{resolve:ssm:/cfnops/dev/policy}}"
    assert normalise.iam_policy(dynamic) == dynamic
    assert normalise.iam_policy({"PolicyDocument": dynamic}) == {"PolicyDocument": dynamic}


def test_a_rule_naming_a_key_the_template_sets_cannot_hide_a_change_to_it():
    """A rule's keys drop tags a service adds; a key the template sets itself is ours, so a
    change to it stays drift whatever the rule names (through the whole properties or the
    difference alone)."""
    key = TAGS[0]["Key"]
    rule = drift.IgnoreRule("AWS::Logs::LogGroup", "Tags", "service-tags", "names our own key", (key,))
    changed = [{**TAGS[0], "Value": "changed-by-hand"}, *TAGS[1:]]
    difference = summary("AWS::Logs::LogGroup", "Tags", TAGS, changed)
    assert drift._resource(difference, (rule,)).drifted
    whole = ({"Tags": TAGS}, {"Tags": changed})
    assert drift._resource(difference, (rule,), lambda _: whole).drifted
    gone = summary("AWS::Logs::LogGroup", "Tags", TAGS, TAGS[1:])
    assert drift._resource(gone, (rule,)).drifted
