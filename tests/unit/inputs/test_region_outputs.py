"""region_outputs: the declaration is checked before any AWS call (one line naming file and
key), a target in another account is refused with the reason, the values are read from the
source instances' stack outputs and passed as per-region overrides (Stubber), and a region
whose values never appear fails with the value it waits for."""

from __future__ import annotations

import io
import types
import warnings

import boto3
import pytest
from botocore.stub import ANY, Stubber

import localcloud
from cfnops.build import render
from cfnops.cli.progress import PlainProgress
from cfnops.core.aws import Aws
from cfnops.core.errors import InputError, OperationFailedError
from cfnops.inputs import region_outputs
from cfnops.inputs import stacksets as config
from cfnops.rollout import pipeline as rollout
from cfnops.rollout import staged
from cfnops.rollout.deploy import DeployOptions, StackSetApplier
from cfnops.rollout.plan import build_desired
from tests.conftest import PLATFORM
from tests.support.rollout import FAST, copy_project, edit
from tests.support.stubber import expect_operation, fast

localcloud.install()
from moto import mock_aws  # noqa: E402

FILE = "stacksets/network-peering.yaml"
ADMIN = "111111111111"


@pytest.fixture
def copy(tmp_path):
    return copy_project(tmp_path)


def load(project):
    return config.load_project(project, "staging", render.read_generated(project))


