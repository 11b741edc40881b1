"""Shared by the rollout tests: run the real rollout code on localcloud, counting calls."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from cfnops import bootstrap, deploy, params, render
from cfnops.aws import Aws
from cfnops.operations import WaitSettings
from cfnops.progress import PlainProgress
from cfnops.project import Project
from cfnops.rollout import plan_all, prepare
from templates_src.conventions import REGIONS

from .conftest import ROOT

MUTATING = ("CreateStackSet", "UpdateStackSet", "DeleteStackSet", "CreateStackInstances", "UpdateStackInstances",
            "DeleteStackInstances")
FAST = WaitSettings(timeout=60, first_poll=0.0, max_poll=0.05)


def copy_project(tmp_path: Path) -> Project:
    for folder in ("parameters", "generated", "stacksets"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return Project(tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def do_bootstrap(project: Project, environment: str = "staging") -> None:
    resolved = params.resolve(project, environment, render.read_generated(project), REGIONS)
    text = project.template_path(bootstrap.TEMPLATE).read_text()
    bootstrap.deploy_region(Aws(), "us-east-1", text, resolved.plain(bootstrap.TEMPLATE, "us-east-1"), FAST)


class Run:
    """One `deploy` as the CLI does it, with the API calls it made."""

    def __init__(self, project: Project, environment: str = "staging", prune: bool = False, only=(), wait=FAST,
                 retain: bool | None = None):
        render.write(project, render.render(project))  # `make render deploy`
        self.aws = Aws()
        progress = PlainProgress(open("/dev/null", "w"))
        prepared = prepare(project, environment, only, run_lint=False)
        self.account, self.plans = plan_all(self.aws, prepared, progress, wait)
        self.plan_calls = Counter(self.aws.calls)
        options = deploy.DeployOptions(prune=prune, retain_stacks=retain, wait=wait)
        self.results = deploy.apply_all(self.aws, self.plans, progress, options, self.account)
        self.failures = deploy.failures(self.results)

    def calls(self, operation: str) -> int:
        return self.aws.calls[f"cloudformation:{operation}"]

    @property
    def mutating(self) -> Counter:
        return Counter({op: self.calls(op) for op in MUTATING if self.calls(op)})
