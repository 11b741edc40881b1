"""awsfacts.policy_eval: trust policies and the "some request" reading of context=None."""

from __future__ import annotations

from cfnops.awsfacts import policy_eval

ADMIN = "arn:aws:iam::111111111111:role/Admin"


def trust(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal, **extra) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}


def test_a_trust_naming_the_role_allows_it_by_name():
    assert policy_eval.trust(trust(allow({"AWS": ADMIN})), ADMIN) == policy_eval.Decision(True, policy_eval.NAMED)


def test_a_trust_naming_the_account_allows_it_for_the_account():
    for principal in ({"AWS": "arn:aws:iam::111111111111:root"}, {"AWS": "111111111111"}, "*", {"AWS": ["*"]}):
        assert policy_eval.trust(trust(allow(principal)), ADMIN) == policy_eval.Decision(True, policy_eval.FOR_ACCOUNT)


def test_other_principals_services_and_actions_do_not_trust_it():
    assert not policy_eval.trust(trust(allow({"AWS": "arn:aws:iam::222222222222:role/Admin"})), ADMIN).allowed
    assert not policy_eval.trust(trust(allow({"Service": "cloudformation.amazonaws.com"})), ADMIN).allowed
    assert not policy_eval.trust(trust({**allow({"AWS": ADMIN}), "Action": "sts:TagSession"}), ADMIN).allowed


def test_a_deny_naming_it_wins_and_conditions_are_evaluated():
    assert policy_eval.trust(trust(allow({"AWS": "*"}), {**allow({"AWS": ADMIN}), "Effect": "Deny"}), ADMIN) == (
        policy_eval.Decision(False, "explicitly denied")
    )
    conditional = allow({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalAccount": "222222222222"}})
    assert not policy_eval.trust(trust(conditional), ADMIN).allowed


def test_no_context_means_some_request_a_given_context_is_evaluated():
    document = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:CreateRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": "arn:b"}},
            },
            {
                "Effect": "Deny",
                "Action": "iam:CreateRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "us-west-2"}},
            },
        ]
    }
    assert policy_eval.evaluate([document], "iam:CreateRole").allowed
    assert not policy_eval.evaluate([document], "iam:CreateRole", context={}).allowed
    assert policy_eval.evaluate([document], "iam:CreateRole", context={"iam:PermissionsBoundary": "arn:b"}).allowed
    assert not policy_eval.evaluate(
        [document], "iam:CreateRole", context={"iam:PermissionsBoundary": "arn:b", "aws:RequestedRegion": "us-west-2"}
    ).allowed
