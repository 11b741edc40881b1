"""Every data resource has a job: in every environment and region a template goes to, each
table, bucket, stream and queue is one that some role of the templates (or the resource's own
policy, for a service that delivers to it) may read or write, as IAM would decide over the
rendered policies and permissions boundary. The exceptions name who uses them instead
(conventions.used_outside)."""

from __future__ import annotations

import pytest

from cfnops.inputs import params
from templates_src.conventions import permissions_boundary_name
from tests.conftest import PLATFORM
from tests.support.data_access import DATA_TYPES, access


@pytest.fixture(scope="module")
def boundary(templates) -> dict[str, dict]:
    """Each environment's workload boundary (which denies the other environments' names)."""
    policies = {
        r["Properties"]["ManagedPolicyName"]: r["Properties"]["PolicyDocument"]
        for r in templates[PLATFORM.bootstrap]["Resources"].values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
    }
    return {environment: policies[permissions_boundary_name(environment)] for environment in PLATFORM.environments}


def declared_outside(resource: dict) -> str:
    return str(((resource.get("Metadata") or {}).get("cfnops") or {}).get("UsedOutside", "")).strip()


def unused(project, templates, boundary) -> list[str]:
    found = []
    for environment in PLATFORM.environments:
        resolved = params.resolve_deployed(project, environment, templates)
        for name, regions in resolved.values.items():
            for region in regions:
                accessed = access(templates[name], resolved.plain(name, region), region, boundary[environment])
                for logical_id, who in accessed.items():
                    if not (who.reads or who.writes or declared_outside(templates[name]["Resources"][logical_id])):
                        found.append(f"{name} {logical_id} ({environment}, {region})")
    return found


def test_every_table_bucket_stream_and_queue_is_read_or_written(project, templates, boundary):
    assert unused(project, templates, boundary) == []


def test_the_agents_patterns_and_audit_logs_have_their_readers_and_writers(project, templates, boundary):
    resolved = params.resolve_deployed(project, "prod", templates)
    region = PLATFORM.regions[0]
    accessed = access(templates["fraud-agent"], resolved.plain("fraud-agent", region), region, boundary["prod"])
    assert accessed["PatternsTable"].reads == ("FraudPatternsToolRole",)
    assert set(accessed["AuditLogsBucket"].writes) == {"ProcessorRole", "DecisionsToolRole"}
    assert accessed["AuditLogsBucket"].reads == ()  # append-only: nobody of the platform reads or rewrites it


def test_a_resource_no_role_reaches_is_found(project, templates, boundary):
    """The check itself: without the tool that reads it, the patterns table is unused again."""
    changed = {**templates, "fraud-agent": _without_role(templates["fraud-agent"], "FraudPatternsToolRole")}
    assert [line for line in unused(project, changed, boundary) if "PatternsTable" in line] == [
        f"fraud-agent PatternsTable ({environment}, {region})"
        for environment in PLATFORM.environments
        for region in PLATFORM.regions
    ]


def test_every_used_outside_declaration_says_by_whom(templates):
    declared = {
        (name, logical_id): declared_outside(resource)
        for name, template in templates.items()
        for logical_id, resource in template["Resources"].items()
        if "UsedOutside" in ((resource.get("Metadata") or {}).get("cfnops") or {})
    }
    assert declared and all(declared.values())
    assert all(templates[name]["Resources"][logical_id]["Type"] in DATA_TYPES for name, logical_id in declared)


def _without_role(template: dict, role: str) -> dict:
    resources = {k: v for k, v in template["Resources"].items() if k != role}
    return {**template, "Resources": resources}
