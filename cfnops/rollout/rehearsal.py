"""``plan --parity``: read the template each planned StackSet's counterpart in the earlier
environment runs (the platform's order: ``Platform.earlier``) and name the plan's template
changes that environment does not run yet (cfnops/changes/rehearsal.py decides).

One DescribeStackSet per planned StackSet whose template changes, in the counterpart's
administrator region; nothing when the environment is the platform's first.
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ..awsfacts import statuses as aws_status
from ..build import render
from ..changes.rehearsal import Rehearsal, unrehearsed
from ..core.aws import error_code
from ..core.protocols import AwsFactory
from ..inputs import stacksets as config
from ..inputs.project import Project


def _deployed_template(aws: AwsFactory, spec: config.StackSetSpec) -> dict | None:
    """The template the StackSet runs, None when it does not exist."""
    client = aws.client("cloudformation", spec.administrator_region)
    try:
        stackset = client.describe_stack_set(StackSetName=spec.name)["StackSet"]
    except ClientError as error:
        if error_code(error) == "StackSetNotFoundException":
            return None
        raise
    if stackset.get("Status") == aws_status.StackSet.DELETED:
        return None
    return json.loads(stackset.get("TemplateBody") or "{}")


def _changed(plan) -> tuple[str, ...]:
    diff = plan.template_diff
    return () if diff is None else tuple(diff.added + diff.modified + diff.removed)


def compare(project: Project, aws: AwsFactory, plans, environment: str) -> Rehearsal | None:
    """What the environment before ``environment`` does not run of ``plans``' template
    changes; None when ``environment`` is the first (nothing comes before it)."""
    earlier = project.platform.earlier(environment)
    if earlier is None:
        return None
    counterparts = {s.key: s for s in config.load_project(project, earlier, render.read_generated(project))}
    notes = {}
    for plan in plans:
        changed = _changed(plan)
        if not changed:
            continue
        counterpart = counterparts.get(plan.desired.spec.key)
        template = _deployed_template(aws, counterpart) if counterpart else None
        found = unrehearsed(
            changed,
            plan.desired.template,
            earlier,
            counterpart.name if counterpart and template is not None else None,
            template,
            plan.actual.template if plan.actual.exists else None,
        )
        notes[plan.name] = tuple(found)
    return Rehearsal(earlier, notes)
