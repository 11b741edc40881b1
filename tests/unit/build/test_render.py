"""Golden files: generated/ is exactly what templates_src/ and parameters/ render to."""

import json
import re
import subprocess
import sys

import pytest

from cfnops.build import render
from cfnops.core.errors import StaleError
from tests.conftest import ROOT


def test_generated_matches_a_fresh_render(project):
    """The golden test: a byte diff here means `make render` was not run and committed."""
    assert render.stale_files(project, render.render(project)) == []


def test_render_is_deterministic_across_processes():
    script = (
        "from pathlib import Path; from cfnops.build import render; from cfnops.inputs import platform; import hashlib, json; "
        "print(hashlib.sha256(json.dumps(render.build_templates(platform.load(Path('.'))), sort_keys=True).encode()).hexdigest())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1


def test_manifest_records_template_and_parameter_hashes(project):
    manifest = json.loads((project.generated / "manifest.json").read_text())
    for name in project.platform.registry:
        text = (project.generated / f"{name}.json").read_text()
        assert manifest["templates"][name]["sha256"] == render.sha256(text)
        assert manifest["templates"][name]["resources"] == len(json.loads(text)["Resources"])
    assert set(manifest["parameters"]) == {"dev", "staging", "prod"}
    digests = {manifest["parameters"][env]["fraud-detection"] for env in ("dev", "staging", "prod")}
    assert len(digests) == 3, "each environment resolves to different values"


def test_check_reports_an_edited_template(tmp_project):
    path = tmp_project.generated / "network.json"
    path.write_text(path.read_text().replace("Platform network", "Hand-edited network"))
    with pytest.raises(StaleError, match=re.escape("generated/network.json: differs from a fresh render")):
        render.check(tmp_project)


def test_check_reports_missing_and_extra_files(tmp_project):
    (tmp_project.generated / "fraud-detection.json").unlink()
    (tmp_project.generated / "old-template.json").write_text("{}")
    problems = render.stale_files(tmp_project, render.render(tmp_project))
    assert "generated/fraud-detection.json: missing" in problems
    assert "generated/old-template.json: no registered template renders it" in problems


def test_a_parameter_change_makes_the_manifest_stale(tmp_project):
    path = tmp_project.parameters / "staging.yaml"
    path.write_text(path.read_text().replace("ErrorThreshold: 5", "ErrorThreshold: 6"))
    problems = render.stale_files(tmp_project, render.render(tmp_project))
    assert problems == ["generated/manifest.json: differs from a fresh render"]


def test_write_only_touches_changed_files(tmp_project):
    assert render.write(tmp_project, render.render(tmp_project)) == []
    (tmp_project.generated / "network.json").write_text("{}")
    assert render.write(tmp_project, render.render(tmp_project)) == ["network.json"]
