"""Configuration history: which configuration each StackSet of an environment received, when
and where, from AWS's own records.

AWS keeps every StackSet operation (ListStackSetOperations: action, status, start and end)
and each one's result per account and Region (ListStackSetOperationResults). Every operation
cfnops starts is named ``cfnops-<overrides>-<state>-<random>`` (plan.py, vouch.py): the digest
of the parameter overrides it left on the instances it touched and of the StackSet's
properties (template, StackSet parameters, tags, roles…) it ran with. Read in order, those
records say what changed when: the properties, or a Region's overrides. An operation another
tool started (console, CLI) names neither: its change is unknown. Drift detections change
nothing and are left out.

The digests of the files as they are now (vouch.state_digest, Desired.region_digest) mark the
operations that left exactly the files' configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..awsfacts import statuses as aws_status
from ..core.accountview import by_account
from ..core.protocols import CloudFormationClient
from ..core.words import plural, table
from . import vouch
from .plan import OPERATION_ID, Desired

DEFAULT_LAST = 20  # operations per StackSet, newest first
HEADER = ("started (UTC)", "took", "action", "status", "where", "config", "what changed")


@dataclass(frozen=True)
class Place:
    account: str
    region: str
    status: str  # the operation's result there (StackSetOperationResultSummary.Status)


@dataclass(frozen=True)
class Entry:
    operation_id: str
    action: str
    status: str
    started: datetime
    ended: datetime | None
    places: tuple[Place, ...]
    state: str | None  # the StackSet properties' digest the operation ran with (None: not cfnops')
    overrides: str | None  # the overrides' digest it left
    changed: tuple[str, ...] = ()
    files: bool = False  # left exactly the configuration the files say now

    @property
    def by_cfnops(self) -> bool:
        return self.state is not None

    @property
    def config(self) -> str:
        return f"{self.state}/{self.overrides}" if self.by_cfnops else "not cfnops'"


@dataclass(frozen=True)
class StackSetHistory:
    name: str
    entries: tuple[Entry, ...]  # newest first
    more: bool  # older operations exist than those read
    files_state: str
    files_regions: dict[str, str]  # region -> the files' overrides digest


def read(
    client: CloudFormationClient, desired: Desired, last: int = DEFAULT_LAST, exists: bool = True
) -> StackSetHistory:
    """The StackSet's ``last`` operations other than drift detections, newest first, each with
    its results and what it changed against the operation before it. ``exists`` False (the
    plan found no StackSet): no operation, and no call."""
    name = desired.spec.name
    regions = {region: desired.region_digest(region) for region in desired.spec.regions}
    state = vouch.state_digest(desired)
    if not exists:
        return StackSetHistory(name, (), False, state, regions)
    pages = client.get_paginator("list_stack_set_operations").paginate(StackSetName=name)
    summaries = [s for page in pages for s in page.get("Summaries", [])]
    deploys = sorted(
        (s for s in summaries if s.get("Action") != aws_status.OperationAction.DETECT_DRIFT),
        key=lambda s: s["CreationTimestamp"],
    )
    chosen = deploys[-last:] if last > 0 else []
    entries = _with_changes([_entry(client, name, s) for s in chosen], first=len(chosen) == len(deploys))
    marked = [_marked(e, state, regions, desired.all_digest) for e in entries]
    return StackSetHistory(name, tuple(reversed(marked)), len(chosen) < len(deploys), state, regions)


def _entry(client: CloudFormationClient, name: str, summary: dict) -> Entry:
    pages = client.get_paginator("list_stack_set_operation_results").paginate(
        StackSetName=name, OperationId=summary["OperationId"]
    )
    places = tuple(
        Place(r.get("Account", ""), r.get("Region", ""), r.get("Status", ""))
        for page in pages
        for r in page.get("Summaries", [])
    )
    match = OPERATION_ID.match(summary["OperationId"])
    return Entry(
        summary["OperationId"],
        summary.get("Action", ""),
        summary.get("Status", ""),
        summary["CreationTimestamp"],
        summary.get("EndTimestamp"),
        places,
        (match[2] or "") if match else None,
        match[1] if match else None,
    )


def _with_changes(entries: list[Entry], first: bool) -> list[Entry]:
    """Oldest first: each entry with what it changed where it succeeded, against what the
    operations before it left there. ``first``: the oldest entry is the StackSet's first operation.

    An update that names new StackSet properties is an UpdateStackSet: it changes the
    properties, never an instance's overrides (UpdateStackSet takes none), so the overrides
    each instance had stay the ones compared with the next UpdateStackInstances."""
    state: str | None = None
    left: dict[tuple[str, str], str | None] = {}  # (account, region) -> overrides digest there
    known = first
    out = []
    for entry in entries:
        succeeded = [(p.account, p.region) for p in entry.places if p.status == aws_status.Result.SUCCEEDED]
        if not entry.by_cfnops:
            out.append(replace(entry, changed=("unknown: not started by cfnops (console or another tool)",)))
            state, known = None, False
            left.update({place: None for place in succeeded})
            continue
        if entry.action == aws_status.OperationAction.DELETE:
            out.append(
                replace(entry, changed=(f"removed {by_account(succeeded)}" if succeeded else "nothing removed",))
            )
            for place in succeeded:
                left.pop(place, None)
            continue
        properties = _settled(entry) and entry.state != state
        out.append(replace(entry, changed=_changes(entry, succeeded, left, properties, known)))
        if properties:
            state = entry.state
        for place in succeeded:
            if entry.action == aws_status.OperationAction.CREATE or not properties:
                left[place] = entry.overrides
        known = True
    return out


def _changes(entry: Entry, succeeded: list, left: dict, properties: bool, known: bool) -> tuple[str, ...]:
    if entry.action == aws_status.OperationAction.CREATE:
        return (f"created {by_account(succeeded)}",) if succeeded else ("nothing created",)
    if properties:
        return ("StackSet properties (template, parameters, tags)" if known else "StackSet properties?",)
    moved = [place for place in succeeded if left.get(place) != entry.overrides]
    if moved:
        return (f"overrides of {by_account(moved)}",)
    return ("nothing (the same configuration again)",)


def _settled(entry: Entry) -> bool:
    """The entry names the StackSet properties it ran with (not an operation started while an
    UpdateStackSet of the same deploy was still to come)."""
    return bool(entry.state) and entry.state != vouch.UNSETTLED_DIGEST


def _marked(entry: Entry, state: str, regions: dict[str, str], all_digest: str) -> Entry:
    """``files``: the operation ran with the files' StackSet properties and left the files'
    overrides in every Region it touched."""
    if not entry.by_cfnops or entry.state != state or entry.action == aws_status.OperationAction.DELETE:
        return entry
    touched = {p.region for p in entry.places}
    same = bool(touched) and all(entry.overrides in (regions.get(r), all_digest) for r in touched)
    return replace(entry, files=same)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _took(entry: Entry) -> str:
    if entry.ended is None:
        return "running"
    return f"{(entry.ended - entry.started).total_seconds():.0f}s"


def _where(entry: Entry) -> str:
    failed = [(p.account, p.region) for p in entry.places if p.status != aws_status.Result.SUCCEEDED]
    everywhere = by_account((p.account, p.region) for p in entry.places) or "-"
    return everywhere + (f" (not succeeded: {by_account(failed)})" if failed else "")


def _cells(entry: Entry) -> tuple[str, ...]:
    """One operation's row, in HEADER's order (text and Markdown)."""
    return (
        _when(entry.started),
        _took(entry),
        entry.action,
        entry.status,
        _where(entry),
        entry.config + (" *" if entry.files else ""),
        "; ".join(entry.changed),
    )


def text(environment: str, histories: list[StackSetHistory]) -> list[str]:
    """One table per StackSet, newest first."""
    lines = [
        f"history of {environment}: StackSet operations, newest first "
        "(AWS's ListStackSetOperations and ListStackSetOperationResults; drift detections left out)",
        "config: <StackSet properties>/<overrides> digests of each operation cfnops started; "
        "* = the configuration the files say now",
    ]
    for history in histories:
        lines.append("")
        if not history.entries:
            lines.append(f"{history.name}: no operation")
            continue
        lines.append(
            f"{history.name}: {plural(len(history.entries), 'operation')}"
            + (" (older ones left out)" if history.more else "")
        )
        lines += ["  " + line for line in table(HEADER, [_cells(e) for e in history.entries])]
    return lines


def markdown(environment: str, histories: list[StackSetHistory]) -> list[str]:
    """The same tables as Markdown (a pull-request comment, a change record)."""
    lines = [
        f"## Configuration history of {environment}",
        "",
        "Newest first; `*`: the configuration the files say now.",
    ]
    for history in histories:
        lines += ["", f"### {history.name}", ""]
        if not history.entries:
            lines.append("No operation.")
            continue
        lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        for e in history.entries:
            lines.append("| " + " | ".join(cell.replace("|", "\\|").replace("*", "\\*") for cell in _cells(e)) + " |")
        if history.more:
            lines += ["", "Older operations left out."]
    return lines


def as_json(environment: str, histories: list[StackSetHistory]) -> dict:
    return {
        "environment": environment,
        "stacksets": [
            {
                "name": h.name,
                "older_left_out": h.more,
                "files": {"state": h.files_state, "regions": h.files_regions},
                "operations": [
                    {
                        "operation_id": e.operation_id,
                        "action": e.action,
                        "status": e.status,
                        "started": e.started.isoformat(),
                        "ended": e.ended.isoformat() if e.ended else None,
                        "by_cfnops": e.by_cfnops,
                        "state": e.state,
                        "overrides": e.overrides,
                        "matches_files": e.files,
                        "changed": list(e.changed),
                        "results": [{"account": p.account, "region": p.region, "status": p.status} for p in e.places],
                    }
                    for e in h.entries
                ],
            }
            for h in histories
        ],
    }
