"""Failures a user can cause read as one line with the documented exit code, never a
traceback: an endpoint that is not running, credentials that are missing, incomplete or
of an unknown profile, and every kind of error AWS answers with, for every command that
calls AWS."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import warnings

import botocore.exceptions
import pytest
from botocore.awsrequest import AWSResponse

import localcloud
from cfnops.cli.main import cli as cli_group
from cfnops.cli.main import main
from cfnops.core.errors import ExitCode
from tests.conftest import ROOT
from tests.support.rollout import copy_project, do_bootstrap

localcloud.install()
from moto import mock_aws  # noqa: E402

OFFLINE = {"render", "check", "lint", "validate", "parity", "platform", "approval"}
# every command that calls AWS, with the arguments that make it do so
AWS_COMMANDS = {
    "plan": ["plan", "--env", "staging", "--no-diff"],
    "deploy": ["deploy", "--env", "staging"],
    "status": ["status", "--env", "staging"],
    "history": ["history", "--env", "staging"],
    "copy-tables": ["copy-tables", "--env", "staging"],
    "bootstrap": ["bootstrap", "--env", "staging"],
    "destroy": ["destroy", "--env", "dev"],
    "drift": ["drift", "--env", "staging", "--stackset", "network", "--html-dir", "{tmp}"],
}


def test_the_lists_cover_every_command():
    assert set(cli_group.commands) == OFFLINE | set(AWS_COMMANDS)


def stopped_endpoint() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"  # closed again: nothing listens there


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="localcloud",
        AWS_SECRET_ACCESS_KEY="localcloud",
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}


def cfnops(arguments: list[str], env: dict, tmp_path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "cfnops", *[a.format(tmp=tmp_path) for a in arguments]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result, time.monotonic() - started


def without_credentials() -> dict:
    env = clean_env()
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    return env


@pytest.fixture(scope="module")
def warm_lint():
    """plan and deploy lint first: with the cache warm, the time measured is the endpoint's."""
    subprocess.run([sys.executable, "-m", "cfnops", "lint"], cwd=ROOT, capture_output=True, timeout=900)


@pytest.mark.parametrize("command", sorted(AWS_COMMANDS))
def test_a_stopped_endpoint_is_one_line_given_up_within_8_seconds(command, warm_lint, tmp_path):
    endpoint = stopped_endpoint()
    result, seconds = cfnops(AWS_COMMANDS[command], clean_env(AWS_ENDPOINT_URL=endpoint), tmp_path)
    assert result.returncode == ExitCode.ERROR, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: cannot reach {endpoint} "), result.stderr
    assert "`make localcloud`" in result.stderr
    # the same command up to its first AWS call (no credentials: it stops there), so that what is
    # compared is the time spent on the endpoint, not a loaded machine's imports and lint
    offline, offline_seconds = cfnops(AWS_COMMANDS[command], without_credentials(), tmp_path)
    assert offline.returncode == ExitCode.AWS_ACCESS, offline.stderr
    assert seconds - offline_seconds < 8, f"{command} took {seconds:.1f}s, {offline_seconds:.1f}s of it offline"


