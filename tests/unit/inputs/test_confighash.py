"""ConfigHash: computed by cfnops from the resolved ConfigManifest (CloudFormation cannot
hash), passed as a parameter, compared by `make parity`."""

from __future__ import annotations

import hashlib
import json

import pytest

from cfnops.core.errors import InputError
from cfnops.drift import parity
from cfnops.drift.deployed_config import DEPLOYED, NOT_DEPLOYED, DeployedConfig
from cfnops.inputs import confighash, params
from cfnops.rollout.plan import build_desired
from tests.support.rollout import edit


def _manifest(templates, values) -> str:
    return confighash.resolve_output(templates["payments"], "ConfigManifest", values)


def test_hash_is_the_sha256_of_the_manifest_resolved_with_the_environments_values(project, templates):
    resolved = params.resolve_deployed(project, "prod", templates)
    values = resolved.plain("payments", "us-east-1")
    text = _manifest(templates, values)
    manifest = json.loads(text)
    assert (manifest["function_memory_mb"], manifest["database_instance_class"], manifest["image"]) == (
        "4096",
        "db.r6g.large",
        "payments-api:1.7.3",
    )
    assert values["ConfigHash"] == hashlib.sha256(text.encode()).hexdigest()
    assert {resolved.plain("payments", r)["ConfigHash"] for r in resolved.values["payments"]} == {values["ConfigHash"]}


def test_a_manifest_value_changes_the_hash(tmp_project, templates):
    before = params.resolve_deployed(tmp_project, "staging", templates).plain("payments", "us-east-1")["ConfigHash"]
    edit(tmp_project.parameter_path("staging"), 'ImageTag: "1.8.0"', 'ImageTag: "1.8.1"')
    after = params.resolve_deployed(tmp_project, "staging", templates).plain("payments", "us-east-1")["ConfigHash"]
    assert before != after


def test_setting_the_hash_in_a_parameter_file_is_refused_in_one_line(tmp_project, templates):
    edit(
        tmp_project.parameter_path("staging"),
        "    DbConnectionsThreshold: 100",
        "    DbConnectionsThreshold: 100\n    ConfigHash: " + "a" * 64,
    )
    with pytest.raises(InputError) as raised:
        params.resolve_deployed(tmp_project, "staging", templates)
    assert raised.value.problems == [
        "parameters/staging.yaml: templates.payments.ConfigHash: computed by cfnops "
        "(SHA-256 of output ConfigManifest): remove it from the parameter file"
    ]


def test_a_region_whose_manifest_differs_gets_its_own_hash_as_an_override(tmp_project, templates):
    path = tmp_project.parameter_path("staging")
    edit(path, "  us-west-2:\n", '  us-west-2:\n    payments:\n      ImageTag: "9.9.9"\n')
    resolved = params.resolve_deployed(tmp_project, "staging", templates)
    hashes = {r: resolved.plain("payments", r)["ConfigHash"] for r in resolved.values["payments"]}
    assert hashes["us-west-2"] != hashes["us-east-1"] == hashes["eu-west-1"]
    from cfnops.inputs import stacksets as config

    (spec,) = [s for s in config.load_project(tmp_project, "staging", templates) if s.template == "payments"]
    desired = build_desired(spec, json.dumps(templates["payments"]), resolved, "123456789012")
    assert {r: desired.effective(r)["ConfigHash"] for r in spec.regions} == hashes


def test_a_manifest_using_what_only_deploy_time_knows_is_refused(templates):
    template = {"Outputs": {"ConfigManifest": {"Value": {"Fn::Sub": '{"region":"${AWS::Region}"}'}}}}
    with pytest.raises(confighash.ManifestError, match="only parameters and literals"):
        confighash.resolve_output(template, "ConfigManifest", {})


def test_parity_explains_the_hash_as_computed(project, templates):
    differences = parity.compare(project, templates, ("dev", "staging", "prod"))
    (config_hash,) = [d for d in differences if (d.template, d.key) == ("payments", "ConfigHash")]
    assert config_hash.verdict == "computed" and config_hash.explained


def _row(environment, region, local, deployed=None, status=DEPLOYED, deployed_hash=None) -> DeployedConfig:
    text = json.dumps(deployed, separators=(",", ":"), sort_keys=True) if deployed is not None else ""
    return DeployedConfig(
        "payments",
        environment,
        region,
        "123456789012",
        confighash.sha256(json.dumps(local)),
        local,
        status,
        deployed_hash if deployed_hash is not None else (confighash.sha256(text) if text else ""),
        text,
    )


def test_deployed_report_names_the_differing_manifest_keys():
    dev = {"image": "payments-api:1.7.3", "function_memory_mb": "1024"}
    staging = {"image": "payments-api:1.8.0", "function_memory_mb": "2048"}
    rows = [
        _row("dev", "us-east-1", dev, dev),
        _row("staging", "us-east-1", {**staging, "image": "x:1"}, staging),
        _row("prod", "us-east-1", dev, status=NOT_DEPLOYED),
    ]
    text = parity.render_deployed(rows)
    assert "staging us-east-1 differs from dev us-east-1: function_memory_mb, image" in text
    assert "parameter files now differ: image" in text
    assert "2 deployed stacks, 2 distinct configurations" in text
    assert "prod    us-east-1  123456789012  not deployed" in text


def test_a_deployed_hash_that_is_not_its_manifests_is_called_out():
    dev = {"image": "payments-api:1.7.3"}
    text = parity.render_deployed([_row("dev", "us-east-1", dev, dev, deployed_hash="0" * 64)])
    assert "ConfigHash is not the SHA-256 of ConfigManifest" in text
