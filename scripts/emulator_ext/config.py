"""AWS::Config::ConfigurationRecorder and AWS::Config::DeliveryChannel.

moto's CloudFormation skips both. Here they go through
PutConfigurationRecorder / PutDeliveryChannel / Delete* in moto's Config
backend, with its validation (one recorder and one channel per account and
region; a channel needs a recorder). Ref is the recorder's or channel's name.

Recording follows the AWS::Config::ConfigurationRecorder documentation:
CloudFormation starts a recorder it created as soon as a delivery channel is
available, whichever of the two the stack creates last; StartConfiguration-
Recorder is called then. Deleting a recorder stops it first.
"""

from typing import Any

from moto.config.models import ConfigBackend, config_backends

from .cfn import ExtensionModel, applied, camel_keys, register, remember


def _start_stack_recorders(backend: ConfigBackend) -> None:
    """Start the recorders a stack created, once a delivery channel exists."""
    if not backend.delivery_channels:
        return
    for name, recorder in backend.recorders.items():
        if applied(recorder) and not recorder.status.recording:
            backend.start_configuration_recorder(name)


@register
class ConfigurationRecorder(ExtensionModel):
    cfn_type = "AWS::Config::ConfigurationRecorder"
    name_property = "Name"
    create_only = ("Name",)
    attributes = {"Id": "name"}

    def __init__(self, account_id: str, region_name: str, name: str):
        super().__init__(account_id, region_name)
        self.name = name

    @property
    def backend(self) -> ConfigBackend:
        return config_backends[self.account_id][self.region_name]

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        resource = cls(account_id, region_name, name)
        resource.apply({}, properties)
        _start_stack_recorders(resource.backend)
        return resource

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        recorder = {"name": self.name, **camel_keys({k: v for k, v in new.items() if k != "Name"})}
        self.backend.put_configuration_recorder(recorder)
        # Marks the recorder as one this stack manages (see _start_stack_recorders).
        remember(self.backend.recorders[self.name], new)

    def delete(self, account_id: str, region_name: str) -> None:
        if self.name in self.backend.recorders:
            self.backend.stop_configuration_recorder(self.name)
            self.backend.delete_configuration_recorder(self.name)


@register
class DeliveryChannel(ExtensionModel):
    cfn_type = "AWS::Config::DeliveryChannel"
    name_property = "Name"
    create_only = ("Name",)
    attributes = {"Id": "name"}

    def __init__(self, account_id: str, region_name: str, name: str):
        super().__init__(account_id, region_name)
        self.name = name

    @property
    def backend(self) -> ConfigBackend:
        return config_backends[self.account_id][self.region_name]

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        resource = cls(account_id, region_name, name)
        resource.apply({}, properties)
        _start_stack_recorders(resource.backend)
        return resource

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        channel = {"name": self.name, **camel_keys({k: v for k, v in new.items() if k != "Name"})}
        self.backend.put_delivery_channel(channel)

    def delete(self, account_id: str, region_name: str) -> None:
        if self.name in self.backend.delivery_channels:
            self.backend.delete_delivery_channel(self.name)