BAD = [
    (
        "unknown-scope",
        "regions: later}",
        "regions: latr}",
        f"{FILE}: region_outputs.PeerVpcId{{peer}}.regions: expected one of own, earlier, later, others, got 'latr'",
    ),
    (
        "missing-field",
        ", output: VpcId, regions: later}",
        ", regions: later}",
        f"{FILE}: region_outputs.PeerVpcId{{peer}}.output: required",
    ),
    (
        "unknown-field",
        "output: VpcId,",
        "output: VpcId, from: network,",
        f"{FILE}: region_outputs.PeerVpcId{{peer}}.from: unknown key",
    ),
    (
        "no-peer-placeholder",
        "  PeerVpcId{peer}:",
        "  PeerVpcId:",
        f"{FILE}: region_outputs.PeerVpcId: expected {{peer}} in the name: one parameter per source region",
    ),
    (
        "peer-in-own",
        "  AzCount:",
        "  AzCount{peer}:",
        f"{FILE}: region_outputs.AzCount{{peer}}: {{peer}} is only for regions: earlier, later or others",
    ),
    (
        "unknown-placeholder",
        "  PeerVpcId{peer}:",
        "  PeerVpcId{peers}:",
        f"{FILE}: region_outputs.PeerVpcId{{peers}}: expected a name of letters and digits with {{peer}} / {{region}} placeholders",
    ),
    (
        "not-a-mapping",
        "  AzCount: {stackset: network, output: AzCount, regions: own}",
        "  AzCount: network",
        f"{FILE}: region_outputs.AzCount: expected a mapping with keys stackset, output, regions, got a string",
    ),
    (
        "unknown-stackset",
        "{stackset: network, output: VpcId",
        "{stackset: netwrk, output: VpcId",
        f"{FILE}: region_outputs.PeerVpcId{{peer}}.stackset: unknown StackSet (did you mean network?)",
    ),
    (
        "not-a-dependency",
        "depends_on: [network]",
        "depends_on: []\n# no dependency",
        f"{FILE}: region_outputs.AzCount.stackset: network must be in depends_on",
    ),
    (
        "own-outputs-from-later-regions",
        'output: "PeeringConnectionId{region}", regions: earlier}',
        'output: "PeeringConnectionId{region}", regions: later}',
        f"{FILE}: region_outputs.PeeringConnectionId{{peer}}.regions: a StackSet's own outputs can only come from earlier regions",
    ),
    (
        "not-a-parameter",
        "  PeerVpcId{peer}:",
        "  PeerVpc{peer}:",
        f"{FILE}: region_outputs.PeerVpc{{peer}}: PeerVpcUsWest2 is not a parameter of template network-peering",
    ),
    (
        "not-an-output",
        "output: VpcId,",
        "output: VpcIdd,",
        f"{FILE}: region_outputs.PeerVpcId{{peer}}.output: VpcIdd is not an output of template network",
    ),
    (
        "service-managed",
        "permission_model: SELF_MANAGED\n",
        "permission_model: SERVICE_MANAGED\norganizational_units: [ou-abcd-12345678]\n",
        f"{FILE}: region_outputs: reads other regions' stack outputs in the administrator account, but SERVICE_MANAGED",
    ),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_declarations_are_one_line_naming_file_and_key(copy, case):
    _, old, new, expected = case
    path = copy.root / FILE
    if case[0] == "service-managed":
        edit(path, "accounts: [self]", "# accounts")
    edit(path, old, new)
    with pytest.raises(InputError) as raised:
        load(copy)
    assert any(line.startswith(expected) for line in raised.value.problems), raised.value.problems
    assert all("\n" not in line for line in raised.value.problems)


def test_the_committed_declaration_reads_a_full_mesh(project):
    peering = next(s for s in load(project) if s.key == "network-peering")
    needs = region_outputs.needs(peering)
    assert [(n.region, n.parameter, n.stackset, n.source, n.output) for n in needs if n.region == "us-west-2"] == [
        ("us-west-2", "AzCount", "network", "us-west-2", "AzCount"),
        ("us-west-2", "PeerVpcIdEuWest1", "network", "eu-west-1", "VpcId"),
        ("us-west-2", "PeeringConnectionIdUsEast1", "network-peering", "us-east-1", "PeeringConnectionIdUsWest2"),
    ]


def test_a_parameter_file_may_not_set_what_region_outputs_reads(copy):
    edit(copy.parameter_path("staging"), "templates:\n", "templates:\n  network-peering:\n    AzCount: 3\n")
    render.write(copy, render.render(copy))
    with pytest.raises(InputError) as raised:
        rollout.prepare(copy, "staging", run_lint=False)
    assert raised.value.problems == [
        "parameters/staging.yaml: templates.network-peering.AzCount: AzCount is read from other regions' stack outputs "
        f"({FILE}: region_outputs): remove it from the parameter file"
    ]


def test_a_target_in_another_account_is_refused_before_any_cloudformation_call(copy, monkeypatch):
    edit(copy.root / FILE, "accounts: [self]", "accounts: ['111111111111']")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        aws = Aws(boto3.Session(region_name="us-east-1"))
        prepared = rollout.prepare(copy, "staging", only=("network", "network-peering"), run_lint=False)
        with pytest.raises(InputError) as raised:
            rollout.plan_all(aws, prepared, PlainProgress(io.StringIO()), FAST)
    assert raised.value.problems == [
        f"{FILE}: accounts: network-peering-staging reads stack outputs in account 123456789012 (region_outputs), but "
        "network-peering-staging deploys to account 111111111111: cross-account peering needs an accepter role in the "
        "peer account (PeerRoleArn), which cfnops does not manage"
    ]
    assert not [call for call in aws.calls if call.startswith("cloudformation:")]


def test_a_region_whose_values_never_appear_fails_naming_the_value():
    read = types.SimpleNamespace(
        source_name="network-peering-staging",
        need=types.SimpleNamespace(source="us-west-2", output="PeeringConnectionIdEuWest1"),
    )
    plan = types.SimpleNamespace(name="network-peering-staging")
    with pytest.raises(OperationFailedError) as raised:
        staged.apply_in_passes(lambda: (plan, {"eu-west-1": [read]}), None, lambda p: False, [], 4)
    assert str(raised.value) == (
        "network-peering-staging: eu-west-1 cannot be deployed: it reads network-peering-staging "
        "us-west-2 output PeeringConnectionIdEuWest1, which is not there"
    )


def test_passes_stop_when_a_fresh_plan_has_no_work():
    plans = iter([("first", {"eu-west-1": []}), ("second", {})])
    applied = []

    def apply_plan(plan):
        applied.append(plan)
        return types.SimpleNamespace(outcomes=[plan], failed=[])

    outcomes = []
    staged.apply_in_passes(lambda: next(plans), apply_plan, lambda p: p == "first", outcomes, 4)
    assert applied == outcomes == ["first"]


# --- Stubber: the second pass of a fresh rollout creates us-west-2 with the values read from
# network (us-west-2, eu-west-1) and from network-peering's us-east-1 instance; eu-west-1 waits.

STACK = "arn:aws:cloudformation:{region}:111111111111:stack/StackSet-{name}-{region}/0"


def stack_summary(name: str, region: str) -> dict:
    return {
        "StackSetId": f"{name}:1",
        "Region": region,
        "Account": ADMIN,
        "StackId": STACK.format(region=region, name=name),
        "Status": "CURRENT",
        "LastOperationId": "console-change",
    }


def outputs(name: str, region: str, values: dict) -> dict:
    return {
        "Stacks": [
            {
                "StackName": f"StackSet-{name}-{region}",
                "StackId": STACK.format(region=region, name=name),
                "CreationTime": "2026-01-01T00:00:00Z",
                "StackStatus": "CREATE_COMPLETE",
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in values.items()],
            }
        ]
    }


VPC = {"us-east-1": "vpc-0000000000000e001", "us-west-2": "vpc-0000000000000a002", "eu-west-1": "vpc-0000000000000b003"}
PCX = {"UsWest2": "pcx-00000000000000012", "EuWest1": "pcx-00000000000000013"}


