"""`make parity DEPLOYED=1` on localcloud: the hashes the stacks output, beside the local ones,
and the manifest keys that make them differ."""

from __future__ import annotations

import warnings

import pytest

import localcloud
from cfnops.build import render
from cfnops.core.aws import Aws
from cfnops.drift import parity
from cfnops.drift.deployed_config import DEPLOYED, differing_keys, read_environment
from tests.support.rollout import Run, copy_project, do_bootstrap, edit

localcloud.install()
from moto import mock_aws  # noqa: E402

pytestmark = pytest.mark.slow
ONLY = ("network", "payments")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project)
        yield project


def read(project, environment):
    return read_environment(project, Aws(), environment, render.read_generated(project))


def test_two_environments_deployed_then_one_parameter_changed_in_one_parity_names_it(project):
    for environment in ("dev", "staging"):
        assert Run(project, environment, only=ONLY).failures == []
    dev, staging = read(project, "dev"), read(project, "staging")
    assert {row.status for row in dev + staging} == {DEPLOYED} and len(dev) == len(staging) == 3
    assert all(row.hash_matches_manifest and row.deployed_hash == row.local_hash for row in dev + staging)
    before = differing_keys(dev[0].deployed_manifest, staging[0].deployed_manifest)
    assert "image" not in before and "function_memory_mb" in before  # the same release, sized per environment

    deployed_before = staging[0].deployed_manifest
    edit(
        project.parameter_path("staging"),
        "ErrorThreshold: 5\n    DurationThresholdMs: 3000",
        "ErrorThreshold: 4\n    DurationThresholdMs: 3000",
    )
    (changed, *_) = read(project, "staging")  # not deployed yet: the files differ from the stack
    assert changed.changed_locally == ["error_threshold"] and changed.deployed_hash != changed.local_hash
    assert "parameter files now differ: error_threshold" in parity.render_deployed([changed])

    assert Run(project, "staging", only=ONLY).failures == []
    rows = read(project, "dev") + read(project, "staging")
    assert all(row.hash_matches_manifest and row.deployed_hash == row.local_hash for row in rows)
    assert differing_keys(deployed_before, rows[3].deployed_manifest) == ["error_threshold"]
    assert rows[3].deployed_manifest["error_threshold"] == "4"
    after = differing_keys(rows[0].deployed_manifest, rows[3].deployed_manifest)
    text = parity.render_deployed(rows)
    assert "error_threshold" in after and f"staging us-east-1 differs from dev us-east-1: {', '.join(after)}" in text
    assert "6 deployed stacks, 2 distinct configurations" in text
    assert "differs from dev us-east-1" in text


def test_the_cli_prints_the_deployed_comparison_after_the_local_one(project, capsys):
    from cfnops.cli.main import main

    assert Run(project, "dev", only=ONLY).failures == []
    assert main(["--root", str(project.root), "parity", "--deployed"]) == 0
    out = capsys.readouterr().out
    assert out.index("differing values") < out.index("payments: deployed configuration")
    assert out.count("as the parameter files say") == 3  # dev's three regions
    assert out.count("not deployed") == 6  # staging and prod
