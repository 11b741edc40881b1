"""Speed figures for `make bench`: printed, compared with their targets, never asserted.

- render: every template from a cold process (interpreter start included), target < 1 s;
  deriving the execution role from the registry schemas and IAM's catalogue, target < 0.2 s
- lint, nothing changed: a whole `cfnops lint` process on a warm cache, target < 0.5 s
- lint, cold (.cache removed): CPU (user+sys, workers included) and wall of a whole
  `cfnops lint`, as ratios to the plain cfn-lint CLI on the same files, regions and rules
  plus one checkov run over all templates; target: CPU ratio <= 1
- `make test-fast`: the unit lane (tests not marked slow) on every core, target < 30 s
- rollout on localcloud (in-process moto), staging, three regions:
  unchanged re-deploy: 0 mutating calls and at most 3 reads per StackSet;
  one changed parameter: exactly one UpdateStackSet, nothing else mutated;
  1 and 20 target accounts: API calls grow with StackSets, not with instances.
- drift on localcloud: one DetectStackSetDrift per StackSet; resource-drift reads only for
  drifted instances; polls per operation and wall time.
- localcloud's permission checks (LOCALCLOUD_PERMISSIONS): the first staging deploy with
  them on and off, target: on costs at most 20 % more.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def wall(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def median_of(command: list[str], cwd: Path, runs: int = RUNS) -> float:
    return statistics.median(wall(command, cwd) for _ in range(runs))


def report(name: str, seconds: float, target: float | None) -> None:
    verdict = "" if target is None else ("  ok" if seconds < target else f"  OVER TARGET ({target:.2f}s)")
    goal = "" if target is None else f"  target < {target:.2f}s"
    print(f"{name:<44} {seconds:7.3f}s{goal}{verdict}")


def main() -> None:
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for folder in ("parameters", "generated", "stacksets"):
            shutil.copytree(ROOT / folder, work / folder)
        render = [python, "-m", "cfnops", "--root", str(work), "render"]
        lint = [python, "-m", "cfnops", "--root", str(work), "lint"]
        print(f"machine: {sys.platform}, python {sys.version.split()[0]}, median of {RUNS} runs\n")
        report("render all templates (cold process)", median_of(render, ROOT), 1.0)
        report("  of which: derive the execution role", derive_role_seconds(python), 0.2)
        lint_cost_figures(work, lint)
        report("lint, nothing changed (whole process)", median_of(lint, ROOT), 0.5)
        template = work / "generated" / "network.json"
        template.write_text(template.read_text().replace("Platform network", "Platform network (bench edit)"))
        report("lint, one template changed", wall(lint, ROOT), None)
    seconds = wall([python, "-m", "pytest", "-q", "-m", "not slow", "-n", "auto", "-p", "no:cacheprovider"], ROOT)
    report("make test-fast (unit lane, whole process)", seconds, 30.0)
    print("\nrollout of staging on localcloud (target: re-deploy 0 mutating, <= 3 reads per StackSet)")
    rollout_figures()
    print("\nlocalcloud's permission checks, first staging deploy (target: on <= off + 20 %)")
    permission_figures()


def cost(command: list[str], cwd: Path, before=None) -> tuple[float, float]:
    """(CPU user+sys of the command and everything it waited for, wall) of one run."""
    if before:
        before()
    start, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    seconds, end = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime, seconds


def lint_cost_figures(work: Path, lint: list[str], runs: int = 3) -> None:
    """Cold `cfnops lint` against what it runs, measured by turns (the machine's load hits all three)."""
    bindir = Path(sys.executable).parent
    files = sorted(str(p) for p in (work / "generated").glob("*.json") if p.name != "manifest.json")
    sys.path.insert(0, str(ROOT))
    from templates_src.conventions import REGIONS

    commands = {
        "lint, cold (.cache removed)": (lint, lambda: shutil.rmtree(work / ".cache", ignore_errors=True)),
        "cfn-lint CLI, same files, regions, rules": ([str(bindir / "cfn-lint"), "--regions", *REGIONS, "--include-checks",
                                                      "I", "--append-rules", str(ROOT / "cfnops" / "rules"), "--", *files], None),
        "checkov CLI, one run over all templates": ([str(bindir / "checkov"), "--framework", "cloudformation",
                                                     "--skip-download", "--quiet", *(a for f in files for a in ("-f", f))], None),
    }
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, before) in commands.items():
            samples[name].append(cost(command, ROOT, before))
    figures = {name: (statistics.median(c for c, _ in runs_), statistics.median(w for _, w in runs_))
               for name, runs_ in samples.items()}
    for name, (cpu, seconds) in figures.items():
        print(f"{name:<44} {seconds:7.3f}s  CPU {cpu:6.2f}s")
    ours, cfn_lint, checkov = figures.values()
    ratio = ours[0] / (cfn_lint[0] + checkov[0])
    print(f"{'  lint cold / (cfn-lint + checkov)':<44} CPU {ratio:.2f} (target <= 1.00)  {'ok' if ratio <= 1 else 'OVER TARGET'}"
          f"  wall {ours[1] / (cfn_lint[1] + checkov[1]):.2f}; against cfn-lint alone: CPU {ours[0] / cfn_lint[0]:.2f}, "
          f"wall {ours[1] / cfn_lint[1]:.2f}")