def test_second_pass_creates_us_west_2_with_overrides_read_from_the_other_regions(project):
    prepared = rollout.prepare(project, "staging", only=("network-peering",), run_lint=False)
    aws = Aws(boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"))
    stubs = {
        region: Stubber(aws.client("cloudformation", region)) for region in ("us-east-1", "us-west-2", "eu-west-1")
    }
    admin = stubs["us-east-1"]
    network = {"StackSetName": "network-staging", "StackInstanceAccount": ADMIN}
    # its own StackSet first (ListStackInstances, then DescribeStackSet: no cfnops operation vouches
    # for it): its instances are where its own outputs are found, without a second ListStackInstances
    [spec] = prepared.specs
    desired = build_desired(spec, prepared.texts[spec.template], prepared.resolved, ADMIN)
    admin.add_response(
        "list_stack_instances", {"Summaries": [stack_summary(spec.name, "us-east-1")]}, {"StackSetName": spec.name}
    )
    admin.add_response(
        "describe_stack_set",
        {
            "StackSet": {
                "StackSetName": spec.name,
                "Status": "ACTIVE",
                "TemplateBody": desired.template_text,
                "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in desired.parameters.items()],
                "Capabilities": list(spec.capabilities),
                "Tags": [{"Key": k, "Value": v} for k, v in desired.tags],
                "Description": spec.description,
                "ManagedExecution": {"Active": True},
                "AdministrationRoleARN": f"arn:aws:iam::{ADMIN}:role/{spec.administration_role}",
                "ExecutionRoleName": spec.execution_role,
            }
        },
        {"StackSetName": spec.name},
    )
    admin.add_response(
        "list_stack_instances", {"Summaries": [stack_summary("network-staging", r) for r in VPC]}, network
    )
    for region, vpc in VPC.items():
        stubs[region].add_response(
            "describe_stacks",
            outputs("network-staging", region, {"VpcId": vpc, "AzCount": "2"}),
            {"StackName": STACK.format(region=region, name="network-staging")},
        )
    admin.add_response(
        "describe_stacks",
        outputs(
            "network-peering-staging", "us-east-1", {f"PeeringConnectionId{peer}": pcx for peer, pcx in PCX.items()}
        ),
        {"StackName": STACK.format(region="us-east-1", name="network-peering-staging")},
    )
    east = {"AzCount": "2", "PeerVpcIdUsWest2": VPC["us-west-2"], "PeerVpcIdEuWest1": VPC["eu-west-1"]}
    admin.add_response(
        "describe_stack_instance",
        {"StackInstance": {"ParameterOverrides": [{"ParameterKey": k, "ParameterValue": v} for k, v in east.items()]}},
        {"StackSetName": spec.name, "StackInstanceAccount": ADMIN, "StackInstanceRegion": "us-east-1"},
    )
    west = [
        {"ParameterKey": "AzCount", "ParameterValue": "2"},
        {"ParameterKey": "PeerVpcIdEuWest1", "ParameterValue": VPC["eu-west-1"]},
        {"ParameterKey": "PeeringConnectionIdUsEast1", "ParameterValue": PCX["UsWest2"]},
    ]
    admin.add_response(
        "create_stack_instances",
        {"OperationId": "op-west"},
        {
            "StackSetName": spec.name,
            "Accounts": [ADMIN],
            "Regions": ["us-west-2"],
            "ParameterOverrides": west,
            "OperationPreferences": {
                "RegionConcurrencyType": "PARALLEL",
                "FailureToleranceCount": 0,
                "MaxConcurrentPercentage": 100,
                "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
            },
            "OperationId": ANY,
        },
    )
    expect_operation(admin, spec.name, "op-west", [(ADMIN, "us-west-2", "SUCCEEDED", "")])
    for stub in stubs.values():
        stub.activate()
    plan, blocked = rollout.plan_one(aws, prepared, spec, ADMIN, PlainProgress(io.StringIO()), fast(), hold_back=True)
    assert plan.add == ((ADMIN, "us-west-2"),) and plan.remove == () and plan.update_overrides == ()
    assert {region: [r.need.parameter for r in reads] for region, reads in blocked.items()} == {
        "eu-west-1": ["PeeringConnectionIdUsWest2"]
    }
    result = StackSetApplier(
        aws,
        plan,
        PlainProgress(io.StringIO()),
        DeployOptions(artifacts_bucket=PLATFORM.artifacts_bucket, wait=fast(), concurrent=False),
        ADMIN,
    ).apply()
    assert result.failed == []
    for stub in stubs.values():
        stub.assert_no_pending_responses()
