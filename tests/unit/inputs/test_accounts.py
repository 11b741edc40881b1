"""Parameter values that belong to an account: another account's ARN is refused after
GetCallerIdentity and before any other call; our images are written with {account}."""

from __future__ import annotations

import warnings

import pytest

import localcloud
from cfnops.build import render
from cfnops.core.errors import InputError
from cfnops.inputs import accounts, params
from tests.support.rollout import Run, copy_project, edit
from tests.support.stubber import make_spec

localcloud.install()
from moto import mock_aws  # noqa: E402

S = "parameters/staging.yaml"
CALLER = "123456789012"  # localcloud's (moto's) account


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield copy_project(tmp_path)


def test_another_accounts_certificate_is_refused_with_both_ids_after_sts_only(project):
    edit(
        project.parameter_path("staging"), "arn:aws:acm:us-west-2:123456789012:", "arn:aws:acm:us-west-2:111111111111:"
    )
    with pytest.raises(InputError) as raised:
        Run(project)
    assert raised.value.problems == [
        f"{S}: regions.us-west-2.fraud-detection.CertificateArn: names account 111111111111, "
        f"but staging deploys to account {CALLER}"
    ]


def test_the_refusal_costs_one_sts_call_and_nothing_else(project, monkeypatch):
    from cfnops.core import aws as aws_module

    made = []
    original = aws_module.Aws.__init__

    def remember(self, session=None):
        original(self, session)
        made.append(self)

    monkeypatch.setattr(aws_module.Aws, "__init__", remember)
    edit(
        project.parameter_path("staging"),
        "arn:aws:acm:eu-west-1:123456789012:certificate/5a000002-0000-4000-8000-000000000010",
        "arn:aws:acm:eu-west-1:222222222222:certificate/5a000002-0000-4000-8000-000000000010",
    )
    with pytest.raises(
        InputError,
        match="templates.loan-processing.CertificateArn: names account 222222222222, "
        f"but staging deploys to account {CALLER}",
    ):
        Run(project)
    assert [dict(aws.calls) for aws in made] == [{"sts:GetCallerIdentity": 1}]


def test_own_images_are_expanded_to_the_deploying_account(project):
    from tests.support.rollout import do_bootstrap, instance_stack_parameters

    do_bootstrap(project)
    assert Run(project, only=("network", "loan-processing")).failures == []
    assert (
        instance_stack_parameters("loan-processing-staging", "eu-west-1")["ContainerImage"]
        == f"{CALLER}.dkr.ecr.eu-west-1.amazonaws.com/loan-api:2.3.0"
    )


def resolved_staging(project):
    return params.resolve_deployed(project, "staging", render.read_generated(project))


def test_each_listed_account_must_be_the_one_an_arn_names(project):
    spec = make_spec(accounts=("111111111111", "222222222222"))
    path = project.parameter_path("staging")
    path.write_text(path.read_text().replace("{account}.dkr.ecr.", "111111111111.dkr.ecr."))  # a central registry
    with pytest.raises(InputError) as raised:
        accounts.check(resolved_staging(project), [spec], CALLER)
    assert (
        f"{S}: regions.us-east-1.fraud-detection.CertificateArn: names account {CALLER}, but staging deploys to account "
        "111111111111, 222222222222" in raised.value.problems
    )
    assert not any("ContainerImage" in line for line in raised.value.problems)  # a central registry is allowed


def test_account_placeholder_needs_a_stackset_with_one_account(project):
    spec = make_spec(accounts=(CALLER, "222222222222"))
    with pytest.raises(InputError) as raised:
        accounts.check(resolved_staging(project), [spec], CALLER)
    assert (
        f"{S}: regions.us-west-2.fraud-detection.ContainerImage: {{account}} stands for the one account a StackSet "
        "deploys to, but fraud-detection-staging deploys to 2 accounts: write the registry's account into the image"
        in raised.value.problems
    )


def test_account_placeholder_anywhere_else_is_refused_offline(project):
    edit(project.parameter_path("staging"), "arn:aws:acm:us-west-2:123456789012:", "arn:aws:acm:us-west-2:{account}:")
    with pytest.raises(InputError) as raised:
        resolved_staging(project)
    assert raised.value.problems == [
        f"{S}: regions.us-west-2.fraud-detection.CertificateArn: {{account}} is only for our own images, written "
        "{account}.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>, got "
        "'arn:aws:acm:us-west-2:{account}:certificate/5a000002-0000-4000-8000-000000000002'"
    ]


def test_an_image_with_the_placeholder_is_still_checked_against_the_template(project):
    edit(project.parameter_path("staging"), "amazonaws.com/fraud-api:1.4.2", "amazonaws.com/Fraud API:1.4.2")
    with pytest.raises(InputError) as raised:
        resolved_staging(project)
    [line] = raised.value.problems
    assert line.startswith(f"{S}: regions.us-east-1.fraud-detection.ContainerImage: expected a value matching ")
    assert line.endswith("got '{account}.dkr.ecr.us-east-1.amazonaws.com/Fraud API:1.4.2'")
