"""`cfnops deploy` of an update AWS documents as failing (a KMS key's KeySpec changed on an
existing key) on localcloud: refused in dev, where stateful replacements only warn, naming
the key and the fact with its page, before any AWS call that is not a read (every call of
every client is counted, not only the StackSet operations)."""

from __future__ import annotations

import dataclasses
import warnings
from types import MappingProxyType

import localcloud
from cfnops.awsfacts import update_behaviour
from cfnops.build import render
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from cfnops.inputs.project import Project
from tests.support.rollout import Run, copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402

STACKSET = "network"
READS = ("Describe", "List", "Get", "Head")


def with_key_spec(build, logical_id: str, key_spec: str):
    def patched():
        template = build()
        template.resources[logical_id].properties["KeySpec"] = key_spec
        return template

    return patched


def a_key_of(project: Project) -> str:
    template = render.read_generated(project)[STACKSET]
    return next(lid for lid, r in template["Resources"].items() if r["Type"] == "AWS::KMS::Key")


def record_calls(monkeypatch) -> list[str]:
    """Every API call any cfnops client makes, by operation name."""
    from cfnops.core import aws as aws_module

    calls: list[str] = []
    original = aws_module.Aws.__init__

    def init(self, session=None):
        original(self, session)
        self.session.events.register("before-call", lambda model, **_: calls.append(model.name))

    monkeypatch.setattr(aws_module.Aws, "__init__", init)
    return calls


def test_a_failing_update_is_refused_in_dev_with_no_mutating_call(tmp_path, monkeypatch, capsys):
    import templates_src.platform

    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    fact = update_behaviour.documented("AWS::KMS::Key", "KeySpec")
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        project = copy_project(tmp_path)
        do_bootstrap(project, "dev")
        assert not Run(project, "dev", only=(STACKSET,)).failures
        key = a_key_of(project)
        registry = dict(project.platform.registry)
        registry[STACKSET] = with_key_spec(registry[STACKSET], key, "RSA_2048")
        patched = dataclasses.replace(project.platform, registry=MappingProxyType(registry))
        monkeypatch.setattr(templates_src.platform, "PLATFORM", patched)  # what the CLI loads
        render.write(Project(project.root, patched), render.render(Project(project.root, patched)))
        calls = record_calls(monkeypatch)
        capsys.readouterr()
        code = main(["--root", str(project.root), "deploy", "--env", "dev", "--stackset", STACKSET])
        err = capsys.readouterr().err.splitlines()
    assert code == ExitCode.INVALID_INPUT
    refused = [line for line in err if line.startswith("error: deploy refused: ")]
    assert refused and all(
        line.startswith(f"error: deploy refused: {STACKSET}/{key} (AWS::KMS::Key): update will fail in ")
        and line.endswith(f": KeySpec: {fact.reason} ({fact.page})")
        for line in refused
    ), err
    assert calls, "deploy read nothing: the counter is not wired"
    assert [name for name in calls if not name.startswith(READS)] == []
