"""AWS::SNS::TopicPolicy and AWS::SNS::Subscription, which moto's CloudFormation skips.

moto reports both CREATE_COMPLETE and does nothing: a topic keeps its default
policy (``Principal: {AWS: "*"}`` limited by ``AWS:SourceOwner``) and gets no
subscription. Here a TopicPolicy sets the ``Policy`` attribute of each of its
``Topics`` through moto's SNS backend (SetTopicAttributes), changes it in place
on update (a topic dropped from ``Topics`` gets the default policy back), and
on deletion puts the default policy back, as CloudFormation does. Its Ref is a
generated id, like CloudFormation's.

A Subscription is made with Subscribe (``TopicArn``, ``Protocol`` and
``Endpoint`` replace it; ``RawMessageDelivery`` and ``FilterPolicy`` are set as
attributes in place) and removed with Unsubscribe. Ref is the subscription ARN.
moto confirms email subscriptions at once; AWS waits for the recipient.
"""

import json
from typing import Any

from moto.moto_api._internal import mock_random
from moto.sns.models import SNSBackend, Topic, sns_backends

from .cfn import ExtensionModel, register


def _backend(account_id: str, region_name: str) -> SNSBackend:
    return sns_backends[account_id][region_name]


def _reset(backend: SNSBackend, topic_arn: str) -> None:
    """Gives a topic back the policy SNS creates it with (if the topic still exists)."""
    topic = backend.topics.get(topic_arn)
    if topic is not None:
        topic._policy_json = Topic._create_default_topic_policy(
            topic, backend.region_name, topic.account_id, topic.name
        )


def _policy_text(policy: Any) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy)


@register
class TopicPolicy(ExtensionModel):
    cfn_type = "AWS::SNS::TopicPolicy"
    attributes = {"Id": "id"}

    def __init__(self, account_id: str, region_name: str, topics: list[str]):
        super().__init__(account_id, region_name)
        self.id = f"irready-topic-policy-{mock_random.get_random_hex(12)}"
        self.topics = list(topics)

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = _backend(account_id, region_name)
        topics = list(properties["Topics"])
        text = _policy_text(properties["PolicyDocument"])
        for arn in topics:
            backend.set_topic_attribute(arn, "policy", text)
        return cls(account_id, region_name, topics)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        topics = list(new["Topics"])
        for arn in self.topics:
            if arn not in topics:
                _reset(backend, arn)
        text = _policy_text(new["PolicyDocument"])
        for arn in topics:
            backend.set_topic_attribute(arn, "policy", text)
        self.topics = topics

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(self.account_id, self.region_name)
        for arn in self.topics:
            _reset(backend, arn)


@register
class Subscription(ExtensionModel):
    cfn_type = "AWS::SNS::Subscription"
    create_only = ("TopicArn", "Protocol", "Endpoint", "Region")

    def __init__(self, account_id: str, region_name: str, arn: str):
        super().__init__(account_id, region_name)
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = _backend(account_id, region_name)
        subscription = backend.subscribe(
            properties["TopicArn"], properties["Endpoint"], properties["Protocol"]
        )
        model = cls(account_id, region_name, subscription.arn)
        model.apply({}, properties)
        return model

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        if "RawMessageDelivery" in new or "RawMessageDelivery" in old:
            raw = str(new.get("RawMessageDelivery", False)).lower()
            backend.set_subscription_attributes(self.arn, "RawMessageDelivery", raw)
        if "FilterPolicy" in new:
            backend.set_subscription_attributes(
                self.arn, "FilterPolicy", _policy_text(new["FilterPolicy"])
            )

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(self.account_id, self.region_name).unsubscribe(self.arn)