DERIVE = """
import time
from templates_src import WORKLOADS, execution_policy
templates = {name: build().to_dict() for name, build in WORKLOADS.items()}
started = time.perf_counter()
execution_policy.execution_permissions(templates)
print(time.perf_counter() - started)
"""


def derive_role_seconds(python: str) -> float:
    """Schemas and IAM catalogue read from disk in a fresh process, as in a cold render."""
    runs = [float(subprocess.run([python, "-c", DERIVE], cwd=ROOT, check=True, capture_output=True, text=True).stdout)
            for _ in range(RUNS)]
    return statistics.median(runs)


MUTATING = ("CreateStackSet", "UpdateStackSet", "DeleteStackSet", "CreateStackInstances", "UpdateStackInstances",
            "DeleteStackInstances")


def rollout_figures() -> None:
    import os
    import warnings

    os.environ["LOCALCLOUD_OPERATION_SECONDS"] = "0"
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT))
    from cfnops import localcloud, render
    from cfnops.aws import Aws
    from cfnops.deploy import DeployOptions
    from cfnops.operations import WaitSettings
    from cfnops.progress import PlainProgress
    from cfnops.project import Project
    from cfnops.rollout import deploy_environment

    localcloud.install()
    from moto import mock_aws

    options = DeployOptions(wait=WaitSettings(first_poll=0.0, max_poll=0.05))
    quiet = PlainProgress(open(os.devnull, "w"))

    def deploy(project: Project, only=()) -> tuple[dict, int, float]:
        render.write(project, render.render(project))
        aws = Aws()
        started = time.perf_counter()
        rollout = deploy_environment(project, "staging", aws, quiet, options, only, run_lint=False)
        calls = {k.split(":", 1)[1]: v for k, v in aws.calls.items() if k.startswith("cloudformation:")}
        return calls, len(rollout.plans), time.perf_counter() - started

    def line(name: str, calls: dict, stacksets: int, seconds: float) -> None:
        mutating = {k: v for k, v in calls.items() if k in MUTATING}
        reads = sum(v for k, v in calls.items() if k not in MUTATING)
        print(f"{name:<44} {seconds:7.3f}s  mutating {sum(mutating.values()):>2} {mutating or ''}  "
              f"reads {reads} ({reads / stacksets:.1f}/StackSet)")

    for accounts in (1, 20):
        with tempfile.TemporaryDirectory() as scratch, mock_aws():
            work = Path(scratch)
            for folder in ("parameters", "generated", "stacksets"):
                shutil.copytree(ROOT / folder, work / folder)
            if accounts > 1:
                ids = ", ".join(f"'{100000000000 + n}'" for n in range(accounts))
                for path in (work / "stacksets").glob("*.yaml"):
                    path.write_text(path.read_text().replace("accounts: [self]", f"accounts: [{ids}]"))
            project = Project(work)
            bootstrapped(project, options.wait)
            # only the caller's account holds an execution role: the others run unchecked
            os.environ["LOCALCLOUD_PERMISSIONS"] = "on" if accounts == 1 else "off"
            # a certificate belongs to one account: with 20, only the StackSets whose parameters name none
            only = () if accounts == 1 else ("network", "data-pipeline", "payments", "fraud-agent")
            label = f"{accounts} account(s) x 3 regions" + ("" if accounts == 1 else f", {len(only)} StackSets")
            line(f"first deploy, {label}", *deploy(project, only))
            line(f"unchanged re-deploy, {label}", *deploy(project, only))
            if accounts == 1:
                path = project.parameter_path("staging")
                path.write_text(path.read_text().replace("ErrorThreshold: 5", "ErrorThreshold: 6", 1))
                line(f"one parameter changed, {label}", *deploy(project))
                drift_figures(project, quiet, options.wait)


