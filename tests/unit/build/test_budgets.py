"""The account budget: what StackSets put in one account and region, summed over every
environment and template, against AWS's default quotas or quotas.yaml's raises."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml

from cfnops.awsfacts.account_quotas import (
    AGENTCORE_ENDPOINTS,
    AGENTCORE_GATEWAYS,
    AGENTCORE_TARGETS,
    AGENTCORE_TOOLS,
    INTERFACE_ENDPOINTS,
    LAMBDA_CONCURRENCY,
    NAT_GATEWAYS,
    QUOTAS,
    SECURITY_GROUPS,
)
from cfnops.build.gate import budgets
from cfnops.build.gate.budgets import Placement
from cfnops.build.lint import account_budget
from cfnops.core.errors import InputError
from templates_src.fraud_agent_tools import TOOL_CONCURRENCY, TOOLS
from tests.conftest import ROOT, resources_of_type

CONCURRENCY = LAMBDA_CONCURRENCY.code


def generated(project) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in project.generated.glob("*.json") if p.name != "manifest.json"}


def set_value(project, environment: str, template: str, name: str, value) -> None:
    path = project.root / "parameters" / f"{environment}.yaml"
    text = path.read_text()
    block = re.search(rf"(?ms)^  {re.escape(template)}:.*?(?=^  \S|\Z)", text)
    assert block and f"    {name}:" in block.group(0), (template, name)
    new = re.sub(rf"(?m)^    {name}: .*$", f"    {name}: {value}", block.group(0), count=1)
    path.write_text(text.replace(block.group(0), new))


def own_accounts(project, accounts: dict[str, str]) -> None:
    """Every StackSet deploys each environment to its own account."""
    for path in (project.root / "stacksets").glob("*.yaml"):
        text = path.read_text()
        if "accounts: [self]" in text:
            mapping = ", ".join(f"{env}: ['{account}']" for env, account in accounts.items())
            path.write_text(text.replace("accounts: [self]", f"accounts: {{{mapping}}}"))


def write_quotas(project, entries) -> None:
    """``entries``, then the raises the committed quotas.yaml declares (eu-west-1's networks)."""
    committed = yaml.safe_load((ROOT / "quotas.yaml").read_text())["quotas"]
    (project.root / "quotas.yaml").write_text(json.dumps({"quotas": entries + committed}))


def used(line: str, limit: int = 900) -> int:
    """The sum a budget line reports against ``limit``."""
    match = re.search(rf"used (\d+), limit {limit}\b", line)
    assert match, line
    return int(match.group(1))


def budget_lines(project) -> list[str]:
    return [f.message for f in account_budget(project, generated(project)) if CONCURRENCY in f.message]


def test_todays_layout_fits_every_account_and_region(project):
    assert account_budget(project, generated(project)) == []


def test_two_environments_in_one_account_over_reserving_are_refused_naming_both(tmp_project):
    set_value(tmp_project, "staging", "fraud-agent", "ReservedConcurrency", 200)
    lines = budget_lines(tmp_project)
    regions = {spec_region for spec_region in re.findall(r"account self, ([a-z0-9-]+):", " ".join(lines))}
    assert len(lines) == len(regions) >= 1
    for line in lines:
        assert used(line) > 900  # each region's sum, over every environment of the account
        tools = TOOL_CONCURRENCY * len(TOOLS)  # each tool function reserves its own, whatever the parameter
        assert f"staging/fraud-agent {3 * 200 + tools}" in line and f"prod/fraud-agent {3 * 100 + tools}" in line


def test_quotas_yaml_raising_the_limit_passes(tmp_project):
    set_value(tmp_project, "staging", "fraud-agent", "ReservedConcurrency", 200)
    sums = {re.search(r"account self, ([a-z0-9-]+):", line).group(1): used(line) for line in budget_lines(tmp_project)}
    raised = [{"account": "self", "region": r, "code": CONCURRENCY, "value": n + 100} for r, n in sums.items()]
    write_quotas(tmp_project, raised)  # the limit is the quota less the 100 that stay unreserved
    assert budget_lines(tmp_project) == []
    write_quotas(tmp_project, [{**entry, "value": entry["value"] - 1} for entry in raised])
    for line in budget_lines(tmp_project):
        region = re.search(r"account self, ([a-z0-9-]+):", line).group(1)
        assert used(line, sums[region] - 1) == sums[region]


def test_separate_accounts_sum_per_account(tmp_project):
    own_accounts(tmp_project, {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"})
    set_value(tmp_project, "staging", "fraud-agent", "ReservedConcurrency", 200)  # 675 alone: fits
    assert budget_lines(tmp_project) == []
    set_value(tmp_project, "prod", "fraud-agent", "ReservedConcurrency", 300)  # 200 + 925 alone
    lines = budget_lines(tmp_project)
    assert lines and all(line.startswith("account 333333333333,") and used(line) > 900 for line in lines)
    assert not any("staging/" in line or "dev/" in line for line in lines)


def test_elastic_ips_are_summed_over_environments(tmp_project):
    set_value(tmp_project, "staging", "network", "HighlyAvailableNat", "true")
    lines = [f.message for f in account_budget(tmp_project, generated(tmp_project)) if "L-0263D0A3" in f.message]
    assert lines and all("Elastic IPs" in line and "limit 5" in line for line in lines)


@pytest.mark.parametrize(
    "entry, expected",
    [
        ({"account": "12345", "region": "us-east-1", "code": CONCURRENCY, "value": 2000}, "quotas[0].account"),
        ({"account": "self", "region": "mars-1", "code": CONCURRENCY, "value": 2000}, "quotas[0].region"),
        ({"account": "self", "region": "us-east-1", "code": "L-NOPE", "value": 2000}, "quotas[0].code"),
        ({"account": "self", "region": "us-east-1", "code": CONCURRENCY, "value": "lots"}, "quotas[0].value"),
        ({"account": "self", "region": "us-east-1", "code": CONCURRENCY, "value": 10}, "below AWS's default"),
        ({"account": "self", "region": "us-east-1", "code": CONCURRENCY, "value": 2000, "x": 1}, "quotas[0].x"),
    ],
)
def test_quotas_yaml_is_validated_one_line_per_problem(tmp_project, entry, expected):
    write_quotas(tmp_project, [entry])
    with pytest.raises(InputError) as caught:
        account_budget(tmp_project, generated(tmp_project))
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("quotas.yaml: ") and expected in caught.value.problems[0]


def test_every_quota_names_its_aws_page():
    assert all(q.url.startswith("https://docs.aws.amazon.com/") for q in QUOTAS.values())
    assert all(q.code is None or q.code.startswith("L-") for q in QUOTAS.values())


def test_lint_exits_4_with_one_line_per_budget(tmp_project):
    set_value(tmp_project, "staging", "fraud-agent", "ReservedConcurrency", 200)
    result = subprocess.run(
        [sys.executable, "-m", "cfnops", "--root", str(tmp_project.root), "lint", "--template", "payments"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 4, result.stderr
    lines = [line for line in result.stderr.splitlines() if "ACCOUNT-BUDGET" in line]
    assert lines and all(CONCURRENCY in line and used(line) > 900 for line in lines)


def budget_findings(project, templates, code: str):
    return [f for f in account_budget(project, templates) if code in f.message]


def test_nat_gateways_are_summed_per_availability_zone_over_templates_and_environments(tmp_project):
    code = NAT_GATEWAYS.code
    write_quotas(tmp_project, [])  # keep every raise but the NAT gateways'
    committed = yaml.safe_load((tmp_project.root / "quotas.yaml").read_text())["quotas"]
    (tmp_project.root / "quotas.yaml").write_text(json.dumps({"quotas": [q for q in committed if q["code"] != code]}))
    templates = generated(tmp_project)
    found = budget_findings(tmp_project, templates, code)
    assert found and all("(zone #1)" in f.message for f in found)  # the single NAT gateways all sit in the first
    owners = {t for t, body in templates.items() if resources_of_type(body, "AWS::EC2::NatGateway")}
    for finding in found:
        assert all(f"{env}/{t} " in finding.message for env in tmp_project.platform.environments for t in owners)


def endpoints(count: int, vpc: dict, kind: str = "Interface") -> dict[str, dict]:
    return {
        f"Endpoint{kind}{i}": {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {"VpcId": vpc, "ServiceName": "com.amazonaws.us-east-1.s3", "VpcEndpointType": kind},
        }
        for i in range(count)
    }


def test_interface_endpoints_are_summed_per_vpc_across_the_stacks_that_import_it(tmp_project):
    code = INTERFACE_ENDPOINTS.code
    templates = generated(tmp_project)
    network = next(t for t, body in templates.items() if resources_of_type(body, "AWS::EC2::VPC") and t == "network")
    importer = next(t for t, body in templates.items() if "network-VpcId" in json.dumps(body.get("Resources")))
    half = INTERFACE_ENDPOINTS.default // 2
    imported = {"Fn::ImportValue": {"Fn::Sub": "${Environment}-network-VpcId"}}
    templates[network]["Resources"].update(endpoints(half, {"Ref": "Vpc"}))
    templates[importer]["Resources"].update(endpoints(INTERFACE_ENDPOINTS.default - half, imported))
    templates[importer]["Resources"].update(endpoints(3, imported, "Gateway"))  # another quota
    assert budget_findings(tmp_project, templates, code) == []  # exactly at the limit
    templates[importer]["Resources"].update(endpoints(1, imported, "GatewayLoadBalancer"))
    found = budget_findings(tmp_project, templates, code)
    assert found
    for finding in found:  # one VPC: the network's own, which the importer names by its export
        environment = re.search(r"\(VPC (\w+)/network/Vpc\)", finding.message).group(1)
        assert f"{environment}/{network} {half}, {environment}/{importer} {half + 1}" in finding.message


def test_every_vpc_counts_its_default_security_group(tmp_project):
    templates = generated(tmp_project)
    template = next(body for body in templates.values() if resources_of_type(body, "AWS::EC2::VPC"))
    placement = Placement("self", "us-east-1", "dev", "t", {})
    one = budgets.stack(template, placement)
    used = budgets.consumption(one, budgets.exports([one]))
    groups = len(resources_of_type(template, "AWS::EC2::SecurityGroup"))
    assert used[(SECURITY_GROUPS.code, "")] == groups + len(resources_of_type(template, "AWS::EC2::VPC"))


def owners_of(templates: dict[str, dict], resource_type: str) -> dict[str, list[str]]:
    """template -> the logical ids of its resources of ``resource_type``."""
    return {
        name: list(resources_of_type(body, resource_type))
        for name, body in templates.items()
        if resources_of_type(body, resource_type)
    }


def add_gateways(templates: dict[str, dict], extra: int) -> None:
    for name in owners_of(templates, "AWS::BedrockAgentCore::Gateway"):
        resources = templates[name]["Resources"]
        start = len(resources)
        resources.update(
            {
                f"ExtraGateway{start + i}": {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": {}}
                for i in range(extra)
            }
        )


def test_agentcore_gateways_are_summed_over_the_environments_sharing_an_account(tmp_project):
    environments = len(tmp_project.platform.environments)
    per_environment = -(-(AGENTCORE_GATEWAYS.default + 1) // environments)  # together just over the quota
    assert per_environment <= AGENTCORE_GATEWAYS.default  # each alone fits
    templates = generated(tmp_project)
    owner = next(iter(owners_of(templates, "AWS::BedrockAgentCore::Gateway")))
    add_gateways(templates, per_environment - 1)
    found = budget_findings(tmp_project, templates, AGENTCORE_GATEWAYS.name)
    assert found
    for finding in found:
        assert used(finding.message, AGENTCORE_GATEWAYS.default) == environments * per_environment
        assert all(f"{env}/{owner} {per_environment}" in finding.message for env in tmp_project.platform.environments)
    write_quotas(
        tmp_project,
        [
            {"account": "self", "region": r, "code": AGENTCORE_GATEWAYS.key, "value": 5000}
            for r in tmp_project.platform.regions
        ],
    )
    assert budget_findings(tmp_project, templates, AGENTCORE_GATEWAYS.name) == []  # raised by the quota's name


def test_agentcore_gateways_in_their_own_accounts_fit(tmp_project):
    own_accounts(tmp_project, {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"})
    templates = generated(tmp_project)
    add_gateways(templates, AGENTCORE_GATEWAYS.default - 1)  # each account: exactly the quota
    assert budget_findings(tmp_project, templates, AGENTCORE_GATEWAYS.name) == []
    add_gateways(templates, 1)
    found = budget_findings(tmp_project, templates, AGENTCORE_GATEWAYS.name)
    assert found and all(used(f.message, AGENTCORE_GATEWAYS.default) == AGENTCORE_GATEWAYS.default + 1 for f in found)


@pytest.mark.parametrize(
    "quota, owner_type, child_type, reference",
    [
        (
            AGENTCORE_TARGETS,
            "AWS::BedrockAgentCore::Gateway",
            "AWS::BedrockAgentCore::GatewayTarget",
            "GatewayIdentifier",
        ),
        (AGENTCORE_ENDPOINTS, "AWS::BedrockAgentCore::Harness", "AWS::BedrockAgentCore::HarnessEndpoint", "HarnessId"),
    ],
)
def test_agentcore_per_resource_quotas_count_each_resource_alone(tmp_project, quota, owner_type, child_type, reference):
    templates = generated(tmp_project)
    for name, owners in owners_of(templates, owner_type).items():
        body = templates[name]
        owner = owners[0]
        children = [
            child
            for child in resources_of_type(body, child_type).values()
            if child["Properties"][reference] == {"Fn::GetAtt": [owner, reference]}
        ]
        assert children  # the platform's own, counted like any other
        body["Resources"].update(
            {
                f"Extra{i}": {
                    "Type": child_type,
                    "Properties": {reference: {"Fn::GetAtt": [owner, reference]}, "Name": f"extra-{i}"},
                }
                for i in range(quota.default - len(children))
            }
        )
        assert budget_findings(tmp_project, templates, quota.name) == []  # exactly at the quota
        body["Resources"]["OneTooMany"] = {
            "Type": child_type,
            "Properties": {reference: {"Fn::GetAtt": [owner, reference]}, "Name": "over"},
        }
        found = budget_findings(tmp_project, templates, quota.name)
        assert found
        for finding in found:  # per resource: never summed over environments
            environment = re.search(rf"\((\w+) (\w+)/{name}/{owner}\)", finding.message).group(2)
            assert used(finding.message, quota.default) == quota.default + 1
            assert finding.message.endswith(f"used by {environment}/{name} {quota.default + 1}")


def test_agentcore_tools_are_counted_per_target_from_its_inline_schema(tmp_project):
    templates = generated(tmp_project)
    name = next(iter(owners_of(templates, "AWS::BedrockAgentCore::GatewayTarget")))
    target = next(iter(resources_of_type(templates[name], "AWS::BedrockAgentCore::GatewayTarget").values()))
    schema = target["Properties"]["TargetConfiguration"]["Mcp"]["Lambda"]["ToolSchema"]["InlinePayload"]
    schema.extend({**schema[0], "Name": f"extra_{i}"} for i in range(AGENTCORE_TOOLS.default - len(schema)))
    assert budget_findings(tmp_project, templates, AGENTCORE_TOOLS.name) == []
    schema.append({**schema[0], "Name": "one_too_many"})
    found = budget_findings(tmp_project, templates, AGENTCORE_TOOLS.name)
    assert found and all(f"target {target['Properties']['Name']})" in f.message for f in found)
    assert all(used(f.message, AGENTCORE_TOOLS.default) == AGENTCORE_TOOLS.default + 1 for f in found)
