"""The StackSet execution role is derived from the registry schemas, fits IAM's limits,
and cannot be turned into a path to an administrator."""

from __future__ import annotations

import re

import pytest
from troposphere import Ref, Template, glue, ssm

from cfnops.awsfacts import iam_catalog, iam_limits, policy_eval, schemas, template_iam
from cfnops.awsfacts.execution_actions import derive
from cfnops.build.gate.iam import execution_documents
from templates_src import WORKLOADS, execution_policy, stackset_roles
from templates_src.conventions import ENVIRONMENTS, add_standard_parameters, permissions_boundary_name
from templates_src.platform import PLATFORM
from tests.support import docs

ACCOUNT = "123456789012"
EXECUTION_ROLES = {PLATFORM.execution_role_of(environment) for environment in ENVIRONMENTS}


def boundary(environment: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{permissions_boundary_name(environment)}"


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


@pytest.fixture(scope="module")
def workloads(templates) -> dict[str, dict]:
    return {name: templates[name] for name in WORKLOADS}


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def environment(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def documents(templates, environment) -> list[dict]:
    """The environment's execution role's policies, its Environment tag bound as IAM binds it."""
    return execution_documents(templates["stackset-roles"], PLATFORM.execution_role_of(environment))[0]


def others(environment: str) -> list[str]:
    return [other for other in ENVIRONMENTS if other != environment]


def allowed(documents, action, resource=None, **context) -> bool:
    return policy_eval.evaluate(documents, action, resource, context).allowed


def test_every_handler_permission_of_every_type_used_is_allowed(workloads, documents, environment):
    types = {r["Type"] for t in workloads.values() for r in t["Resources"].values()}
    assert len(types) > 40
    context = {
        "iam:PermissionsBoundary": boundary(environment),
        "iam:PassedToService": ["lambda.amazonaws.com"],
        "iam:AWSServiceName": "rds.amazonaws.com",
        "aws:ResourceTag/Environment": environment,
        "lambda:FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{environment}-us-east-1-lambda-x",
    }
    withheld = {need.action for need in derive(workloads.values()).withheld}
    missing = []
    for type_name in types:
        for handler in schemas.HANDLERS:
            for permission in schemas.handler_permissions(type_name, handler):
                for action in iam_catalog.expand(permission) if "*" in permission else [permission]:
                    if not iam_catalog.is_known(action) or action in execution_policy.DENIED_ACTIONS:
                        continue
                    if iam_catalog.canonical(action) in withheld:
                        continue
                    if not allowed(documents, action, None, **context):
                        missing.append(f"{type_name} {handler}: {action}")
    assert missing == []


# Resource types a platform could add, each with the smallest resource that creates it; the test
# takes the first one no workload uses yet (so adding one to a template moves it to the next).
NEW_TYPE_CANDIDATES = (
    ("AWS::SSM::Parameter", lambda: ssm.Parameter("Extra", Type="String", Value="on")),
    (
        "AWS::Glue::Database",
        lambda: glue.Database("Extra", CatalogId=Ref("AWS::AccountId"), DatabaseInput=glue.DatabaseInput(Name="extra")),
    ),
)


def test_a_new_resource_type_needs_no_hand_edit():
    used = {r["Type"] for build in WORKLOADS.values() for r in build().to_dict()["Resources"].values()}
    type_name, resource = next((name, make) for name, make in NEW_TYPE_CANDIDATES if name not in used)

    def with_new_type() -> Template:
        template = Template()
        add_standard_parameters(template)
        template.add_resource(resource())
        return template

    before = derive(t().to_dict() for t in WORKLOADS.values()).actions
    creates = schemas.handler_permissions(type_name, "create")
    assert not set(creates) <= set(before), f"{type_name}'s create permissions are already derived"
    bootstrap = stackset_roles.build({**WORKLOADS, "extra": with_new_type}).to_dict()
    documents = execution_documents(bootstrap, PLATFORM.execution_role_of("dev"))[0]
    for permission in creates:
        assert allowed(documents, permission), permission


def test_policies_stay_under_iams_limits(templates):
    bootstrap = templates["stackset-roles"]["Resources"]
    policies = {name: r for name, r in bootstrap.items() if name.startswith("ExecutionPolicy")}
    assert 1 < len(policies) <= iam_limits.MANAGED_POLICIES_PER_ROLE
    permissions = execution_policy.execution_permissions({n: b().to_dict() for n, b in WORKLOADS.items()})
    for document in permissions.documents:
        assert execution_policy.size(document) <= iam_limits.MANAGED_POLICY
    roles = [n for n, r in bootstrap.items() if r["Properties"].get("RoleName") in EXECUTION_ROLES]
    assert len(roles) == len(ENVIRONMENTS)
    assert all("Policies" not in bootstrap[role]["Properties"] for role in roles)
    assert all(p["Properties"]["Roles"] == [{"Ref": role} for role in roles] for p in policies.values())


def test_no_allowed_action_is_a_wildcard_and_every_action_is_known(templates):
    for name, resource in templates["stackset-roles"]["Resources"].items():
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                if statement["Effect"] == "Deny":  # a wildcard only widens what is refused
                    continue
                for action in statement["Action"]:
                    assert "*" not in action and iam_catalog.is_known(action), (name, action)


def readme_dropped_actions() -> set[str]:
    section = docs.section("Handler permissions IAM does not know")
    return set(re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE))


def test_the_dropped_actions_are_exactly_what_the_catalogue_does_not_know_and_the_readme_lists_them(workloads):
    dropped = derive(workloads.values()).dropped
    assert dropped, "the schemas list some API names that are not IAM actions"
    assert all(not iam_catalog.is_known(need.action) for need in dropped)
    assert {need.action for need in dropped} == readme_dropped_actions()


# --- no path from "may deploy" to "may mint an administrator" --------------------------


def test_roles_can_be_created_only_with_the_boundary_and_our_names(documents, environment):
    ours = role(f"{environment}-us-east-1-role-fraud-service")
    assert allowed(documents, "iam:CreateRole", ours, **{"iam:PermissionsBoundary": boundary(environment)})
    assert not allowed(documents, "iam:CreateRole", ours)
    assert not allowed(
        documents, "iam:CreateRole", ours, **{"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/other"}
    )
    assert not allowed(documents, "iam:CreateRole", role("Admin"), **{"iam:PermissionsBoundary": boundary(environment)})
    for other in others(environment):
        theirs = role(f"{other}-us-east-1-role-fraud-service")
        assert not allowed(documents, "iam:CreateRole", theirs, **{"iam:PermissionsBoundary": boundary(environment)})


def test_a_role_that_does_not_exist_yet_can_be_read_without_a_boundary_in_the_request(documents, environment):
    # a handler's pre-existence GetRole carries no iam:PermissionsBoundary: the role has none yet
    assert allowed(documents, "iam:GetRole", role(f"{environment}-us-east-1-role-payments-fn"))
    assert not allowed(documents, "iam:GetRole", role("SomeAdminRole"))


def test_every_secrets_manager_action_that_takes_a_secret_is_scoped_to_the_environments_secrets(documents, environment):
    scoped = [
        (action, statement["Resource"])
        for document in documents
        for statement in document["Statement"]
        if statement["Effect"] == "Allow"
        for action in statement["Action"]
        if action.startswith("secretsmanager:") and iam_catalog.resource_arns(action)
    ]
    assert scoped, "the rendered policies grant Secrets Manager actions that take a secret"
    assert [(a, r) for a, r in scoped if "*" in r] == []
    assert not allowed(
        documents, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:999999999999:secret:x"
    )
    ours = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{environment}/us-east-1/pipeline-redis-auth-AbCdEf"
    assert allowed(documents, "secretsmanager:GetSecretValue", ours)
    for other in others(environment):
        assert not allowed(documents, "secretsmanager:GetSecretValue", ours.replace(f":{environment}/", f":{other}/"))


def test_policies_cannot_be_attached_or_written_to_roles_outside_our_pattern(documents, environment):
    for action in ("iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"):
        for target in (
            role("SomeAdminRole"),
            *(role(name) for name in EXECUTION_ROLES),
            *(role(PLATFORM.administration_role_of(e)) for e in ENVIRONMENTS),
        ):
            assert not allowed(documents, action, target, **{"iam:PermissionsBoundary": boundary(environment)}), (
                action,
                target,
            )
    assert allowed(
        documents,
        "iam:AttachRolePolicy",
        role(f"{environment}-eu-west-1-role-loan-service"),
        **{"iam:PermissionsBoundary": boundary(environment)},
    )


def test_the_boundary_cannot_be_changed_or_removed(documents, environment):
    for action in (
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
    ):
        for each in ENVIRONMENTS:
            decision = policy_eval.evaluate(documents, action, boundary(each))
            assert decision.reason == "explicitly denied", (action, each)
    assert (
        policy_eval.evaluate(
            documents, "iam:DeleteRolePermissionsBoundary", role(f"{environment}-us-east-1-role-payments-fn")
        ).reason
        == "explicitly denied"
    )
    assert not allowed(
        documents,
        "iam:PutRolePermissionsBoundary",
        role(f"{environment}-us-east-1-role-payments-fn"),
        **{"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess"},
    )


def test_roles_are_passed_only_to_the_services_that_use_them(documents, workloads, environment):
    ours = role(f"{environment}-us-east-1-role-payments-fn")
    assert allowed(documents, "iam:PassRole", ours, **{"iam:PassedToService": "lambda.amazonaws.com"})
    assert not allowed(documents, "iam:PassRole", ours, **{"iam:PassedToService": "ec2.amazonaws.com"})
    assert not allowed(documents, "iam:PassRole", role("Admin"), **{"iam:PassedToService": "lambda.amazonaws.com"})


def test_every_workload_role_carries_its_environments_boundary(workloads):
    roles = [(n, r) for t in workloads.values() for n, r in t["Resources"].items() if r["Type"] == "AWS::IAM::Role"]
    assert roles
    for name, resource in roles:
        assert resource["Properties"]["PermissionsBoundary"] == {
            "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/cfnops-${Environment}-workload-boundary"
        }, name


def test_each_boundary_allows_what_workload_roles_use_and_no_iam(templates, workloads):
    policies = {
        r["Properties"]["ManagedPolicyName"]: r["Properties"]["PolicyDocument"]
        for r in templates["stackset-roles"]["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
    }
    for environment in ENVIRONMENTS:
        actions = policies[permissions_boundary_name(environment)]["Statement"][0]["Action"]
        assert not [a for a in actions if a.startswith(("iam:", "sts:", "organizations:"))]
        assert set(actions) == set(template_iam.allowed_actions(workloads))
