"""Speed figures for `make bench`: printed, compared with their targets, never asserted.

- render: every template from a cold process (interpreter start included), target < 1 s;
  deriving the execution role from the registry schemas and IAM's catalogue, target < 0.2 s
- lint, nothing changed: a whole `cfnops lint` process on a warm cache, target < 0.5 s
- lint, cold (.cache removed): CPU (user+sys, workers included) and wall of a whole
  `cfnops lint`, as ratios to the plain cfn-lint CLI on the same files, regions and rules
  plus one checkov run over all templates; target: CPU ratio <= 1
- `make test-fast`: the unit lane (tests not marked slow) on every core, target < 30 s
- rollout on localcloud (in-process moto), staging, three regions:
  unchanged re-deploy: 0 mutating calls and at most 2 reads per StackSet (ListStackInstances, whose
  instances vouch for the StackSet (cfnops/rollout/vouch.py), and the region outputs network-peering
  reads with DescribeStacks);
  one changed parameter: exactly one UpdateStackSet, nothing else mutated;
  1 and 20 target accounts: API calls grow with StackSets, not with instances.
- drift on localcloud: one DetectStackSetDrift per StackSet; resource-drift reads only for
  drifted instances; polls per operation and wall time.
- localcloud's permission checks (LOCALCLOUD_PERMISSIONS): the first staging deploy with
  them on and off, target: on costs at most 20 % more.
- plan of staging with nothing changed (after a deploy): wall and reads, target <= 1 s plus the
  reads; and with one parameter changed, the time the resource-change engine takes.
- waits: the first staging rollout with LOCALCLOUD_OPERATION_SECONDS=8 and 30 (polls capped at
  1.5 s as `make localcloud` sets them): the critical path, the longest chain of operations each
  sent after the one before it had ended, of the same StackSet or one it depends on (target <= 5
  operations); wall against their own time,
  target <= own time + 2 s per operation on it; DescribeStackSetOperation calls per poll
  (target 1) and results reads per operation (1).

`make bench QUICK=1` (`bench.py --quick`, what CI runs after the tests): every figure's code
path, quickly: one run each, lint on one template, one account, 1 s operations, no unit
lane and no permission on/off pair. Its figures are not comparable with the full bench's;
it is there so that a moved path or a changed API fails CI, not the next bench run.
"""

from __future__ import annotations

import io
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_platform(root: Path):
    from cfnops.inputs.platform import load

    return load(root)


QUICK = "--quick" in sys.argv[1:]
RUNS = 1 if QUICK else 5


def copy_checkout(work: Path) -> None:
    """What the tool reads of a checkout (as tests/support/rollout.py's copy_project; no lint cache)."""
    for folder in ("parameters", "generated", "stacksets"):
        shutil.copytree(ROOT / folder, work / folder)
    for file in ("pyproject.toml", "quotas.yaml", "drift-ignore.yaml"):
        shutil.copy(ROOT / file, work / file)


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
        copy_checkout(work)
        render = [python, "-m", "cfnops", "--root", str(work), "render"]
        lint = [python, "-m", "cfnops", "--root", str(work), "lint"]
        print(f"machine: {sys.platform}, python {sys.version.split()[0]}, median of {RUNS} runs\n")
        report("render all templates (cold process)", median_of(render, ROOT), 1.0)
        report("  of which: derive the execution role", derive_role_seconds(python), 0.2)
        lint_cost_figures(work, lint, runs=1 if QUICK else 3)
        if QUICK:  # the one template linted cold above
            lint = [*lint, "--template", sorted(load_platform(ROOT).registry)[0]]
        report("lint, nothing changed (whole process)", median_of(lint, ROOT), 0.5)
        template = work / "generated" / "network.json"
        template.write_text(template.read_text().replace("Platform network", "Platform network (bench edit)"))
        report("lint, one template changed", wall(lint, ROOT), None)
    if not QUICK:
        seconds = wall([python, "-m", "pytest", "-q", "-m", "not slow", "-n", "auto", "-p", "no:cacheprovider"], ROOT)
        report("make test-fast (unit lane, whole process)", seconds, 30.0)
    print("\nrollout of staging on localcloud (target: re-deploy 0 mutating, <= 2 reads per StackSet)")
    rollout_figures()
    if not QUICK:  # the rollout figures ran the same deploy with the checks on
        print("\nlocalcloud's permission checks, first staging deploy (target: on <= off + 20 %)")
        permission_figures()
    print(
        "\norganization: staging in N member accounts of its OU (target: calls grow with StackSets; wall <= 1.5x one account)"
    )
    sys.path.insert(0, str(Path(__file__).parent))
    import organization

    organization.figures(QUICK)
    print(
        "\nwaits: first staging rollout on localcloud, polls capped at 1.5 s (target: critical path <= 5 operations, "
        "wall <= their time + 2 s each, 1 call per poll)"
    )
    wait_figures()


