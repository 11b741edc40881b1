"""CI's roles in the bootstrap template (templates_src/components/ci_identity.py): none until
the repository is named; each environment's deploy role runs only that environment's StackSets
and passes only its administration role, with no IAM administration; the plan role only reads."""

from __future__ import annotations

import pytest

from cfnops.awsfacts import intrinsics, policy_eval
from cfnops.build.gate.iam import ACCOUNT, execution_documents
from templates_src.components import ci_identity
from templates_src.conventions import ENVIRONMENTS
from tests.conftest import PLATFORM

READ_PREFIXES = ("Describe", "List", "Get", "DetectStackSetDrift")


@pytest.fixture(scope="module")
def bootstrap(templates) -> dict:
    return templates[PLATFORM.bootstrap]


def stackset(name: str) -> str:
    return f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stackset/{name}:1"


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def actions(documents) -> list[str]:
    found = []
    for document in documents:
        for statement in document["Statement"]:
            value = statement["Action"]
            found += value if isinstance(value, list) else [value]
    return found


def test_nothing_exists_until_the_parameter_files_name_the_repository(bootstrap):
    for repository, expected in (("", False), ("acme/platform", True)):
        refs = intrinsics.parameter_values(bootstrap, {ci_identity.REPOSITORY: repository})
        refs |= {"AWS::Region": "us-east-1", "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws"}
        assert intrinsics.evaluate_conditions(bootstrap, refs)["CiIdentity"] is expected


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_a_deploy_role_runs_its_own_environments_stacksets_only(bootstrap, environment):
    documents, _ = execution_documents(bootstrap, ci_identity.DEPLOY_ROLE.format(environment=environment))
    own, admin = f"payments-{environment}", PLATFORM.administration_role_of(environment)
    for action in ("UpdateStackSet", "CreateStackInstances", "DescribeStackSet", "DescribeStackSetOperation"):
        assert policy_eval.evaluate(documents, f"cloudformation:{action}", stackset(own)).allowed, action
    create = "cloudformation:CreateStackSet"
    assert policy_eval.evaluate(documents, create, None, {"cloudformation:RoleArn": role(admin)}).allowed
    assert policy_eval.evaluate(documents, "iam:PassRole", role(admin)).allowed
    for other in (e for e in ENVIRONMENTS if e != environment):
        other_admin = role(PLATFORM.administration_role_of(other))
        assert not policy_eval.evaluate(
            documents, "cloudformation:UpdateStackSet", stackset(f"payments-{other}")
        ).allowed
        assert not policy_eval.evaluate(documents, create, None, {"cloudformation:RoleArn": other_admin}).allowed
        assert not policy_eval.evaluate(documents, "iam:PassRole", other_admin).allowed
    iam_actions = {a for a in actions(documents) if a.startswith("iam:")}
    assert iam_actions == {"iam:GetRole", "iam:PassRole"}  # nothing that administers IAM


def test_the_deploy_roles_trust_only_their_environments_jobs_of_the_repository(bootstrap):
    for environment in ENVIRONMENTS:
        name = ci_identity.DEPLOY_ROLE.format(environment=environment)
        [resource] = [r for r in bootstrap["Resources"].values() if r["Properties"].get("RoleName") == name]
        [statement] = resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == ["sts:AssumeRoleWithWebIdentity"]
        subjects = [s["Fn::Sub"] for s in statement["Condition"]["StringEquals"][f"{ci_identity.ISSUER}:sub"]]
        assert subjects == [
            f"repo:${{GitHubRepository}}:environment:{environment}",
            f"repo:${{GitHubRepository}}:environment:{environment}-approval",
        ]


def test_the_plan_role_only_reads(bootstrap):
    documents, _ = execution_documents(bootstrap, ci_identity.PLAN_ROLE)
    found = actions(documents)
    assert found and all(a.split(":")[1].startswith(READ_PREFIXES) for a in found)
