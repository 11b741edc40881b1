"""Failures as data. Library code raises these; only cli/main.py turns them into exit codes."""

from __future__ import annotations

import re
from enum import IntEnum, unique

SHOWN_LIMIT = 120  # characters of a value an error line repeats
# values that must never reach a log: AWS access keys, private keys, tokens, JWTs
SECRET_LOOKING = re.compile(
    r"(A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}|-----BEGIN [A-Z ]*PRIVATE KEY"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|\beyJ[A-Za-z0-9_-]{10,}\.eyJ"
    r"|(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)


@unique  # two names for one code would be an alias, silently
class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # unexpected failure, AWS call or operation failed
    DIFFERENCES = 2  # drift found / plan has changes (reserved for plan and drift)
    INVALID_INPUT = 3  # a parameter file, StackSet file or command line is wrong, or does not allow what it asks
    FINDINGS = 4  # lint or policy findings
    STALE = 5  # generated/ does not match templates_src/ and parameters/
    AWS_ACCESS = 6  # no credentials, expired credentials or access denied
    NOT_BOOTSTRAPPED = 7  # deploy found no bootstrap (stack, roles, artifacts bucket): nothing was changed
    INTERRUPTED = 130  # Ctrl-C: operations already started keep running in AWS


def looks_secret(value: object) -> bool:
    return isinstance(value, str) and SECRET_LOOKING.search(value) is not None


def shown_value(value: object, quote: bool = True) -> str:
    """A value as an error line repeats it: quoted, cut to SHOWN_LIMIT characters, and never
    a value that looks like a secret."""
    if looks_secret(value):
        return "a value that looks like a secret (not shown)"
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = repr(value) if quote and isinstance(value, str) else str(value)
    if len(text) <= SHOWN_LIMIT:
        return text
    suffix = f"… ({len(str(value))} characters)"
    return text[: SHOWN_LIMIT - len(suffix)] + suffix


class CfnopsError(Exception):
    exit_code = ExitCode.ERROR


class InputError(CfnopsError):
    """One or more problems in the user's input, each a one-line message."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class RefusedError(InputError):
    """The command line does not allow what the plan would do (a stateful replacement or
    removal in staging or prod without ALLOW_REPLACE naming it): refused before any change."""


class FindingsError(CfnopsError):
    exit_code = ExitCode.FINDINGS


class StaleError(CfnopsError):
    exit_code = ExitCode.STALE


class AwsAccessError(CfnopsError):
    exit_code = ExitCode.AWS_ACCESS


class NotBootstrappedError(CfnopsError):
    """`make bootstrap` has not run (or failed) in an administrator region; deploy changed nothing."""

    exit_code = ExitCode.NOT_BOOTSTRAPPED


class OperationFailedError(CfnopsError):
    """A StackSet operation failed, timed out, or left failed instances."""

    exit_code = ExitCode.ERROR


class AwsCallError(CfnopsError):
    """An AWS call was refused, or the endpoint did not answer."""

    exit_code = ExitCode.ERROR


class Interrupted(CfnopsError):
    """Ctrl-C: nothing new was started after it; operations already running go on in AWS."""

    exit_code = ExitCode.INTERRUPTED
