"""What a real account does with our templates that no schema says (issue 20): S3 moves no
object under 128 KB unless told to (cfnops.awsfacts.s3_lifecycle)."""

from __future__ import annotations

import yaml

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


def test_every_load_balancer_is_protected_from_deletion_in_prod_and_follows_its_parameter(project, templates):
    """PCI DSS 3.2.1's ELB_DELETION_PROTECTION_ENABLED, in prod; dev and staging can be destroyed."""
    from cfnops.inputs import params
    from templates_src.components.compute import DELETION_PROTECTION

    with_balancers = {
        name: balancers
        for name, template in templates.items()
        if (balancers := resources_of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer"))
    }
    assert with_balancers
    for name, balancers in with_balancers.items():
        for balancer in balancers.values():
            attributes = {a["Key"]: a["Value"] for a in balancer["Properties"]["LoadBalancerAttributes"]}
            assert attributes["deletion_protection.enabled"] == {"Ref": DELETION_PROTECTION}, name
    for environment, expected in (("prod", "true"), ("staging", "false"), ("dev", "false")):
        resolved = params.resolve_deployed(project, environment, templates)
        for name in with_balancers:
            regions = yaml.safe_load((project.root / "stacksets" / f"{name}.yaml").read_text())["regions"]
            for region in regions:
                values = resolved.plain(name, region)
                assert values.get(DELETION_PROTECTION, "true") == expected, (environment, name, region)
