"""GuardDuty detectors and publishing destinations from CloudFormation.

moto's CloudFormation skips AWS::GuardDuty::Detector, and moto's GuardDuty has
no publishing destinations at all. This module

- adds AWS::GuardDuty::Detector, created, updated and deleted through
  CreateDetector / UpdateDetector / DeleteDetector in moto's GuardDuty backend
  (``Enable``, ``FindingPublishingFrequency``, ``DataSources``, ``Features``,
  ``Tags``); Ref is the detector id;
- makes CreateDetector refuse a second detector in the same account and region,
  as AWS does (BadRequestException);
- teaches the backend publishing destinations (held on the detector) and serves
  Create/Describe/List/Update/DeletePublishingDestination over the GuardDuty
  API, then adds AWS::GuardDuty::PublishingDestination on top of them.
"""

import json
from typing import Any

import moto.guardduty.urls as guardduty_urls
from moto.core.utils import utcnow
from moto.guardduty.exceptions import GuardDutyException
from moto.guardduty.models import Detector, GuardDutyBackend, guardduty_backends
from moto.guardduty.responses import GuardDutyResponse
from moto.moto_api._internal import mock_random

from .cfn import ExtensionModel, boolean, camel_keys, register, tag_map

_original_create_detector = GuardDutyBackend.create_detector


class BadRequestException(GuardDutyException):
    code = 400

    def __init__(self, message: str):
        super().__init__("BadRequestException", message)


def create_detector(self: GuardDutyBackend, enable, finding_publishing_frequency, data_sources, tags, features):
    if self.detectors:
        raise BadRequestException("The request is rejected because a detector already exists for the current account.")
    return _original_create_detector(self, enable, finding_publishing_frequency, data_sources, tags, features)


def _destinations(detector: Detector) -> dict[str, dict[str, Any]]:
    if not hasattr(detector, "publishing_destinations"):
        detector.publishing_destinations = {}
    return detector.publishing_destinations


def create_publishing_destination(
    self: GuardDutyBackend,
    detector_id: str,
    destination_type: str,
    properties: dict[str, Any],
    tags: dict[str, str] | None,
) -> str:
    destination_id = mock_random.get_random_hex(length=32)
    _destinations(self.get_detector(detector_id))[destination_id] = {
        "destinationId": destination_id,
        "destinationType": destination_type,
        "status": "PUBLISHING",
        "publishingFailureStartTimestamp": 0,
        "destinationProperties": dict(properties),
        "tags": dict(tags or {}),
        "createdAt": utcnow(),
    }
    return destination_id


def get_publishing_destination(self: GuardDutyBackend, detector_id: str, destination_id: str) -> dict[str, Any]:
    destinations = _destinations(self.get_detector(detector_id))
    if destination_id not in destinations:
        raise BadRequestException(
            "The request is rejected because the input detectorId or destinationId is not owned by the "
            "current account."
        )
    return destinations[destination_id]


def update_publishing_destination(
    self: GuardDutyBackend, detector_id: str, destination_id: str, properties: dict[str, Any]
) -> None:
    self.get_publishing_destination(detector_id, destination_id)["destinationProperties"] = dict(properties)


def delete_publishing_destination(self: GuardDutyBackend, detector_id: str, destination_id: str) -> None:
    self.get_publishing_destination(detector_id, destination_id)
    del _destinations(self.get_detector(detector_id))[destination_id]


def _path_ids(response: GuardDutyResponse) -> tuple[str, str | None]:
    parts = response.path.rstrip("/").split("/")
    index = parts.index("publishingDestination")
    return parts[index - 1], (parts[index + 1] if len(parts) > index + 1 else None)


def response_create_publishing_destination(self: GuardDutyResponse) -> str:
    detector_id, _ = _path_ids(self)
    destination_id = self.guardduty_backend.create_publishing_destination(
        detector_id,
        self._get_param("destinationType"),
        self._get_param("destinationProperties") or {},
        self._get_param("tags"),
    )
    return json.dumps({"destinationId": destination_id})


def response_describe_publishing_destination(self: GuardDutyResponse) -> str:
    detector_id, destination_id = _path_ids(self)
    destination = self.guardduty_backend.get_publishing_destination(detector_id, destination_id)
    return json.dumps({key: value for key, value in destination.items() if key != "createdAt"})


def response_list_publishing_destinations(self: GuardDutyResponse) -> str:
    detector_id, _ = _path_ids(self)
    detector = self.guardduty_backend.get_detector(detector_id)
    summaries = [
        {key: destination[key] for key in ("destinationId", "destinationType", "status")}
        for destination in _destinations(detector).values()
    ]
    return json.dumps({"destinations": summaries})


