"""AWS::ApplicationAutoScaling::ScalableTarget and ::ScalingPolicy on localcloud: real moto
resources (describe-scalable-targets, register-scalable-target, put-scaling-policy and drift see
them), not placeholders; moto's RegisterScalableTarget refuses an ECS service that does not
exist, as AWS does.

- A scalable target's physical id (Ref) is its primary identifier, the registry schema's
  ResourceId, ScalableDimension and ServiceNamespace, joined with ``|`` as CloudFormation joins a
  compound identifier (``service/<cluster>/<service>|ecs:service:DesiredCount|ecs``); an update
  registers it again (RegisterScalableTarget updates a registered target), deletion deregisters it.
- A scaling policy's physical id (Ref) is its ARN; ScalingTargetId (a target's Ref) names its
  target; an update puts it again under the same ARN (PutScalingPolicy updates a policy of that
  name), deletion deletes it. PutScalingPolicy of an existing policy keeps its ARN, as on AWS (moto
  gave it a new one, so a policy changed by hand looked deleted). moto does not model Application Auto Scaling's tags
  (TagResource), so a target's Tags are not compared offline.
"""

from __future__ import annotations

from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    FakeApplicationAutoscalingPolicy,
    applicationautoscaling_backends,
)

from ..cloudformation.patches import Placeholder, PutBacked, add_model
from ..core.registry import document, patch, replace, unwrapped

SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
SCALING_POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"


def _backend(account: str, region: str):
    return applicationautoscaling_backends[account][region]


def target_id(properties: dict) -> str:
    return "|".join(str(properties.get(k, "")) for k in ("ResourceId", "ScalableDimension", "ServiceNamespace"))


def _number(properties: dict, key: str) -> int | None:
    return int(properties[key]) if properties.get(key) is not None else None


def _register(name: str, properties: dict, account: str, region: str) -> None:
    _backend(account, region).register_scalable_target(
        properties["ServiceNamespace"],
        properties["ResourceId"],
        properties["ScalableDimension"],
        _number(properties, "MinCapacity"),
        _number(properties, "MaxCapacity"),
        properties.get("RoleARN", ""),
        properties.get("SuspendedState"),
    )


class ScalableTargetResource(PutBacked):
    """Ref: ResourceId|ScalableDimension|ServiceNamespace; the target lives in moto's backend."""

    kind = SCALABLE_TARGET
    put = staticmethod(_register)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = target_id(properties)

    def get_cfn_attribute(self, attribute_name: str):
        return self.physical_resource_id if attribute_name == "Id" else super().get_cfn_attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        resource_id, dimension, namespace = self.physical_resource_id.split("|")
        if backend._scalable_target_exists(resource_id, dimension):
            backend.deregister_scalable_target(namespace, resource_id, dimension)


def policy_target(properties: dict) -> tuple[str, str, str]:
    """(namespace, resource id, dimension) of a policy: from ScalingTargetId, else its own properties."""
    if properties.get("ScalingTargetId"):
        resource_id, dimension, namespace = str(properties["ScalingTargetId"]).split("|")
        return namespace, resource_id, dimension
    return properties["ServiceNamespace"], properties["ResourceId"], properties["ScalableDimension"]


def _policy_key(name: str, properties: dict) -> str:
    return FakeApplicationAutoscalingPolicy.formulate_key(*policy_target(properties), name)


def _put_policy(name: str, properties: dict, account: str, region: str) -> None:
    backend = _backend(account, region)
    policy_type = properties.get("PolicyType")
    body = properties.get(
        "TargetTrackingScalingPolicyConfiguration"
        if policy_type == "TargetTrackingScaling"
        else "StepScalingPolicyConfiguration"
    )
    backend.put_scaling_policy(name, *policy_target(properties), body, policy_type)


class ScalingPolicyResource(Placeholder):
    """Ref: the policy's ARN; the policy lives in moto's Application Auto Scaling backend."""

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.policy_name = str(properties.get("PolicyName") or generated_name)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        properties = cloudformation_json.get("Properties", {})
        resource = cls(
            SCALING_POLICY, kwargs.get("LogicalId", resource_name), resource_name, properties, account_id, region_name
        )
        _put_policy(resource.policy_name, properties, account_id, region_name)
        policy = _backend(account_id, region_name).policies[_policy_key(resource.policy_name, properties)]
        resource.physical_resource_id = policy.policy_arn
        return resource

    @property
    def properties(self) -> dict:
        return self._properties

    @properties.setter
    def properties(self, value: dict) -> None:  # an update puts it again under its name
        updating = hasattr(self, "_properties")
        self._properties = value
        if updating:
            _put_policy(self.policy_name, value, self.account_id, self.region)

    def get_cfn_attribute(self, attribute_name: str):
        return self.physical_resource_id if attribute_name == "Arn" else super().get_cfn_attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if _policy_key(self.policy_name, self._properties) in backend.policies:
            backend.delete_scaling_policy(self.policy_name, *policy_target(self._properties))


@patch("PutScalingPolicy of an existing policy updates it under its ARN, as on AWS (moto gave it a new ARN)")
def _updated_policy_keeps_its_arn() -> None:
    put = unwrapped(ApplicationAutoscalingBackend, "put_scaling_policy")

    def put_scaling_policy(
        self, policy_name, service_namespace, resource_id, scalable_dimension, policy_body, policy_type
    ):
        key = FakeApplicationAutoscalingPolicy.formulate_key(
            service_namespace, resource_id, scalable_dimension, policy_name
        )
        old = self.policies.get(key)
        policy = put(self, policy_name, service_namespace, resource_id, scalable_dimension, policy_body, policy_type)
        if old is not None:
            policy._guid, policy.policy_arn = old._guid, old.policy_arn
        return policy

    replace(ApplicationAutoscalingBackend, "put_scaling_policy", put_scaling_policy)


add_model(SCALABLE_TARGET, ScalableTargetResource)
add_model(SCALING_POLICY, ScalingPolicyResource)


__doc__ = document(__doc__, __name__)
