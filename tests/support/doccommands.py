"""The command blocks of the documentation, as the doc tests run them.

Every shell block (```bash, ```sh, ```console) in README.md and docs/*.md is preceded by a marker
line saying how it is tested:

- ``<!-- doc-test: run -->``: run, in order with the file's other run blocks, in a scratch copy of
  the checkout against one localcloud server (tests/e2e/test_docs_commands.py);
- ``<!-- doc-test: check -->``: only real AWS (or a whole test run) can answer it, so each command
  is checked without a call: a make line by ``make -n`` (make's own checks of ENV, STACKSET, …),
  a cfnops line by the CLI's own parser (tests/unit/test_docs_blocks.py);
- ``<!-- doc-test: aws -->``: shell around AWS CLI calls on real resources (a one-time migration):
  checked by ``bash -n`` and each ``aws <service> <operation>`` against botocore's service models;
- ``<!-- doc-test: file <path> -->`` (any language): the block is the whole content of that file,
  written into the scratch copy before the file's run blocks;
- ``<!-- doc-test: scenario <name> -->``: commands that need the edits the text around them
  describes (a new environment): the scenario's own test makes those edits in a scratch copy, then
  runs the block (``SCENARIOS``).

An unmarked shell block fails the tests, so no command in the docs goes untested."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from tests.support import docs

SHELL = frozenset({"bash", "sh", "shell", "console"})
MARKER = re.compile(r"^<!-- doc-test: (run|check|aws|file|scenario) ?(\S*) -->$")
AWS_CALL = re.compile(r"(?:^|[|;&(]\s*|\s)aws ([a-z0-9-]+) ([a-z0-9-]+)")
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")


# scenario name -> the e2e test that makes its edits and runs its blocks
SCENARIOS = {"add-environment": "tests/e2e/test_add_environment.py"}


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    kind: str | None  # run | check | file | None (unmarked)
    target: str  # the file a `file` block writes
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(docs.ROOT) if docs.ROOT in self.path.parents else self.path}:{self.line}"

    @property
    def is_shell(self) -> bool:
        return self.language in SHELL

    def aws_calls(self) -> list[tuple[str, str]]:
        """(service, operation) of each ``aws`` CLI call, as the CLI spells them."""
        return AWS_CALL.findall(self.text.replace("\\\n", " "))

    def commands(self) -> list[list[str]]:
        """Each command line as words, comments and blank lines dropped (a trailing `\\` joins lines)."""
        joined = self.text.replace("\\\n", " ")
        return [words for line in joined.splitlines() if (words := shlex.split(line, comments=True))]


def blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    number = 0
    while number < len(lines):
        fence = FENCE.match(lines[number])
        if not fence:
            number += 1
            continue
        indent, language = fence.groups()
        end = next(i for i in range(number + 1, len(lines)) if lines[i].strip() == "```")
        marker = MARKER.match(_previous_text(lines, number).strip())
        body = "\n".join(line.removeprefix(indent) for line in lines[number + 1 : end]) + "\n"
        kind, target = (marker.group(1), marker.group(2)) if marker else (None, "")
        found.append(Block(path, number + 1, language, kind, target, body))
        number = end + 1
    return found


def _previous_text(lines: list[str], number: int) -> str:
    for line in reversed(lines[:number]):
        if line.strip():
            return line
    return ""


def all_blocks(root: Path = docs.ROOT) -> list[Block]:
    return [block for path in docs.files(root) for block in blocks(path)]


def scenario_blocks(name: str, root: Path = docs.ROOT) -> list[Block]:
    return [block for block in all_blocks(root) if block.kind == "scenario" and block.target == name]