def cost(command: list[str], cwd: Path, before=None) -> tuple[float, float]:
    """(CPU user+sys of the command and everything it waited for, wall) of one run."""
    if before:
        before()
    start, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    seconds, end = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime, seconds


def lint_cost_figures(work: Path, lint: list[str], runs: int = 3) -> None:
    """Cold `cfnops lint` against what it runs, measured by turns (the machine's load hits all
    three). cfn-lint runs with cfnops' own settings (build/lint.py), written as its config file."""
    import json

    from cfnops.build.lint import cfn_lint_settings

    bindir = Path(sys.executable).parent
    platform = load_platform(ROOT)
    names = sorted(platform.registry)[:1] if QUICK else sorted(platform.registry)
    files = [str(work / "generated" / f"{name}.json") for name in names]
    config = work / "cfnlintrc.json"  # JSON is YAML: cfn-lint reads it as a .cfnlintrc
    config.write_text(json.dumps(cfn_lint_settings(tuple(platform.regions), tuple(platform.required_tags))))
    ours = [*lint, *(a for name in names for a in ("--template", name))] if QUICK else lint
    commands = {
        "lint, cold (.cache removed)": (ours, lambda: shutil.rmtree(work / ".cache", ignore_errors=True)),
        "cfn-lint CLI, same files, regions, rules": (
            [str(bindir / "cfn-lint"), "--config-file", str(config), "--", *files],
            None,
        ),
        "checkov CLI, one run over all templates": (
            [
                str(bindir / "checkov"),
                "--framework",
                "cloudformation",
                "--skip-download",
                "--quiet",
                *(a for f in files for a in ("-f", f)),
            ],
            None,
        ),
    }
    samples = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, before) in commands.items():
            samples[name].append(cost(command, ROOT, before))
    figures = {
        name: (statistics.median(c for c, _ in runs_), statistics.median(w for _, w in runs_))
        for name, runs_ in samples.items()
    }
    for name, (cpu, seconds) in figures.items():
        print(f"{name:<44} {seconds:7.3f}s  CPU {cpu:6.2f}s")
    ours, cfn_lint, checkov = figures.values()
    ratio = ours[0] / (cfn_lint[0] + checkov[0])
    print(
        f"{'  lint cold / (cfn-lint + checkov)':<44} CPU {ratio:.2f} (target <= 1.00)  {'ok' if ratio <= 1 else 'OVER TARGET'}"
        f"  wall {ours[1] / (cfn_lint[1] + checkov[1]):.2f}; against cfn-lint alone: CPU {ours[0] / cfn_lint[0]:.2f}, "
        f"wall {ours[1] / cfn_lint[1]:.2f}"
    )


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
    runs = [
        float(subprocess.run([python, "-c", DERIVE], cwd=ROOT, check=True, capture_output=True, text=True).stdout)
        for _ in range(RUNS)
    ]
    return statistics.median(runs)


MUTATING = (
    "CreateStackSet",
    "UpdateStackSet",
    "DeleteStackSet",
    "CreateStackInstances",
    "UpdateStackInstances",
    "DeleteStackInstances",
)


def rollout_figures() -> None:
    import os
    import warnings

    os.environ["LOCALCLOUD_OPERATION_SECONDS"] = "0"
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT))
    import localcloud
    from cfnops.build import render
    from cfnops.cli.progress import PlainProgress
    from cfnops.core.aws import Aws
    from cfnops.inputs.project import Project
    from cfnops.rollout.deploy import DeployOptions
    from cfnops.rollout.operations import WaitSettings
    from cfnops.rollout.pipeline import deploy_environment

    localcloud.install()
    from moto import mock_aws

    options = DeployOptions(
        artifacts_bucket=load_platform(ROOT).artifacts_bucket, wait=WaitSettings(first_poll=0.0, max_poll=0.05)
    )
    quiet = PlainProgress(io.StringIO())

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
        print(
            f"{name:<44} {seconds:7.3f}s  mutating {sum(mutating.values()):>2} {mutating or ''}  "
            f"reads {reads} ({reads / stacksets:.1f}/StackSet)"
        )

    for accounts in (1,) if QUICK else (1, 20):
        with tempfile.TemporaryDirectory() as scratch, mock_aws():
            work = Path(scratch)
            copy_checkout(work)
            if accounts > 1:
                ids = ", ".join(f"'{100000000000 + n}'" for n in range(accounts))
                for path in (work / "stacksets").glob("*.yaml"):
                    path.write_text(path.read_text().replace("accounts: [self]", f"accounts: [{ids}]"))
            project = Project(work, load_platform(ROOT))
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
                plan_figures(project, quiet, options.wait)
                line(f"one parameter changed, {label}", *deploy(project))
                drift_figures(project, quiet, options.wait)


