"""`destroy` of an environment end to end: what its StackSets' deletion policies will keep is
collected first (their stacks are the list of it), the StackSets are deleted (destroy.py),
then what stays is recorded beside the environment's artifacts (retained_record.py) and, on
request (dev), removed. Lines for the person running it go to ``say``, in the order they happen."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ..core.aws import translate_errors
from ..core.errors import OperationFailedError
from ..core.protocols import AwsFactory, Progress
from ..core.words import plural
from . import retained, retained_record
from .destroy import destroy_all
from .operations import Outcome, WaitSettings
from .pipeline import Prepared
from .retained import Retained

Say = Callable[[str], None]


@dataclass(frozen=True)
class Teardown:
    """What a destroy left: the StackSets it removed, what stays and where that is recorded."""

    environment: str
    stacksets: int
    kept: list[Retained]
    recorded_in: str  # "" when nothing could be recorded (no artifacts bucket)
    removed_retained: bool  # --remove-retained ran
    removable_in: tuple[str, ...] = ()  # environments where --remove-retained may run (unprotected)

    def lines(self) -> list[str]:
        """What stays, each with the command that removes it, then one summary line."""
        return [_kept_line(item) for item in self.kept] + [self.summary()]

    def summary(self) -> str:
        return (
            f"destroy: {plural(self.stacksets, 'StackSet')} of {self.environment} removed; "
            f"{plural(len(self.kept), 'retained resource')} stay in place"
            + (f" (recorded in {self.recorded_in})" if self.kept and self.recorded_in else "")
            + (
                "; a deploy of the same environment needs them gone: see above"
                + (
                    f", or for {', '.join(self.removable_in)} REMOVE_RETAINED=1 "
                    "(which finds them from the record later too)"
                    if self.removable_in
                    else ""
                )
                if self.kept and not self.removed_retained
                else ""
            )
        )


def _kept_line(item: Retained) -> str:
    return (
        f"retained: {item.stackset} {item.region} {item.account} {item.logical_id} ({item.resource_type}, "
        f"{item.policy}) {item.physical_id}\n    remove: {item.command}"
    )


@dataclass(frozen=True)
class Deleted:
    """The StackSets' deletion, done: what they kept, what the record held, how it went."""

    prepared: Prepared
    where: retained_record.Where
    recorded: list[Retained]
    collected: list[Retained]
    outcomes: list[Outcome]


def delete(
    aws: AwsFactory, prepared: Prepared, artifacts_bucket: str, progress: Progress, wait: WaitSettings
) -> Deleted:
    """What the StackSets keep (read from their stacks), then their deletion (dependents first)."""
    region = prepared.specs[0].administrator_region
    with translate_errors():
        where = retained_record.Where.of(aws, artifacts_bucket, region, prepared.environment)
        recorded = retained_record.read(aws, where)
        collected = [
            item
            for spec in prepared.specs
            for item in retained.collect(aws, spec, json.loads(prepared.texts[spec.template]))
        ]
        outcomes = destroy_all(aws, prepared.specs, progress, wait)
    return Deleted(prepared, where, recorded, collected, outcomes)


def settle(
    aws: AwsFactory, deleted: Deleted, remove_retained: bool, say: Say, removable_in: tuple[str, ...] = ()
) -> Teardown:
    """Record what stays (and with ``remove_retained``, remove it first); OperationFailedError
    when a deletion failed, after recording. The record keeps what other StackSets left."""
    names = {spec.name for spec in deleted.prepared.specs}
    where = deleted.where
    others = [item for item in deleted.recorded if item.stackset not in names]  # StackSets this run left alone
    kept = retained_record.merged(deleted.collected, [item for item in deleted.recorded if item.stackset in names])
    outcomes = deleted.outcomes
    failed = [f"{o.stackset}: {r.account}/{r.region} {r.status}: {r.reason}" for o in outcomes for r in o.failed]
    if failed or not all(o.succeeded for o in outcomes):
        _record(aws, where, others + kept, say)
        raise OperationFailedError("\n".join(failed) or "an operation did not succeed")
    if remove_retained:
        kept = _remove(aws, where, others, kept, say)
    recorded_in = _record(aws, where, others + kept, say)
    return Teardown(
        deleted.prepared.environment, len(deleted.prepared.specs), kept, recorded_in, remove_retained, removable_in
    )


def _remove(aws: AwsFactory, where: retained_record.Where, others: list, kept: list, say: Say) -> list:
    """Remove what a remover knows; what is left (no remover, or its removal failed). A failure
    is recorded with the rest before it stops the command."""
    removable, left = retained.removable(kept)
    with translate_errors():
        problems = retained.remove(aws, removable)
    left += [item for item, _ in problems]
    if problems:
        _record(aws, where, others + left, say)
        raise OperationFailedError("\n".join(line for _, line in problems))
    say(f"destroy: removed the {plural(len(removable), 'resource')} the StackSets retained")
    return left


def _record(aws: AwsFactory, where: retained_record.Where, items: list, say: Say) -> str:
    """Write the record; where it is ('' with no artifacts bucket to keep it in: said in one line)."""
    with translate_errors():
        if retained_record.write(aws, where, items):
            return str(where)
    if items:
        say(f"destroy: not recorded: no bucket {where.bucket} (run `make bootstrap ENV={where.environment}`)")
    return ""
