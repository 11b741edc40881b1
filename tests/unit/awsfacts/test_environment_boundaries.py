"""One account, three environments: whoever may start one environment's StackSet operation
reaches only that environment's resources, also through the roles its execution role creates.
Evaluated with awsfacts.policy_eval over the rendered bootstrap template, for every pair of
the platform's environments:

- each environment's workload boundary denies every workload action on the other
  environments' names (every type execution_policy.SCOPED names) and on resources tagged
  with another environment, and allows the same actions on its own;
- its execution role may create or change a role only under its own environment's boundary;
- its execution role may not act on a resource tagged with another environment (ids-only
  resources such as security groups, whose actions stay on "*"), and may on its own."""

from __future__ import annotations

import re

import pytest

from cfnops.awsfacts import iam_catalog, intrinsics, policy_eval
from cfnops.build.gate.iam import execution_documents
from templates_src import execution_policy
from templates_src.conventions import permissions_boundary_name
from templates_src.platform import PLATFORM

ACCOUNT = "123456789012"
REGION = PLATFORM.regions[0]
PAIRS = [(e, o) for e in PLATFORM.environments for o in PLATFORM.environments if o != e]
EVERYTHING = [{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]  # a role's own policy at worst
_OWN_PART = re.compile(r"\$\{(?!Partition|Region|Account)[^}]+\}")


@pytest.fixture(scope="module")
def bootstrap(templates) -> dict:
    return templates[PLATFORM.bootstrap]


def boundary_of(bootstrap: dict, environment: str) -> dict:
    (document,) = [
        r["Properties"]["PolicyDocument"]
        for r in bootstrap["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
        and r["Properties"]["ManagedPolicyName"] == permissions_boundary_name(environment)
    ]
    return intrinsics.Resolver({"AWS::Partition": "aws", "AWS::AccountId": ACCOUNT})(document)


def boundary_arn(environment: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{permissions_boundary_name(environment)}"


def sample_arn(service: str, kind: str, glob, environment: str) -> str:
    """A concrete ARN of ``environment`` matching one of SCOPED's globs (``*`` -> ``x``)."""
    parts = iter((glob,) if isinstance(glob, str) else glob)
    arn_format = iam_catalog.resource_type(service, kind)
    arn = arn_format.replace("${Partition}", "aws").replace("${Region}", REGION).replace("${Account}", ACCOUNT)
    return _OWN_PART.sub(lambda _: next(parts, "x").replace(execution_policy.ENV, environment).replace("*", "x"), arn)


def named_arns(environment: str) -> list[tuple[str, str, str]]:
    """(service, kind, ARN) for every named type SCOPED gives the execution role."""
    return [
        (service, kind, sample_arn(service, kind, glob, environment))
        for (service, kind), globs in execution_policy.SCOPED.items()
        for glob in globs
    ]


def actions_on(service: str, kind: str, actions: list[str]) -> list[str]:
    return [
        a
        for a in actions
        if iam_catalog.split(a)[0] == service
        and kind in {r["name"].lower() for r in (iam_catalog.entry(a) or {}).get("resourceTypes", ())}
    ]


@pytest.mark.parametrize(("environment", "other"), PAIRS)
def test_a_workload_role_reaches_no_other_environments_names(bootstrap, environment, other):
    boundary = boundary_of(bootstrap, environment)
    workload_actions = boundary["Statement"][0]["Action"]
    checked = 0
    for (service, kind, theirs), (_, _, ours) in zip(named_arns(other), named_arns(environment), strict=True):
        for action in actions_on(service, kind, workload_actions):
            denied = policy_eval.evaluate(EVERYTHING, action, theirs, {}, boundary)
            assert (denied.reason, denied.statement) == (
                "denied by the permissions boundary",
                "NotOtherEnvironmentsNames",
            ), (environment, action, theirs)
            assert policy_eval.evaluate(EVERYTHING, action, ours, {}, boundary).allowed, (environment, action, ours)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize(("environment", "other"), PAIRS)
def test_a_workload_role_reaches_nothing_tagged_with_another_environment(bootstrap, environment, other):
    boundary = boundary_of(bootstrap, environment)
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd"
    for action in (a for a in boundary["Statement"][0]["Action"] if a.startswith("kms:")):
        theirs = policy_eval.evaluate(EVERYTHING, action, key, {"aws:ResourceTag/Environment": other}, boundary)
        assert theirs.statement == "NotOtherEnvironmentsTagged", (environment, action)
        ours = policy_eval.evaluate(EVERYTHING, action, key, {"aws:ResourceTag/Environment": environment}, boundary)
        assert ours.allowed, (environment, action)


ROLE_CHANGES = ("iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:AttachRolePolicy")


@pytest.mark.parametrize(("environment", "other"), PAIRS)
def test_an_execution_role_gives_its_roles_its_own_environments_boundary_only(bootstrap, environment, other):
    documents = execution_documents(bootstrap, PLATFORM.execution_role_of(environment))[0]
    ours = f"arn:aws:iam::{ACCOUNT}:role/{environment}-{REGION}-role-x"
    for action in ROLE_CHANGES:
        own = {"iam:PermissionsBoundary": boundary_arn(environment)}
        assert policy_eval.evaluate(documents, action, ours, own).allowed, (environment, action)
        theirs = policy_eval.evaluate(documents, action, ours, {"iam:PermissionsBoundary": boundary_arn(other)})
        assert theirs.reason == "implicitly denied", (environment, action, theirs)


@pytest.mark.parametrize(("environment", "other"), PAIRS)
def test_an_execution_role_touches_nothing_tagged_with_another_environment(bootstrap, environment, other):
    """What stays on "*" (resources with ids: security groups, clusters, ...) is still not another's."""
    documents = execution_documents(bootstrap, PLATFORM.execution_role_of(environment))[0]
    unscoped = [
        a
        for d in documents
        for s in d["Statement"]
        if s["Effect"] == "Allow" and s["Resource"] == ["*"] and not s.get("Condition")
        for a in s["Action"]
    ]
    assert len(unscoped) > 100
    resource = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0123456789abcdef0"
    for action in unscoped:
        theirs = policy_eval.evaluate(documents, action, resource, {"aws:ResourceTag/Environment": other})
        assert theirs.statement == "OtherEnvironmentsAreNotOurs", (environment, action, theirs)
        own = policy_eval.evaluate(documents, action, resource, {"aws:ResourceTag/Environment": environment})
        assert own.allowed, (environment, action)
        assert policy_eval.evaluate(documents, action, resource, {}).allowed, (environment, action)  # untagged yet