def bootstrapped(project, wait) -> None:
    """`make bootstrap ENV=staging`: the roles and the artifacts bucket deploy checks for."""
    from cfnops.core.aws import Aws
    from cfnops.rollout.pipeline import bootstrap_environment

    for _ in bootstrap_environment(project, "staging", lambda region: Aws(), wait, recreate=False):
        pass


def first_deploy_seconds(checks: str) -> float:
    import os
    import warnings

    from moto import mock_aws

    import localcloud
    from cfnops.build import render
    from cfnops.cli.progress import PlainProgress
    from cfnops.core.aws import Aws
    from cfnops.inputs.project import Project
    from cfnops.rollout.deploy import DeployOptions, failures
    from cfnops.rollout.operations import WaitSettings
    from cfnops.rollout.pipeline import deploy_environment
    from localcloud.cloudformation import permissions

    localcloud.install()
    permissions.forget_decisions()  # a first deploy: nothing evaluated yet
    os.environ["LOCALCLOUD_PERMISSIONS"] = checks
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as scratch, mock_aws():
        work = Path(scratch)
        copy_checkout(work)
        project = Project(work, load_platform(ROOT))
        render.write(project, render.render(project))
        options = DeployOptions(
            artifacts_bucket=load_platform(ROOT).artifacts_bucket, wait=WaitSettings(first_poll=0.0, max_poll=0.05)
        )
        bootstrapped(project, options.wait)
        started = time.perf_counter()
        rollout = deploy_environment(project, "staging", Aws(), PlainProgress(io.StringIO()), options, run_lint=False)
        seconds = time.perf_counter() - started
    if failures(rollout.results):
        raise SystemExit(f"bench: the staging deploy failed with checks {checks}: {failures(rollout.results)[0]}")
    return seconds


def permission_figures(runs: int = 3) -> None:
    figures = {checks: statistics.median(first_deploy_seconds(checks) for _ in range(runs)) for checks in ("off", "on")}
    overhead = figures["on"] / figures["off"] - 1
    report("first staging deploy, permission checks off", figures["off"], None)
    verdict = "ok" if overhead <= 0.20 else "OVER TARGET"
    print(
        f"{'first staging deploy, permission checks on':<44} {figures['on']:7.3f}s  "
        f"+{overhead * 100:.1f} % (target <= 20 %)  {verdict}"
    )


def drift_figures(project, quiet, wait) -> None:
    import boto3

    from cfnops.core.aws import Aws
    from cfnops.drift import detect as drift
    from cfnops.rollout.pipeline import prepare

    specs = prepare(project, "staging", run_lint=False).specs
    print(
        "\ndrift of staging on localcloud (target: 1 DetectStackSetDrift per StackSet, resource reads only for drifted instances)"
    )
    for label, days in (("in sync", None), ("one change in us-west-2", 7)):
        if days:
            boto3.client("logs", region_name="us-west-2").put_retention_policy(
                logGroupName="/staging/us-west-2/vpc-flow-logs", retentionInDays=days
            )
        aws = Aws()
        started = time.perf_counter()
        report = drift.detect_all(aws, specs, "staging", quiet, wait, ())
        seconds = time.perf_counter() - started
        drifted = sum(i.status == "DRIFTED" for s in report.stacksets for i in s.instances)
        polls = ", ".join(f"{s.name} {s.polls}" for s in report.stacksets)
        print(
            f"{'drift, ' + label:<44} {seconds:7.3f}s  DetectStackSetDrift {aws.calls['cloudformation:DetectStackSetDrift']} "
            f"for {len(specs)} StackSets; resource reads {aws.calls['cloudformation:ListStackInstanceResourceDrifts']} "
            f"for {drifted} drifted instance(s); polls: {polls}"
        )


