"""What each environment's execution role may touch, evaluated with awsfacts.policy_eval on
the rendered bootstrap template: every action whose resources IAM's catalogue names and our
templates name is scoped (never "*"), our names match that scope in every template and
environment, and a table of escalation requests (Rhino Security's IAM privilege-escalation
methods, https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/,
plus reaching another environment, the trail and the artifacts) is denied for every
environment's role, each by a statement the table names."""

from __future__ import annotations

import fnmatch

import pytest

from cfnops.awsfacts import arn_names, iam_catalog, intrinsics, policy_eval
from cfnops.build.gate.iam import execution_documents
from templates_src import WORKLOADS, execution_policy
from templates_src.conventions import permissions_boundary_name
from templates_src.platform import PLATFORM

ACCOUNT = "123456789012"
OUTSIDE = "999999999999"
REGION = "us-east-1"


def boundary(environment: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{permissions_boundary_name(environment)}"


ENV_VARIABLE = execution_policy.PRINCIPAL_ENVIRONMENT


@pytest.fixture(scope="module")
def bootstrap(templates) -> dict:
    return templates[PLATFORM.bootstrap]


def documents_of(bootstrap: dict, environment: str) -> list[dict]:
    return execution_documents(bootstrap, PLATFORM.execution_role_of(environment))[0]


def allows(documents, action: str) -> list[dict]:
    return [
        s
        for d in documents
        for s in d["Statement"]
        if s["Effect"] == "Allow" and any(fnmatch.fnmatch(action.lower(), a.lower()) for a in s["Action"])
    ]


def scoped(action: str) -> bool:
    """The action takes resource types IAM's catalogue gives ARNs for, and our names cover them all."""
    service = iam_catalog.split(action)[0]
    types = [(service, r["name"].lower()) for r in (iam_catalog.entry(action) or {}).get("resourceTypes", ())]
    if service == "iam":
        return bool(types)
    return bool(types) and all(t in execution_policy.SCOPED for t in types)


def test_every_scoped_action_is_allowed_on_named_resources_only(bootstrap):
    rendered = [  # the execution roles' policies (the boundary caps actions only)
        r["Properties"]["PolicyDocument"]
        for r in bootstrap["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and r["Properties"].get("Roles")
    ]
    checked = 0
    for document in rendered:
        for statement in document["Statement"]:
            if statement["Effect"] != "Allow":
                continue
            for action in statement["Action"]:
                if scoped(action):
                    checked += 1
                    assert "*" not in statement["Resource"], action
                    assert all(
                        ENV_VARIABLE in r["Fn::Sub"] or "aws-service-role" in r["Fn::Sub"]
                        for r in statement["Resource"]
                    ), action
    assert checked > 100
    for action in (
        "secretsmanager:GetSecretValue",
        "s3:GetObject",
        "s3:PutBucketPolicy",
        "dynamodb:Scan",
        "dynamodb:PutResourcePolicy",
        "lambda:UpdateFunctionCode",
        "lambda:AddPermission",
        "lambda:PutProvisionedConcurrencyConfig",  # on a function's versions and aliases: function:<name>:<qualifier>
    ):
        assert scoped(action), action  # the review's list: each one is scoped by the rule above


def test_every_resource_our_templates_name_matches_its_environments_scope(templates):
    checked = 0
    for name in WORKLOADS:
        template = templates[name]
        for environment in PLATFORM.environments:
            refs = {
                **intrinsics.parameter_values(template, {"Environment": environment}),
                "AWS::AccountId": ACCOUNT,
                "AWS::Partition": "aws",
                "AWS::Region": REGION,
            }
            resolve = intrinsics.Resolver(refs, intrinsics.evaluate_conditions(template, refs))
            for logical_id, resource in template["Resources"].items():
                if resource["Type"] not in arn_names.NAMED_BY:
                    continue
                service, kind, key = arn_names.NAMED_BY[resource["Type"]]
                value = (resource.get("Properties") or {}).get(key)
                assert value is not None, f"{name}/{logical_id}: an unnamed resource cannot be scoped to {environment}"
                globs = [g.replace(ENV_VARIABLE, environment) for g in execution_policy.SCOPED[(service, kind)]]
                assert any(fnmatch.fnmatchcase(str(resolve(value)), g) for g in globs), (name, logical_id, globs)
                checked += 1
    assert checked > 50


def arn(service: str, rest: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}"


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def requests(environment: str, other: str) -> list[tuple[str, str, str, dict]]:
    """(what it would give, action, resource, request context) for an escalation attempt."""
    theirs_fn = arn("lambda", f"function:{other}-{REGION}-lambda-payments")
    BOUNDARY = boundary(environment)
    return [
        # Rhino Security's methods
        (
            "1 new version of a managed policy",
            "iam:CreatePolicyVersion",
            f"arn:aws:iam::{ACCOUNT}:policy/AdminPolicy",
            {},
        ),
        (
            "1 new version of another environment's policy",
            "iam:CreatePolicyVersion",
            f"arn:aws:iam::{ACCOUNT}:policy/{other}-{REGION}-policy-x",
            {},
        ),
        ("1 new version of the boundary", "iam:CreatePolicyVersion", BOUNDARY, {}),
        ("1 new version of another environment's boundary", "iam:CreatePolicyVersion", boundary(other), {}),
        (
            "2 an older version as default",
            "iam:SetDefaultPolicyVersion",
            f"arn:aws:iam::{ACCOUNT}:policy/AdminPolicy",
            {},
        ),
        (
            "3 pass an administrator role to EC2",
            "iam:PassRole",
            role("Admin"),
            {"iam:PassedToService": "ec2.amazonaws.com"},
        ),
        (
            "3 pass its own role to EC2",
            "iam:PassRole",
            role(f"{environment}-{REGION}-role-x"),
            {"iam:PassedToService": "ec2.amazonaws.com"},
        ),
        ("4 an access key for a user", "iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/admin", {}),
        ("5 a console password for a user", "iam:CreateLoginProfile", f"arn:aws:iam::{ACCOUNT}:user/admin", {}),
        ("6 change a user's password", "iam:UpdateLoginProfile", f"arn:aws:iam::{ACCOUNT}:user/admin", {}),
        (
            "7 attach a policy to a user",
            "iam:AttachUserPolicy",
            f"arn:aws:iam::{ACCOUNT}:user/{environment}-{REGION}-user-x",
            {"iam:PermissionsBoundary": BOUNDARY},
        ),
        (
            "8 attach a policy to a group",
            "iam:AttachGroupPolicy",
            f"arn:aws:iam::{ACCOUNT}:group/{environment}-{REGION}-group-x",
            {},
        ),
        (
            "9 attach a policy to another environment's role",
            "iam:AttachRolePolicy",
            role(f"{other}-{REGION}-role-x"),
            {"iam:PermissionsBoundary": BOUNDARY},
        ),
        (
            "9 attach a policy to a role without the boundary",
            "iam:AttachRolePolicy",
            role(f"{environment}-{REGION}-role-x"),
            {},
        ),
        ("10 inline policy on a user", "iam:PutUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/admin", {}),
        ("11 inline policy on a group", "iam:PutGroupPolicy", f"arn:aws:iam::{ACCOUNT}:group/admins", {}),
        (
            "12 inline policy on a role outside our names",
            "iam:PutRolePolicy",
            role("Admin"),
            {"iam:PermissionsBoundary": BOUNDARY},
        ),
        ("13 add a user to a group", "iam:AddUserToGroup", f"arn:aws:iam::{ACCOUNT}:group/admins", {}),
        (
            "14 widen another environment's role's trust",
            "iam:UpdateAssumeRolePolicy",
            role(f"{other}-{REGION}-role-x"),
            {"iam:PermissionsBoundary": BOUNDARY},
        ),
        ("14 assume an arbitrary role", "sts:AssumeRole", role("Admin"), {}),
        ("14 assume a role in another account", "sts:AssumeRole", f"arn:aws:iam::{OUTSIDE}:role/anything", {}),
        (
            "15 a function with another environment's role",
            "iam:PassRole",
            role(f"{other}-{REGION}-role-x"),
            {"iam:PassedToService": "lambda.amazonaws.com"},
        ),
        ("15 invoke another environment's function", "lambda:InvokeFunction", theirs_fn, {}),
        ("16 map events into another environment's function", "lambda:CreateEventSourceMapping", theirs_fn, {}),
        ("17 new code in another environment's function", "lambda:UpdateFunctionCode", theirs_fn, {}),
        (
            "18 a Glue dev endpoint with a passed role",
            "iam:PassRole",
            role("Admin"),
            {"iam:PassedToService": "glue.amazonaws.com"},
        ),
        ("19 take over a Glue dev endpoint", "glue:UpdateDevEndpoint", arn("glue", "devEndpoint/x"), {}),
        (
            "20 a stack with a passed role",
            "iam:PassRole",
            role("Admin"),
            {"iam:PassedToService": "cloudformation.amazonaws.com"},
        ),
        (
            "21 a data pipeline with a passed role",
            "iam:PassRole",
            role("Admin"),
            {"iam:PassedToService": "datapipeline.amazonaws.com"},
        ),
        # the review's list
        (
            "a role trusted by another account, without the boundary",
            "iam:CreateRole",
            role(f"{environment}-{REGION}-role-x"),
            {},
        ),
        ("a role outside our names", "iam:CreateRole", role("Admin"), {"iam:PermissionsBoundary": BOUNDARY}),
        (
            "a role of ours under another environment's boundary",
            "iam:CreateRole",
            role(f"{environment}-{REGION}-role-x"),
            {"iam:PermissionsBoundary": boundary(other)},
        ),
        (
            "a role of ours moved to another environment's boundary",
            "iam:PutRolePermissionsBoundary",
            role(f"{environment}-{REGION}-role-x"),
            {"iam:PermissionsBoundary": boundary(other)},
        ),
        (
            "ingress on another environment's security group",
            "ec2:AuthorizeSecurityGroupIngress",
            arn("ec2", "security-group/sg-0123456789abcdef0"),
            {"aws:ResourceTag/Environment": other},
        ),
        (
            "another environment's database",
            "rds:ModifyDBCluster",
            arn("rds", "cluster:anything"),
            {"aws:ResourceTag/Environment": other},
        ),
        ("remove a role's boundary", "iam:DeleteRolePermissionsBoundary", role(f"{environment}-{REGION}-role-x"), {}),
        ("anyone may invoke another environment's function", "lambda:AddPermission", theirs_fn, {}),
        (
            "another environment's table, read whole",
            "dynamodb:Scan",
            arn("dynamodb", f"table/{other}-{REGION}-ddb-x"),
            {},
        ),
        (
            "another environment's table, shared",
            "dynamodb:PutResourcePolicy",
            arn("dynamodb", f"table/{other}-{REGION}-ddb-x"),
            {},
        ),
        (
            "another environment's secret",
            "secretsmanager:GetSecretValue",
            arn("secretsmanager", f"secret:{other}/{REGION}/pipeline-redis-auth-AbCdEf"),
            {},
        ),
        (
            "another account's secret",
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:{REGION}:{OUTSIDE}:secret:{environment}/x-AbCdEf",
            {},
        ),
        ("another environment's bucket policy", "s3:PutBucketPolicy", f"arn:aws:s3:::{other}-{REGION}-s3-x", {}),
        ("another environment's objects", "s3:GetObject", f"arn:aws:s3:::{other}-{REGION}-s3-x/data.json", {}),
        (
            "another environment's key policy",
            "kms:PutKeyPolicy",
            arn("kms", "key/1234abcd"),
            {"aws:ResourceTag/Environment": other},
        ),
        (
            "another environment's key, deleted",
            "kms:ScheduleKeyDeletion",
            arn("kms", "key/1234abcd"),
            {"aws:ResourceTag/Environment": other},
        ),
        (
            "a service-linked role for any service",
            "iam:CreateServiceLinkedRole",
            role("aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2"),
            {"iam:AWSServiceName": "ec2.amazonaws.com"},
        ),
        (
            "overwrite a template in the artifacts bucket",
            "s3:PutObject",
            f"arn:aws:s3:::cfnops-artifacts-{ACCOUNT}-{REGION}/templates/x.json",
            {},
        ),
        ("open the artifacts bucket", "s3:PutBucketPolicy", f"arn:aws:s3:::cfnops-artifacts-{ACCOUNT}-{REGION}", {}),
        ("stop the audit trail", "cloudtrail:StopLogging", arn("cloudtrail", "trail/cfnops-audit-trail"), {}),
        (
            "empty the trail's bucket",
            "s3:DeleteObject",
            f"arn:aws:s3:::cfnops-audit-trail-{ACCOUNT}-{REGION}/AWSLogs/x",
            {},
        ),
        (
            "disable the trail's key",
            "kms:DisableKey",
            arn("kms", "key/trail"),
            {
                "aws:ResourceTag/Environment": environment,
                "kms:ResourceAliases": [f"alias/{environment}-{REGION}-cfnops-audit-trail"],
            },
        ),
        (
            "another environment's key, used through a service",
            "kms:Decrypt",
            arn("kms", "key/1234abcd"),
            {
                "aws:ResourceTag/Environment": other,
                "kms:ResourceAliases": [f"alias/{other}-{REGION}-payments"],
                "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
            },
        ),
        (
            "an AWS managed key, used directly",
            "kms:Decrypt",
            arn("kms", "key/aws-managed"),
            {"kms:ResourceAliases": ["alias/aws/secretsmanager"]},
        ),
        (
            "an AWS managed key's policy",
            "kms:PutKeyPolicy",
            arn("kms", "key/aws-managed"),
            {"kms:ResourceAliases": ["alias/aws/secretsmanager"], "kms:ViaService": f"rds.{REGION}.amazonaws.com"},
        ),
        (
            "change the execution roles' own policies",
            "iam:CreatePolicyVersion",
            f"arn:aws:iam::{ACCOUNT}:policy/cfnops-stackset-execution-1",
            {},
        ),
    ]


@pytest.mark.parametrize("environment", PLATFORM.environments)
def test_no_escalation_request_is_allowed_and_each_names_its_denial(bootstrap, environment):
    documents = documents_of(bootstrap, environment)
    other = next(e for e in PLATFORM.environments if e != environment)
    table = []
    for what, action, resource, context in requests(environment, other):
        decision = policy_eval.evaluate(documents, action, resource, context)
        assert not decision.allowed, (environment, what, action, resource, decision)
        if decision.reason == "explicitly denied":
            why = f"denied by {decision.statement}"
        else:
            near = [s.get("Resource") for s in allows(documents, action)]
            why = f"no statement allows it{f' (allowed only on {near})' if near else ' (not allowed at all)'}"
        table.append(f"{what}: {action} {resource}: {why}")
    assert all(": denied by " in line or ": no statement allows it" in line for line in table)
    assert any("denied by AuditAndArtifactsAreNotOurs" in line for line in table)
    assert any("denied by AuditAndArtifactsKeysAreNotOurs" in line for line in table)
    assert any("denied by RolesKeepTheirBoundary" in line for line in table)


@pytest.mark.parametrize("environment", PLATFORM.environments)
def test_the_same_requests_on_its_own_names_are_allowed(bootstrap, environment):
    """The table is not denied by accident: the role still does its job on its own names."""
    documents = documents_of(bootstrap, environment)
    own = [
        ("lambda:UpdateFunctionCode", arn("lambda", f"function:{environment}-{REGION}-lambda-payments"), {}),
        ("dynamodb:PutResourcePolicy", arn("dynamodb", f"table/{environment}-{REGION}-ddb-x"), {}),
        ("s3:PutBucketPolicy", f"arn:aws:s3:::{environment}-{REGION}-s3-x", {}),
        ("kms:PutKeyPolicy", arn("kms", "key/1234abcd"), {"aws:ResourceTag/Environment": environment}),
        ("iam:CreateRole", role(f"{environment}-{REGION}-role-x"), {"iam:PermissionsBoundary": boundary(environment)}),
        (
            "ec2:AuthorizeSecurityGroupIngress",
            arn("ec2", "security-group/sg-0123456789abcdef0"),
            {"aws:ResourceTag/Environment": environment},
        ),
        (
            "lambda:CreateEventSourceMapping",
            "*",
            {"lambda:FunctionArn": arn("lambda", f"function:{environment}-{REGION}-lambda-recorder")},
        ),
        (
            "iam:CreateServiceLinkedRole",
            role("aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"),
            {"iam:AWSServiceName": "rds.amazonaws.com"},
        ),
    ]
    for action, resource, context in own:
        assert policy_eval.evaluate(documents, action, resource, context).allowed, (environment, action, resource)


def test_no_workload_role_may_write_the_artifacts_or_the_trails_bucket(bootstrap):
    """The boundary caps every workload role: a role whose own policy allows s3:PutObject on
    everything still cannot overwrite a template or a log file."""
    environment = PLATFORM.environments[0]
    boundary = bootstrap["Resources"][f"WorkloadBoundary{environment.title()}"]["Properties"]["PolicyDocument"]
    boundary = intrinsics.Resolver({"AWS::Partition": "aws", "AWS::AccountId": ACCOUNT})(boundary)
    everything = [{"Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "*"}]}]
    for bucket in (f"cfnops-artifacts-{ACCOUNT}-{REGION}", f"cfnops-audit-trail-{ACCOUNT}-{REGION}"):
        for action in ("s3:PutObject", "s3:DeleteObject"):
            decision = policy_eval.evaluate(everything, action, f"arn:aws:s3:::{bucket}/templates/x.json", {}, boundary)
            assert decision.reason == "denied by the permissions boundary", (bucket, action, decision)
            assert decision.statement == "NotTheBootstrapBuckets"
    ours = policy_eval.evaluate(everything, "s3:PutObject", f"arn:aws:s3:::{environment}-{REGION}-s3-x/k", {}, boundary)
    assert ours.allowed  # a workload bucket: the boundary does not stand in the way


@pytest.mark.parametrize("environment", PLATFORM.environments)
def test_aws_managed_keys_work_through_their_service_only(bootstrap, environment):
    """A service's default key (aws/<service>) has no Environment tag: the handlers may still
    use it through that service, as its own key policy allows, and nothing more."""
    documents = documents_of(bootstrap, environment)
    other = next(e for e in PLATFORM.environments if e != environment)
    managed = {
        "kms:ResourceAliases": ["alias/aws/secretsmanager"],
        "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com",
    }
    key = arn("kms", "key/aws-managed")
    for action in ("kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:DescribeKey"):
        decision = policy_eval.evaluate(documents, action, key, managed)
        assert decision.allowed and decision.statement == "AwsManagedKeysThroughTheirService", (action, decision)
        direct = {"kms:ResourceAliases": ["alias/aws/secretsmanager"]}
        assert not policy_eval.evaluate(documents, action, key, direct).allowed, action  # not through a service
    for action in ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"):
        assert not policy_eval.evaluate(documents, action, key, managed).allowed, action
    theirs = {
        "kms:ResourceAliases": [f"alias/{other}-{REGION}-payments"],
        "kms:ViaService": f"rds.{REGION}.amazonaws.com",
        "aws:ResourceTag/Environment": other,
    }
    assert not policy_eval.evaluate(documents, "kms:CreateGrant", key, theirs).allowed  # another environment's CMK
    trail = {**managed, "kms:ResourceAliases": [f"alias/{environment}-{REGION}-cfnops-audit-trail", "alias/aws/x"]}
    assert policy_eval.evaluate(documents, "kms:Decrypt", key, trail).statement == "AuditAndArtifactsKeysAreNotOurs"
