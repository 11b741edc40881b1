"""Out-of-band changes to Application Auto Scaling resources, with plain boto3: each takes the
resource's physical id and the template's properties and returns the property path it changed."""

from __future__ import annotations

import boto3

from tests.unit.localcloud.test_localcloud_updates import REGION


def scalable_target(physical_id: str, expected: dict) -> str:
    boto3.client("application-autoscaling", region_name=REGION).register_scalable_target(
        ServiceNamespace=expected["ServiceNamespace"],
        ResourceId=expected["ResourceId"],
        ScalableDimension=expected["ScalableDimension"],
        MaxCapacity=int(expected["MaxCapacity"]) + 5,
    )
    return "/MaxCapacity"


def scaling_policy(physical_id: str, expected: dict) -> str:
    client = boto3.client("application-autoscaling", region_name=REGION)
    [policy] = [
        p
        for p in client.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
        if p["PolicyARN"] == physical_id
    ]
    client.put_scaling_policy(
        PolicyName=policy["PolicyName"],
        ServiceNamespace=policy["ServiceNamespace"],
        ResourceId=policy["ResourceId"],
        ScalableDimension=policy["ScalableDimension"],
        PolicyType=policy["PolicyType"],
        TargetTrackingScalingPolicyConfiguration={
            **policy["TargetTrackingScalingPolicyConfiguration"],
            "TargetValue": 99.0,
        },
    )
    return "/TargetTrackingScalingPolicyConfiguration/TargetValue"


CHANGES = {
    "AWS::ApplicationAutoScaling::ScalableTarget": scalable_target,
    "AWS::ApplicationAutoScaling::ScalingPolicy": scaling_policy,
}