def plan_figures(project, quiet, wait) -> None:
    """`make plan ENV=staging` in-process, reads counted: nothing changed (after a deploy), then
    one parameter changed in the parameter file (not deployed: the engine resolves every instance)."""
    from cfnops.build import render
    from cfnops.changes import text
    from cfnops.core.aws import Aws
    from cfnops.rollout import plan as plan_module
    from cfnops.rollout import planwriters
    from cfnops.rollout.pipeline import plan_all, prepare

    def once(label: str) -> None:
        render.write(project, render.render(project))
        aws = Aws()
        started = time.perf_counter()
        prepared = prepare(project, "staging", run_lint=False)
        offline = time.perf_counter() - started
        _, plans = plan_all(aws, prepared, quiet, wait)
        planwriters.plan_report("staging", plans, None, project.platform.protected)
        lines = [line for p in plans for g in p.resources for line in text.group_lines(g, set(p.add), False)]
        seconds = time.perf_counter() - started
        engine = engine_seconds(plans)
        reads = sum(v for k, v in aws.calls.items())
        counted = ", ".join(f"{k.split(':', 1)[1]} {v}" for k, v in sorted(aws.calls.items()))
        verdict = "ok" if seconds - offline <= 1.0 + 0.05 * reads else "OVER TARGET"
        print(
            f"{'plan, ' + label:<44} {seconds:7.3f}s  (offline checks {offline:.3f}s, resource-change engine {engine:.3f}s) "
            f"reads {reads} ({counted}); "
            f"{len(lines)} change lines  {verdict}"
        )

    def engine_seconds(plans) -> float:
        started = time.perf_counter()
        for p in plans:
            overrides = {
                (t, r): p.desired.overrides.get(r, {}) for t, r in [(i.target, i.region) for i in p.actual.instances]
            }
            plan_module.resource_changes(p.desired, p.actual, overrides)
        return time.perf_counter() - started

    once("staging, nothing changed")
    path = project.parameter_path("staging")
    original = path.read_text()
    path.write_text(original.replace("ErrorThreshold: 5", "ErrorThreshold: 7", 1))
    once("staging, one parameter changed")
    path.write_text(original)
    render.write(project, render.render(project))


def rollout_seconds(operation_seconds: float) -> dict:
    """The first staging rollout with operations of ``operation_seconds``, waited for as
    `make localcloud` sets the polls (CFNOPS_POLL_MAX_SECONDS=1.5)."""
    import os
    import warnings

    from moto import mock_aws

    import localcloud
    from cfnops.build import render
    from cfnops.cli.progress import PlainProgress
    from cfnops.core.aws import Aws
    from cfnops.inputs.project import Project
    from cfnops.inputs.stacksets import levels
    from cfnops.rollout.deploy import DeployOptions, failures
    from cfnops.rollout.operations import WaitSettings
    from cfnops.rollout.pipeline import deploy_environment

    localcloud.install()
    os.environ["LOCALCLOUD_PERMISSIONS"] = "off"
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as scratch, mock_aws():
        work = Path(scratch)
        copy_checkout(work)
        project = Project(work, load_platform(ROOT))
        render.write(project, render.render(project))
        os.environ["LOCALCLOUD_OPERATION_SECONDS"] = "0"
        bootstrapped(project, WaitSettings(first_poll=0.0, max_poll=0.05))
        os.environ["LOCALCLOUD_OPERATION_SECONDS"] = str(operation_seconds)
        options = DeployOptions(artifacts_bucket=project.platform.artifacts_bucket, wait=WaitSettings())
        aws = Aws()
        lags = operation_lags()
        started = time.perf_counter()
        try:
            rollout = deploy_environment(project, "staging", aws, PlainProgress(io.StringIO()), options, run_lint=False)
        finally:
            lags.restore()
        seconds = time.perf_counter() - started
    if failures(rollout.results):
        raise SystemExit(f"bench: the staging rollout failed: {failures(rollout.results)[0]}")
    outcomes = {r.plan.desired.spec.key: r.outcomes for r in rollout.results}
    order = levels([p.desired.spec for p in rollout.plans])
    names = {p.desired.spec.key: p.desired.spec.name for p in rollout.plans}
    needs = {p.desired.spec.name: {names[d] for d in p.desired.spec.depends_on if d in names} for p in rollout.plans}
    chain = lags.critical_path(lambda before, after: before == after or before in needs.get(after, ()))
    own = chain * operation_seconds
    polls = sum(o.polls for r in rollout.results for o in r.outcomes)
    operations = sum(len(r.outcomes) for r in rollout.results)
    return {
        "wall": seconds,
        "own": own,
        "levels": len(order),
        "chain": chain,
        "longest_stackset": max(len(o) for o in outcomes.values()),
        "operations": operations,
        "polls": polls,
        "lags": lags.seconds,
        "returned": lags.returned,
        "describe": aws.calls["cloudformation:DescribeStackSetOperation"],
        "results": aws.calls["cloudformation:ListStackSetOperationResults"],
    }


