"""What a real account does with our templates that no schema says (issue 20): S3 moves no
object under 128 KB unless told to (cfnops.awsfacts.s3_lifecycle)."""

from __future__ import annotations

from cfnops.awsfacts import s3_lifecycle
from tests.conftest import resources_of_type


def transitioning_buckets(templates) -> dict[str, dict]:
    """Every bucket (template/logical id) whose lifecycle moves objects to a Glacier class."""
    found = {}
    for name, template in templates.items():
        for logical_id, bucket in resources_of_type(template, "AWS::S3::Bucket").items():
            lifecycle = bucket["Properties"].get("LifecycleConfiguration") or {}
            classes = {t["StorageClass"] for rule in lifecycle.get("Rules", []) for t in rule.get("Transitions", [])}
            if classes & s3_lifecycle.TAKE_SMALL_OBJECTS:
                found[f"{name}/{logical_id}"] = lifecycle
    return found


def test_objects_under_128_kb_reach_glacier_wherever_a_bucket_moves_objects_there(templates):
    buckets = transitioning_buckets(templates)
    assert any("AccessLog" in name for name in buckets), sorted(buckets)  # the load balancers' logs among them
    assert {name: lifecycle.get("TransitionDefaultMinimumObjectSize") for name, lifecycle in buckets.items()} == {
        name: s3_lifecycle.SMALL_OBJECTS_TO_GLACIER for name in buckets
    }
