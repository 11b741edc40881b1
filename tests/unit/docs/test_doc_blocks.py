"""Every command block of the docs says how it is tested, and every command of a block that only
real AWS can answer is still checked: make's own argument checks (``make -n``) and the CLI's
parser, so a renamed target, variable, command or option fails here, not for the reader."""

from __future__ import annotations

import os
import subprocess

import botocore.session
import click
import pytest

from cfnops.cli.main import cli
from tests.conftest import PLATFORM
from tests.support import doccommands, docs

BLOCKS = doccommands.all_blocks()
SHELL_BLOCKS = [block for block in BLOCKS if block.is_shell]
COMMANDS = [
    pytest.param(words, id=f"{block.where}:{' '.join(words)[:60]}")
    for block in SHELL_BLOCKS
    if block.kind == "check"  # run and scenario blocks are run (tests/e2e)
    for words in block.commands()
]
CLI_PROGRAMS = ("cfnops", ".venv/bin/cfnops")
SHELL_WORDS = ("export", "cd", "git", "aws")  # the shell's own, git, and the AWS CLI (not ours to parse)


def test_every_shell_block_says_how_it_is_tested():
    unmarked = [block.where for block in SHELL_BLOCKS if block.kind is None]
    assert not unmarked, f"shell blocks without a <!-- doc-test: … --> marker: {unmarked}"


def test_file_blocks_write_inside_the_checkout():
    targets = [block.target for block in BLOCKS if block.kind == "file"]
    assert all(t and not t.startswith(("/", "..")) and ".." not in t.split("/") for t in targets), targets


def test_each_scenario_is_run_by_its_own_test():
    named = {block.target for block in BLOCKS if block.kind == "scenario"}
    assert named <= set(doccommands.SCENARIOS), named - set(doccommands.SCENARIOS)
    assert all((docs.ROOT / doccommands.SCENARIOS[name]).is_file() for name in named)


def test_the_docs_have_commands_to_check():
    assert any(block.kind == "run" for block in SHELL_BLOCKS) and any(b.kind == "check" for b in SHELL_BLOCKS)


@pytest.mark.parametrize("words", COMMANDS)
def test_each_documented_command_is_accepted_by_make_or_the_cli(words):
    program, *arguments = words
    if program == "make":
        assert_make_accepts(arguments)
    elif program in CLI_PROGRAMS:
        assert_cli_parses(arguments)
    else:
        assert program in SHELL_WORDS, f"{program}: the doc tests know make, cfnops and {SHELL_WORDS}"


def assert_make_accepts(arguments: list[str]) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MAKEFLAGS", "MFLAGS"))}
    result = subprocess.run(
        # the platform's environments as make would read them, given once instead of per call
        ["make", "-n", "--no-print-directory", f"ENVIRONMENTS={' '.join(PLATFORM.environments)}", *arguments],
        cwd=docs.ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def assert_cli_parses(arguments: list[str]) -> None:
    """Resolve each (sub)command and parse its options as click would, without invoking it."""
    command: click.Command = cli
    context = command.make_context("cfnops", list(arguments), obj=docs.ROOT)
    while isinstance(command, click.Group):
        rest = [*context._protected_args, *context.args]
        name, sub, rest = command.resolve_command(context, rest)
        assert sub is not None, f"cfnops: unknown command {name}"
        command, context = sub, sub.make_context(name or "", rest, parent=context)


AWS_BLOCKS = [pytest.param(block, id=block.where) for block in SHELL_BLOCKS if block.kind == "aws"]


@pytest.mark.parametrize("block", AWS_BLOCKS)
def test_aws_cli_blocks_are_valid_shell_calling_operations_that_exist(block):
    syntax = subprocess.run(["bash", "-n"], input=block.text, capture_output=True, text=True, timeout=30)
    assert syntax.returncode == 0, syntax.stderr
    calls = block.aws_calls()
    assert calls, "an aws block calls the AWS CLI"
    session = botocore.session.get_session()
    for service, operation in calls:
        model = session.get_service_model(CLI_SERVICES.get(service, service))
        assert cli_name_to_operation(operation) in model.operation_names, (service, operation)


CLI_SERVICES = {"s3api": "s3"}  # the AWS CLI's names where they differ from botocore's


def cli_name_to_operation(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))