class operation_lags:  # lower case: used like a function
    """Per operation, from when it ended on localcloud (its end time, or when the call that
    started it returned if its work took longer) to when cfnops sent the poll that saw it
    ended (``seconds``: what cfnops' poll schedule decides, the 2 s target) and to when cfnops'
    wait returned (``returned``: with localcloud's answer to that poll and to
    ListStackSetOperationResults, slow in-process while other operations' stacks are being
    created on the same two cores); and when cfnops sent the call that started it (before
    localcloud's lock and work)."""

    def __init__(self):
        from cfnops.rollout import operations
        from localcloud.stacksets import engine as stacksets

        self.ended, self.issued, self.seconds, self.stackset = {}, {}, [], {}
        self.returned: list[float] = []
        self.polled: dict[str, float] = {}  # operation id -> when its latest poll was sent

        def polling(params, **_):
            self.polled[params["OperationId"]] = time.monotonic()

        self.originals = (stacksets.run, operations.Runner.wait, operations.Runner.start)
        run, wait, start = self.originals

        def timed_start(runner, stackset, action, call, **options):
            def sent():
                issued = time.monotonic()
                response = call()
                self.issued[response["OperationId"]] = issued
                self.stackset[response["OperationId"]] = stackset
                return response

            return start(runner, stackset, action, sent, **options)

        def timed_run(*arguments, **keywords):
            operation = run(*arguments, **keywords)
            self.ended[operation.id] = max(operation.ends, time.monotonic())
            return operation

        def timed_wait(runner, stackset, operation_id, action):
            runner.client.meta.events.register(
                "before-parameter-build.cloudformation.DescribeStackSetOperation", polling, unique_id="bench-polls"
            )
            outcome = wait(runner, stackset, operation_id, action)
            if operation_id in self.ended:
                # the poll that answered SUCCEEDED was sent once the operation had ended (never before)
                self.seconds.append(max(0.0, self.polled[operation_id] - self.ended[operation_id]))
                self.returned.append(time.monotonic() - self.ended[operation_id])
            return outcome

        stacksets.run, operations.Runner.wait, operations.Runner.start = timed_run, timed_wait, timed_start

    def critical_path(self, related) -> int:
        """Operations on the longest chain of the rollout: each sent after the one before it had
        ended, of the same StackSet or of one it depends on (``related(before, after)``: what
        cfnops may wait for; an unrelated operation that merely ended earlier, as happens when
        localcloud's calls queue on a loaded machine, is no link)."""
        spans = sorted((self.ended[i], self.issued[i], self.stackset[i]) for i in self.issued if i in self.ended)
        longest: list[int] = []  # per span (by end): the longest chain ending with it
        for _, issued, stackset in spans:
            before = [
                n
                for (ended, _, other), n in zip(spans[: len(longest)], longest, strict=True)
                if ended <= issued and related(other, stackset)
            ]
            longest.append(1 + max(before, default=0))
        return max(longest, default=0)

    def restore(self) -> None:
        from cfnops.rollout import operations
        from localcloud.stacksets import engine as stacksets

        stacksets.run, operations.Runner.wait, operations.Runner.start = self.originals


def wait_figures() -> None:
    for operation_seconds in (1,) if QUICK else (8, 30):
        f = rollout_seconds(operation_seconds)
        lags = f["lags"]
        verdict = "ok" if max(lags) <= 2.0 else "OVER TARGET (2 s)"
        path = "ok" if f["chain"] <= 5 else "OVER TARGET (5)"
        wall = "ok" if f["wall"] <= f["own"] + 2 * f["chain"] else "OVER TARGET"
        print(
            f"{f'first staging rollout, {operation_seconds} s operations':<44} {f['wall']:7.3f}s  critical path "
            f"{f['chain']} operations (target <= 5) {path}, their own time {f['own']:.0f}s, wall <= own + 2 s per "
            f"operation {wall} (localcloud's own work in the calls comes on top; {f['levels']} levels, longest "
            f"StackSet {f['longest_stackset']} operations); "
            f"end of an operation seen (the poll that saw it sent) {statistics.mean(lags):.2f}s mean, {max(lags):.2f}s max "
            f"after its end (target <= 2 s) {verdict}, the wait returned after {statistics.mean(f['returned']):.2f}s mean, "
            f"{max(f['returned']):.2f}s max (localcloud's in-process answers on top); "
            f"{f['operations']} operations, {f['polls']} polls, DescribeStackSetOperation per poll {f['describe'] / f['polls']:.2f}, "
            f"results reads per operation {f['results'] / f['operations']:.2f}"
        )


if __name__ == "__main__":
    main()
