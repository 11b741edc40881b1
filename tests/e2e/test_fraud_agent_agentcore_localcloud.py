"""The fraud agent on AgentCore, rehearsed on localcloud: a fresh staging rollout creates the
gateway, its targets, the harness and its endpoint in every region and reaches CURRENT; the
classic Bedrock agent is absent unless ClassicBedrockAgent is on, and turning it off again
removes it and keeps everything else (the migration of a stack that had it: the plan shows
the removals, nothing stateful among them)."""

from __future__ import annotations

import json
import warnings

import boto3
import pytest

import localcloud
from cfnops.cli.main import main
from tests.support.rollout import STACKSET_REGIONS, Run, copy_project, do_bootstrap, edit

localcloud.install()
from moto import mock_aws  # noqa: E402

AGENTCORE = {
    "AWS::BedrockAgentCore::Gateway",
    "AWS::BedrockAgentCore::GatewayTarget",
    "AWS::BedrockAgentCore::Harness",
    "AWS::BedrockAgentCore::HarnessEndpoint",
}
CLASSIC = {"AWS::Bedrock::Agent", "AWS::Bedrock::AgentAlias"}
ONLY = ("network", "fraud-agent")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        yield project


def instance_resources(region: str) -> dict[str, str]:
    """Logical id -> type of the fraud-agent instance stack in ``region``."""
    summary = boto3.client("cloudformation", region_name="us-east-1").list_stack_instances(
        StackSetName="fraud-agent-staging", StackInstanceRegion=region
    )["Summaries"][0]
    assert (summary["Status"], summary["StackInstanceStatus"]["DetailedStatus"]) == ("CURRENT", "SUCCEEDED")
    resources = boto3.client("cloudformation", region_name=region).describe_stack_resources(
        StackName=summary["StackId"]
    )["StackResources"]
    return {r["LogicalResourceId"]: r["ResourceType"] for r in resources}


def test_a_fresh_staging_rollout_creates_the_agentcore_agent_and_no_classic_agent(project):
    run = Run(project, only=ONLY)
    assert run.failures == []
    for region in STACKSET_REGIONS["fraud-agent"]:
        kinds = set(instance_resources(region).values())
        assert kinds >= AGENTCORE, region
        assert not kinds & CLASSIC, region


def plan(project, capsys) -> dict:
    """``cfnops plan --format json`` of fraud-agent in staging, as CI reads it."""
    from cfnops.build import render

    render.write(project, render.render(project))  # the manifest hashes the parameters
    capsys.readouterr()
    code = main(
        ["--root", str(project.root), "plan", "--env", "staging", "--format", "json", "--stackset", "fraud-agent"]
    )
    assert code == 2
    [fraud_agent] = json.loads(capsys.readouterr().out)["stacksets"]
    return fraud_agent


def test_the_classic_agent_comes_only_with_its_parameter_and_leaves_without_touching_the_rest(project, capsys):
    parameters = project.parameters / "staging.yaml"
    edit(parameters, "  fraud-agent:\n", "  fraud-agent:\n    ClassicBedrockAgent: true\n")
    assert Run(project, only=ONLY).failures == []
    region = STACKSET_REGIONS["fraud-agent"][0]
    with_classic = instance_resources(region)
    assert set(with_classic.values()) >= CLASSIC | AGENTCORE
    edit(parameters, "    ClassicBedrockAgent: true\n", "")
    migration = plan(project, capsys)  # what an existing classic stack's next deploy does
    [group] = migration["groups"]  # the same in every region
    assert sorted(group["regions"]) == sorted(STACKSET_REGIONS["fraud-agent"])
    changes = {r["logical_id"]: r["action"] for r in group["resources"]}
    assert set(changes.values()) == {"Remove"}
    assert set(changes) == {name for name, kind in with_classic.items() if kind in CLASSIC} | {"AgentRole"} | {
        name for name in with_classic if name.endswith("FunctionAgentPermission")
    }
    assert migration["destructive"] == []  # nothing stateful goes: every table, bucket and key is kept
    assert Run(project, only=ONLY).failures == []
    without = instance_resources(region)
    removed = {logical for logical in with_classic if logical not in without}
    assert {with_classic[logical] for logical in removed} == CLASSIC | {"AWS::IAM::Role", "AWS::Lambda::Permission"}
    assert removed == {"Agent", "AgentAlias", "AgentRole"} | {
        logical
        for logical in with_classic
        if logical.endswith("FunctionAgentPermission")  # Bedrock may invoke the tools
    }
    assert set(without) == set(with_classic) - removed  # the knowledge base, the tools and their data stay