@pytest.mark.parametrize(
    "variables, expected",
    [
        (
            {"AWS_PROFILE": "nonexistent", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
            "error: The config profile (nonexistent) could not be found\n",
        ),
        (
            {"AWS_SECRET_ACCESS_KEY": ""},
            "error: incomplete AWS credentials: Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY: "
            "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE\n",
        ),
    ],
    ids=["unknown-profile", "key-without-secret"],
)
@pytest.mark.parametrize("command", ["status", "bootstrap", "drift"])
def test_credentials_a_user_got_wrong_are_one_line_and_exit_6(command, variables, expected, tmp_path):
    env = clean_env(AWS_ENDPOINT_URL=stopped_endpoint(), **variables)
    result, _ = cfnops(AWS_COMMANDS[command], env, tmp_path)
    assert (result.returncode, result.stderr) == (ExitCode.AWS_ACCESS, expected)


# ---- every error class AWS answers with, stubbed into the responses botocore parses ----

ERRORS = {  # code -> (exit code, message); StackSetNotFoundException: see the deleted StackSet below
    "ValidationError": (ExitCode.ERROR, "1 validation error detected: Value at 'operationPreferences' failed"),
    "ThrottlingException": (ExitCode.ERROR, "Rate exceeded"),
    "InternalFailure": (ExitCode.ERROR, "We encountered an internal error. Please try again."),
    "ExpiredToken": (ExitCode.AWS_ACCESS, "The security token included in the request is expired"),
    "AccessDenied": (ExitCode.AWS_ACCESS, "User is not authorized to perform this operation"),
}


class Stub:
    """Answers the ``nth`` API call of each Aws (the first is GetCallerIdentity) the way
    botocore's Stubber does: a before-call response that botocore parses and raises."""

    def __init__(
        self,
        nth: int,
        code: str | None = None,
        message: str = "",
        operation: str | None = None,
        raise_error: Exception | None = None,
    ):
        self.nth, self.code, self.message, self.operation, self.raise_error = nth, code, message, operation, raise_error
        self.seen, self.lock, self.hit = 0, threading.Lock(), None

    def __call__(self, model, **_):
        with self.lock:
            if self.operation is not None and model.name != self.operation:
                return None
            self.seen += 1
            if self.seen != self.nth:
                return None
            self.hit = model.name
        if self.raise_error is not None:
            raise self.raise_error
        status = 403 if self.code in ("ExpiredToken", "AccessDenied") else 400
        return (
            AWSResponse("https://stubbed", status, {}, None),
            {"Error": {"Code": self.code, "Message": self.message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        )


@pytest.fixture
def stubbed(tmp_path, monkeypatch):
    """A project on in-process localcloud whose Aws objects answer through ``stub``."""
    monkeypatch.setenv("LOCALCLOUD_OPERATION_SECONDS", "0")
    monkeypatch.setenv("CFNOPS_POLL_SECONDS", "0")
    from cfnops.core import aws as aws_module

    holder: dict = {}
    original = aws_module.Aws.__init__

    def init(self, session=None):
        original(self, session)
        if "stub" in holder:
            self.session.events.register_first("before-call", holder["stub"])

    monkeypatch.setattr(aws_module.Aws, "__init__", init)
    with warnings.catch_warnings(), mock_aws():
        warnings.simplefilter("ignore")
        yield copy_project(tmp_path), holder


def run_cli(project, arguments: list[str], tmp_path) -> int:
    return main(["--root", str(project.root), *[a.format(tmp=tmp_path) for a in arguments]])


@pytest.mark.parametrize("code", sorted(ERRORS))
@pytest.mark.parametrize("command", sorted(AWS_COMMANDS))
def test_every_command_turns_every_aws_error_into_one_line(command, code, stubbed, capsys, tmp_path):
    project, holder = stubbed
    exit_code, message = ERRORS[code]
    stub = holder["stub"] = Stub(2, code, message)  # the first call after the caller's identity
    assert run_cli(project, AWS_COMMANDS[command], tmp_path) == exit_code
    where = "cfnops-bootstrap in us-east-1: " if command == "bootstrap" and exit_code == ExitCode.ERROR else ""
    assert capsys.readouterr().err == f"error: {where}{stub.hit}: {code}: {message}\n"


def test_an_endpoint_that_dies_mid_rollout_is_one_line(stubbed, capsys, tmp_path):
    project, holder = stubbed
    do_bootstrap(project)
    holder["stub"] = Stub(
        1,
        operation="DescribeStackSetOperation",
        raise_error=botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:4566/"),
    )
    assert run_cli(project, ["deploy", "--env", "staging", "--stackset", "network"], tmp_path) == ExitCode.ERROR
    assert capsys.readouterr().err.splitlines()[-1:] == [
        "error: cannot reach http://127.0.0.1:4566 (EndpointConnectionError): check the network, proxy and AWS_REGION"
    ]


def test_a_stackset_deleted_during_the_rollout_is_one_line(stubbed, capsys, tmp_path):
    project, holder = stubbed
    do_bootstrap(project)
    holder["stub"] = Stub(
        1, "StackSetNotFoundException", "StackSet network-staging not found", operation="DescribeStackSetOperation"
    )
    assert run_cli(project, ["deploy", "--env", "staging", "--stackset", "network"], tmp_path) == ExitCode.ERROR
    assert capsys.readouterr().err.splitlines()[-1:] == [
        "error: DescribeStackSetOperation: StackSetNotFoundException: StackSet network-staging not found"
    ]


def test_a_bug_is_one_line_that_says_how_to_see_the_traceback(monkeypatch, capsys):
    from cfnops.build import render

    def broken(_):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(render, "check", broken)
    monkeypatch.delenv("CFNOPS_DEBUG", raising=False)
    assert main(["check"]) == ExitCode.ERROR
    assert capsys.readouterr().err == (
        "error: internal error: ZeroDivisionError: division by zero "
        "(a bug in cfnops; CFNOPS_DEBUG=1 shows the traceback)\n"
    )