def response_update_publishing_destination(self: GuardDutyResponse) -> str:
    detector_id, destination_id = _path_ids(self)
    self.guardduty_backend.update_publishing_destination(
        detector_id, destination_id, self._get_param("destinationProperties") or {}
    )
    return "{}"


def response_delete_publishing_destination(self: GuardDutyResponse) -> str:
    detector_id, destination_id = _path_ids(self)
    self.guardduty_backend.delete_publishing_destination(detector_id, destination_id)
    return "{}"


def _detector_arguments(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "enable": boolean(properties.get("Enable")),
        "finding_publishing_frequency": properties.get("FindingPublishingFrequency", "SIX_HOURS"),
        "data_sources": camel_keys(properties.get("DataSources") or {}),
        "features": camel_keys(list(properties.get("Features") or [])),
    }


@register
class GuardDutyDetector(ExtensionModel):
    cfn_type = "AWS::GuardDuty::Detector"
    attributes = {"Id": "id"}

    def __init__(self, account_id: str, region_name: str, detector_id: str):
        super().__init__(account_id, region_name)
        self.id = detector_id

    @property
    def backend(self) -> GuardDutyBackend:
        return guardduty_backends[self.account_id][self.region_name]

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = guardduty_backends[account_id][region_name]
        detector_id = backend.create_detector(tags=tag_map(properties.get("Tags")), **_detector_arguments(properties))
        return cls(account_id, region_name, detector_id)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.backend.update_detector(self.id, **_detector_arguments(new))
        self.backend.get_detector(self.id).tags = tag_map(new.get("Tags"))

    def delete(self, account_id: str, region_name: str) -> None:
        self.backend.delete_detector(self.id)


@register
class GuardDutyPublishingDestination(ExtensionModel):
    cfn_type = "AWS::GuardDuty::PublishingDestination"
    create_only = ("DetectorId", "DestinationType")
    attributes = {"Id": "id", "Status": "status", "PublishingFailureStartTimestamp": "failure_start"}

    def __init__(self, account_id: str, region_name: str, detector_id: str, destination_id: str):
        super().__init__(account_id, region_name)
        self.detector_id = detector_id
        self.id = destination_id

    @property
    def backend(self) -> GuardDutyBackend:
        return guardduty_backends[self.account_id][self.region_name]

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @property
    def status(self) -> str:
        return self.backend.get_publishing_destination(self.detector_id, self.id)["status"]

    @property
    def failure_start(self) -> str:
        destination = self.backend.get_publishing_destination(self.detector_id, self.id)
        return str(destination["publishingFailureStartTimestamp"])

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = guardduty_backends[account_id][region_name]
        destination_id = backend.create_publishing_destination(
            properties["DetectorId"],
            properties["DestinationType"],
            camel_keys(properties["DestinationProperties"]),
            tag_map(properties.get("Tags")),
        )
        return cls(account_id, region_name, properties["DetectorId"], destination_id)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.backend.update_publishing_destination(self.detector_id, self.id, camel_keys(new["DestinationProperties"]))
        self.backend.get_publishing_destination(self.detector_id, self.id)["tags"] = tag_map(new.get("Tags"))

    def delete(self, account_id: str, region_name: str) -> None:
        detector = self.backend.detectors.get(self.detector_id)
        if detector is not None and self.id in _destinations(detector):
            self.backend.delete_publishing_destination(self.detector_id, self.id)


def install() -> None:
    GuardDutyBackend.create_detector = create_detector
    GuardDutyBackend.create_publishing_destination = create_publishing_destination
    GuardDutyBackend.get_publishing_destination = get_publishing_destination
    GuardDutyBackend.update_publishing_destination = update_publishing_destination
    GuardDutyBackend.delete_publishing_destination = delete_publishing_destination
    GuardDutyResponse.create_publishing_destination = response_create_publishing_destination
    GuardDutyResponse.describe_publishing_destination = response_describe_publishing_destination
    GuardDutyResponse.list_publishing_destinations = response_list_publishing_destinations
    GuardDutyResponse.update_publishing_destination = response_update_publishing_destination
    GuardDutyResponse.delete_publishing_destination = response_delete_publishing_destination
    # The Flask app for GuardDuty is built from these paths on its first request.
    destinations = "{0}/detector/(?P<detector_id>[^/]+)/publishingDestination"
    guardduty_urls.url_paths[destinations + "$"] = GuardDutyResponse.dispatch
    guardduty_urls.url_paths[destinations + "/(?P<destination_id>[^/]+)$"] = GuardDutyResponse.dispatch
