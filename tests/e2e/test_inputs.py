"""Inputs that cannot hurt: every class of broken input is refused with one line and the
documented exit code before any AWS call. The calls are counted by an HTTP proxy in front
of a real localcloud server (not a mock): a refusal must leave the counter at zero."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cfnops.cli.main import main
from cfnops.core.errors import ExitCode, InputError
from cfnops.inputs import params
from tests.conftest import PLATFORM, ROOT
from tests.support.rollout import copy_project
from tests.support.server import localcloud_server

S = "parameters/staging.yaml"


class CountingProxy(http.server.ThreadingHTTPServer):
    """Forwards every request to localcloud and counts it."""

    def __init__(self, upstream: str):
        self.upstream, self.count, self.lock = upstream, 0, threading.Lock()
        super().__init__(("127.0.0.1", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Forward(http.server.BaseHTTPRequestHandler):
    def _forward(self) -> None:
        with self.server.lock:
            self.server.count += 1
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = urllib.request.Request(
            self.server.upstream + self.path,
            data=body or None,
            method=self.command,
            headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, headers, payload = response.status, response.getheaders(), response.read()
        except urllib.error.HTTPError as error:
            status, headers, payload = error.code, error.headers.items(), error.read()
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward

    def log_message(self, *_):
        pass


@pytest.fixture(scope="module")
def proxy():
    with tempfile.TemporaryDirectory() as scratch, localcloud_server(Path(scratch) / "localcloud.env") as exports:
        counting = CountingProxy(exports["AWS_ENDPOINT_URL"])
        threading.Thread(target=counting.serve_forever, daemon=True).start()
        subprocess.run(
            [sys.executable, "-m", "cfnops", "lint"], cwd=ROOT, capture_output=True, timeout=900
        )  # warm cache
        try:
            yield counting, exports
        finally:
            counting.shutdown()


@pytest.fixture
def broken(tmp_path, proxy, monkeypatch):
    """A project copy to break, and a function that runs the CLI on it through the proxy."""
    counting, exports = proxy
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in {**exports, "AWS_ENDPOINT_URL": counting.url}.items():
        monkeypatch.setenv(key, value)
    project = copy_project(tmp_path / "project")

    def run(capsys, *arguments: str) -> tuple[int, list[str], int]:
        before = counting.count
        code = main(["--root", str(project.root), *arguments])
        return code, capsys.readouterr().err.splitlines(), counting.count - before

    return project, run


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_the_counter_counts(broken, capsys):
    """The proxy sees the calls a valid command makes (so zero below means zero)."""
    _project, run = broken
    code, _, calls = run(capsys, "status", "--env", "staging")
    assert code == ExitCode.OK and calls >= 2


P = "parameters/staging.yaml"
N = "stacksets/network.yaml"
CASES = {
    "duplicate-key-parameters": (
        P,
        "    TaskCpu: 1024\n",
        "    TaskCpu: 1024\n    TaskCpu: 2048\n",
        f"error: {P}:12:5: key 'TaskCpu' appears twice (first on line 11); YAML would keep only the last",
    ),
    "duplicate-key-stackset": (
        N,
        "managed_execution: true\n",
        "managed_execution: true\nmanaged_execution: false\n",
        f"error: {N}:12:1: key 'managed_execution' appears twice (first on line 11); YAML would keep only the last",
    ),
    "alias-bomb": (
        N,
        "description: Platform network (VPC, subnet tiers, NAT, flow logs)\n",
        "x0: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(
            f"x{i}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}]\n"
            for i in range(1, 9)
        )
        + "description: *i\n",
        f"error: {N}:4:9: alias *a: aliases are not allowed (write the value out)",
    ),
    "deep-nesting": (
        P,
        "  CostCenter: CC-1002\n",
        "  CostCenter: " + "[" * 50_000 + "]" * 50_000 + "\n",
        f"error: {P}:4:45: nested more than 32 levels deep",
    ),
    "huge-file": (
        P,
        "  CostCenter: CC-1002\n",
        "  CostCenter: CC-1002\n  Huge: " + "x" * 10_000_000 + "\n",
        f"error: {P}: larger than 256 KB; expected a small YAML file",
    ),
    "nan-number": (
        P,
        "    ErrorThreshold: 5\n    LatencyThresholdMs: 3000\n",
        "    ErrorThreshold: .nan\n    LatencyThresholdMs: 3000\n",
        f"error: {P}: templates.fraud-detection.ErrorThreshold: expected a finite number, got nan",
    ),
    "nan-string": (
        P,
        "    ErrorThreshold: 5\n    LatencyThresholdMs: 3000\n",
        '    ErrorThreshold: "NaN"\n    LatencyThresholdMs: 3000\n',
        f"error: {P}: templates.fraud-detection.ErrorThreshold: expected a finite number, got 'NaN'",
    ),
    "infinity": (
        P,
        "    ErrorThreshold: 5\n    LatencyThresholdMs: 3000\n",
        "    ErrorThreshold: .inf\n    LatencyThresholdMs: 3000\n",
        f"error: {P}: templates.fraud-detection.ErrorThreshold: expected a finite number, got inf",
    ),
    "unquoted-string": (
        P,
        '    ImageTag: "1.8.0"\n',
        "    ImageTag: 1.10\n",
        f"error: {P}: templates.payments.ImageTag: expected a string for type String: quote it (YAML read a number), got 1.1",
    ),
    "yes-is-not-a-boolean": (
        "stacksets/network.yaml",
        "managed_execution: true",
        "managed_execution: yes",
        f"error: {N}: managed_execution: expected true or false, got 'yes'",
    ),
    "long-value-cut": (
        P,
        "    AlertEmail: fraud-platform-staging@example.com\n    ErrorThreshold: 5\n    LatencyThresholdMs: 3000\n",
        "    AlertEmail: " + "a" * 5000 + "\n    ErrorThreshold: 5\n    LatencyThresholdMs: 3000\n",
        f"error: {P}: templates.fraud-detection.AlertEmail: expected a value matching "
        "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$, got '" + "a" * 100 + "… (5000 characters)",
    ),
    "secret-looking-value": (
        P,
        "    AlertEmail: fraud-platform-staging@example.com\n    ErrorThreshold: 5\n    LatencyThresholdMs: 3000\n",
        "    AlertEmail: AKIAIOSFODNN7EXAMPLE\n    ErrorThreshold: 5\n    LatencyThresholdMs: 3000\n",
        f"error: {P}: templates.fraud-detection.AlertEmail: expected a value matching "
        "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$, got a value that looks like a secret (not shown)",
    ),
    "count-and-percentage": (
        "stacksets/fraud-detection.yaml",
        "operation_preferences:\n",
        "operation_preferences:\n  staging: {failure_tolerance_count: 1, failure_tolerance_percentage: 10}\n",
        "error: stacksets/fraud-detection.yaml: operation_preferences.staging: failure_tolerance_count and "
        "failure_tolerance_percentage exclude each other: set one",
    ),
    "tag-value-emoji": (
        N,
        "  Team: platform\n",
        "  Team: platform \U0001f680\n",
        f"error: {N}: tags.Team: expected a tag value of letters, digits, spaces and _ . : / = + - @ only "
        "(^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$), got 'platform \U0001f680'",
    ),
    "tag-key-reserved": (
        N,
        "  Team: platform\n",
        "  Team: platform\n  aws:owner: me\n",
        f"error: {N}: tags.aws:owner: expected a tag key matching ^(?!aws:.*)[a-zA-Z0-9\\s\\:\\_\\.\\/\\=\\+\\-]+$ "
        "(no aws: prefix), got 'aws:owner'",
    ),
    "organization-layout": (
        "organization.yaml",
        "layout: single-account",
        "layout: multi-account",
        "error: organization.yaml: layout: unknown layout (did you mean single-account?): expected one of single-account, organization, "
        "got 'multi-account'",
    ),
    "broken-file-no-cascade": (
        N,
        "template: network\n",
        "template: netwrok\n",
        f"error: {N}: template: unknown template (did you mean network?): expected one of "
        + ", ".join(PLATFORM.registry),
    ),
}


def _operation_preferences_present(project) -> None:
    path = project.root / "stacksets" / "fraud-detection.yaml"
    if "operation_preferences:" not in path.read_text():
        path.write_text(path.read_text() + "operation_preferences:\n")


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_broken_input_is_one_line_exit_3_and_no_aws_call(case, broken, capsys):
    project, run = broken
    file, old, new, expected = CASES[case]
    if case == "count-and-percentage":
        _operation_preferences_present(project)
    edit(project.root / file, old, new)
    code, errors, calls = run(capsys, "deploy", "--env", "staging")
    assert (code, errors, calls) == (ExitCode.INVALID_INPUT, [expected], 0), errors


def _directory(project) -> str:
    path = project.parameter_path("staging")
    path.unlink()
    path.mkdir()
    return f"error: {S}: expected a YAML file, got a directory"


def _symlink_loop(project) -> str:
    path = project.parameter_path("staging")
    path.unlink()
    path.symlink_to(path)
    return (
        f"error: {S}: cannot be opened: Symlink loop from '{path}'"
        if sys.version_info < (3, 13)
        else f"error: {S}: cannot be opened: Too many levels of symbolic links"
    )  # Python's own words for ELOOP


def _symlink_out(project) -> str:
    outside = project.root.parent / "outside.yaml"
    outside.write_text(project.parameter_path("staging").read_text())
    path = project.parameter_path("staging")
    path.unlink()
    path.symlink_to(outside)
    return (
        f"error: {S}: a symlink that leads out of {project.root.resolve()} (to {outside.resolve()}); "
        "copy the file in instead"
    )


def _two_stacksets_one_template(project) -> str:
    network = project.root / "stacksets" / "network.yaml"
    (project.root / "stacksets" / "network-copy.yaml").write_text(network.read_text())
    return (
        "error: stacksets/network-copy.yaml: template: network is already deployed to us-east-1, us-west-2, eu-west-1 "
        "by stacksets/network.yaml: one StackSet per template, environment and region"
    )


@pytest.mark.parametrize(
    "breaker",
    [_directory, _symlink_loop, _symlink_out, _two_stacksets_one_template],
    ids=lambda f: f.__name__.strip("_"),
)
def test_files_that_are_not_plain_project_files_are_one_line_and_no_aws_call(breaker, broken, capsys):
    project, run = broken
    expected = breaker(project)
    code, errors, calls = run(capsys, "deploy", "--env", "staging")
    assert (code, errors, calls) == (ExitCode.INVALID_INPUT, [expected], 0), errors


def test_an_override_for_a_region_not_deployed_to_is_refused(broken, capsys):
    project, run = broken
    edit(
        project.root / "stacksets" / "fraud-detection.yaml",
        "regions: [us-east-1, us-west-2, eu-west-1]",
        "regions: [eu-west-1]",
    )
    code, errors, calls = run(capsys, "validate", "--env", "staging")
    assert (code, calls) == (ExitCode.INVALID_INPUT, 0)
    assert errors == [
        f"error: {S}: regions.{region}.fraud-detection: template fraud-detection is not deployed to {region} "
        "(its StackSets deploy to eu-west-1): remove the override, it would be ignored"
        for region in ("us-east-1", "us-west-2")
    ]


def test_garbage_in_a_generated_template_is_stale_not_a_traceback(broken, capsys):
    project, run = broken
    project.template_path("network").write_text("{not json")
    code, errors, calls = run(capsys, "validate", "--env", "staging")
    assert (code, errors, calls) == (
        ExitCode.STALE,
        ["error: generated/network.json: not a rendered template (line 1); run `make render`"],
        0,
    )


def test_drift_ignore_file_is_read_by_the_same_reader(broken, capsys):
    project, run = broken
    (project.root / "drift-ignore.yaml").write_text(
        "- &r {resource_type: AWS::Logs::LogGroup, property_path: /x, reason: y}\n- *r\n"
    )
    code, errors, calls = run(capsys, "drift", "--env", "staging", "--html-dir", str(project.root / "reports"))
    assert (code, errors, calls) == (
        ExitCode.INVALID_INPUT,
        ["error: drift-ignore.yaml:2:3: alias *r: aliases are not allowed (write the value out)"],
        0,
    )


def test_a_noecho_value_is_never_repeated(project, templates):
    """No template declares NoEcho today: one that did would never see its value in a log."""
    changed = {name: {**body, "Parameters": dict(body["Parameters"])} for name, body in templates.items()}
    changed["fraud-detection"]["Parameters"]["AlertEmail"] = {
        **changed["fraud-detection"]["Parameters"]["AlertEmail"],
        "NoEcho": True,
    }
    regions = {name: ("us-east-1", "us-west-2", "eu-west-1") for name in templates}
    regions["loan-processing"] = ("eu-west-1",)
    real = project.parameter_path("staging").read_text()
    assert "fraud-platform-staging@example.com" in real
    import shutil

    scratch = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "parameters", scratch / "parameters")
    (scratch / "parameters" / "staging.yaml").write_text(
        real.replace("AlertEmail: fraud-platform-staging@example.com", "AlertEmail: not-an-address-but-a-secret", 1)
    )
    from cfnops.inputs.project import Project

    with pytest.raises(InputError) as raised:
        params.resolve(Project(scratch, PLATFORM), "staging", changed, regions)
    assert raised.value.problems == [
        f"{S}: templates.fraud-detection.AlertEmail: expected a value matching "
        "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$, got a value that is not shown (NoEcho)"
    ]
    shutil.rmtree(scratch)