def bootstrapped(project, wait) -> None:
    """`make bootstrap ENV=staging`: the roles and the artifacts bucket deploy checks for."""
    from cfnops import bootstrap, params, render
    from cfnops.aws import Aws

    resolved = params.resolve_deployed(project, "staging", render.read_generated(project))
    text = project.template_path(bootstrap.TEMPLATE).read_text()
    values = resolved.plain(bootstrap.TEMPLATE, "us-east-1")
    bootstrap.deploy_region(Aws(), bootstrap.Request("us-east-1", text, values, wait, "staging"))


def first_deploy_seconds(checks: str) -> float:
    import os

    import warnings

    from moto import mock_aws

    from cfnops import render
    from cfnops.aws import Aws
    from cfnops.deploy import DeployOptions, failures
    from cfnops.operations import WaitSettings
    from cfnops.progress import PlainProgress
    from cfnops.project import Project
    from cfnops.rollout import deploy_environment

    from cfnops import localcloud
    from cfnops.localcloud import permissions

    localcloud.install()
    permissions.forget_decisions()  # a first deploy: nothing evaluated yet
    os.environ["LOCALCLOUD_PERMISSIONS"] = checks
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as scratch, mock_aws():
        work = Path(scratch)
        for folder in ("parameters", "generated", "stacksets"):
            shutil.copytree(ROOT / folder, work / folder)
        project = Project(work)
        render.write(project, render.render(project))
        options = DeployOptions(wait=WaitSettings(first_poll=0.0, max_poll=0.05))
        bootstrapped(project, options.wait)
        started = time.perf_counter()
        rollout = deploy_environment(project, "staging", Aws(), PlainProgress(open(os.devnull, "w")), options, run_lint=False)
        seconds = time.perf_counter() - started
    if failures(rollout.results):
        raise SystemExit(f"bench: the staging deploy failed with checks {checks}: {failures(rollout.results)[0]}")
    return seconds


def permission_figures(runs: int = 3) -> None:
    figures = {checks: statistics.median(first_deploy_seconds(checks) for _ in range(runs)) for checks in ("off", "on")}
    overhead = figures["on"] / figures["off"] - 1
    report("first staging deploy, permission checks off", figures["off"], None)
    verdict = "ok" if overhead <= 0.20 else "OVER TARGET"
    print(f"{'first staging deploy, permission checks on':<44} {figures['on']:7.3f}s  "
          f"+{overhead * 100:.1f} % (target <= 20 %)  {verdict}")


def drift_figures(project, quiet, wait) -> None:
    import boto3

    from cfnops import drift
    from cfnops.aws import Aws
    from cfnops.rollout import prepare

    specs = prepare(project, "staging", run_lint=False).specs
    print("\ndrift of staging on localcloud (target: 1 DetectStackSetDrift per StackSet, resource reads only for drifted instances)")
    for label, days in (("in sync", None), ("one change in us-west-2", 7)):
        if days:
            boto3.client("logs", region_name="us-west-2").put_retention_policy(
                logGroupName="/staging/us-west-2/vpc-flow-logs", retentionInDays=days)
        aws = Aws()
        started = time.perf_counter()
        report = drift.detect_all(aws, specs, "staging", quiet, wait, ())
        seconds = time.perf_counter() - started
        drifted = sum(i.status == "DRIFTED" for s in report.stacksets for i in s.instances)
        polls = ", ".join(f"{s.name} {s.polls}" for s in report.stacksets)
        print(f"{'drift, ' + label:<44} {seconds:7.3f}s  DetectStackSetDrift {aws.calls['cloudformation:DetectStackSetDrift']} "
              f"for {len(specs)} StackSets; resource reads {aws.calls['cloudformation:ListStackInstanceResourceDrifts']} "
              f"for {drifted} drifted instance(s); polls: {polls}")


if __name__ == "__main__":
    main()
