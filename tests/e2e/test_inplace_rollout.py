"""A change AWS makes in place rehearses offline: data-pipeline's ShardCount (Kinesis
"Update requires: No interruption", through UpdateShardCount) changed in staging's
parameter file and deployed again through the CLI converges, and the stream has its new
shard count, read back with plain boto3 in every region of the StackSet."""

from __future__ import annotations

import warnings

import boto3
import pytest
import yaml

import localcloud
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from tests.support.rollout import STACKSET_REGIONS, copy_project, edit

localcloud.install()
from moto import mock_aws  # noqa: E402

STACKSET = "data-pipeline"
ENV = "staging"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield copy_project(tmp_path)


def cli(project, *arguments: str) -> int:
    return main(["--root", str(project.root), *arguments])


def open_shards(region: str) -> dict[str, int]:
    kinesis = boto3.client("kinesis", region_name=region)
    return {
        name: kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"]
        for name in kinesis.list_streams()["StreamNames"]
    }


def test_a_shard_count_change_rolls_out_in_place(project, capsys):
    path = project.root / "parameters" / f"{ENV}.yaml"
    before = yaml.safe_load(path.read_text())["templates"][STACKSET]["ShardCount"]
    after = before * 2  # the most one UpdateShardCount allows
    assert cli(project, "bootstrap", "--env", ENV) == ExitCode.OK
    spec = yaml.safe_load((project.root / "stacksets" / f"{STACKSET}.yaml").read_text())
    first = [argument for name in (*spec["depends_on"], STACKSET) for argument in ("--stackset", name)]
    assert cli(project, "deploy", "--env", ENV, *first) == ExitCode.OK
    regions = STACKSET_REGIONS[STACKSET]
    streams = {region: open_shards(region) for region in regions}
    assert all(streams[r] and set(streams[r].values()) == {before} for r in regions), streams
    edit(path, f"ShardCount: {before}\n", f"ShardCount: {after}\n")
    assert cli(project, "render") == ExitCode.OK  # `make render deploy`: the manifest hashes the parameters
    capsys.readouterr()
    assert cli(project, "deploy", "--env", ENV, "--stackset", STACKSET) == ExitCode.OK, capsys.readouterr()
    capsys.readouterr()
    assert cli(project, "status", "--env", ENV, "--stackset", STACKSET) == ExitCode.OK
    _, *rows, _ = capsys.readouterr().out.splitlines()
    assert rows and all(row.split()[3:5] == ["CURRENT", "SUCCEEDED"] for row in rows), rows
    assert {region: open_shards(region) for region in regions} == {
        region: dict.fromkeys(streams[region], after) for region in regions
    }
