"""AWS::SNS::Subscription on localcloud: a real moto subscription of the topic (list-subscriptions,
publish's delivery to an SQS endpoint and drift see it), with the template's attributes
(RawMessageDelivery, FilterPolicy and its scope, RedrivePolicy, DeliveryPolicy). Ref and the
physical id are the subscription's ARN, as on AWS; an update sets the attributes again, a
change of topic, protocol or endpoint makes a new subscription; deletion unsubscribes."""

from __future__ import annotations

import json

from moto.sns.models import sns_backends

from ..cloudformation.patches import Placeholder, add_model

SUBSCRIPTION = "AWS::SNS::Subscription"
ATTRIBUTES = ("FilterPolicyScope", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy")


def _backend(topic_arn: str):
    parts = topic_arn.split(":")
    return sns_backends[parts[4]][parts[3]]


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _subscribe(properties: dict) -> str:
    backend = _backend(properties["TopicArn"])
    subscription = backend.subscribe(properties["TopicArn"], properties["Endpoint"], properties["Protocol"])
    _attributes(subscription.arn, properties)
    return subscription.arn


def _attributes(arn: str, properties: dict) -> None:
    backend = _backend(properties["TopicArn"])
    for name in ATTRIBUTES:  # the scope before the policy it scopes, as SNS validates them
        if properties.get(name) is not None:
            backend.set_subscription_attributes(arn, name, _text(properties[name]))


class SubscriptionResource(Placeholder):
    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        properties = cloudformation_json.get("Properties", {})
        resource = cls(
            SUBSCRIPTION, kwargs.get("LogicalId", resource_name), resource_name, properties, account_id, region_name
        )
        resource.physical_resource_id = _subscribe(properties)
        return resource

    @property
    def properties(self) -> dict:
        return self._properties

    @properties.setter
    def properties(self, value: dict) -> None:
        old = getattr(self, "_properties", None)
        self._properties = value
        if old is None:
            return
        identity = ("TopicArn", "Protocol", "Endpoint")
        if any(old.get(k) != value.get(k) for k in identity):
            _backend(old["TopicArn"]).unsubscribe(self.physical_resource_id)
            self.physical_resource_id = _subscribe(value)
        else:
            _attributes(self.physical_resource_id, value)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(self._properties["TopicArn"])
        if self.physical_resource_id in backend.subscriptions:
            backend.unsubscribe(self.physical_resource_id)


add_model(SUBSCRIPTION, SubscriptionResource)
