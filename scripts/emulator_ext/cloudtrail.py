"""AWS::CloudTrail::Trail, which moto's CloudFormation skips.

The trail is created, updated and deleted through moto's CloudTrail backend, so
DescribeTrails, GetTrailStatus, GetEventSelectors, GetInsightSelectors and
ListTags see it. ``IsLogging`` starts or stops logging; without
``EventSelectors`` or ``AdvancedEventSelectors`` a trail gets the selector AWS
gives a new trail (all management events). Ref is the trail name; GetAtt
offers ``Arn`` and ``SnsTopicArn``.

It also fixes StartLogging / StopLogging, which fail with HTTP 500 when given
the trail's ARN instead of its name (the API accepts both).
"""

from typing import Any

from moto.cloudtrail.models import CloudTrailBackend, Trail, cloudtrail_backends

from .cfn import ExtensionModel, boolean, changed, register, tag_map

_DEFAULT_EVENT_SELECTORS = [
    {
        "ReadWriteType": "All",
        "IncludeManagementEvents": True,
        "DataResources": [],
        "ExcludeManagementEventSources": [],
    }
]

# Optional string settings and the Trail attribute each one is kept in.
_OPTIONAL_SETTINGS = {
    "S3KeyPrefix": "s3_key_prefix",
    "SnsTopicName": "sns_topic_name",
    "CloudWatchLogsLogGroupArn": "cw_log_group_arn",
    "CloudWatchLogsRoleArn": "cw_role_arn",
    "KMSKeyId": "kms_key_id",
}


def _start_logging(self: CloudTrailBackend, name: str) -> None:
    self.get_trail(name).start_logging()


def _stop_logging(self: CloudTrailBackend, name: str) -> None:
    self.get_trail(name).stop_logging()


@register
class CloudTrailTrail(ExtensionModel):
    cfn_type = "AWS::CloudTrail::Trail"
    name_property = "TrailName"
    create_only = ("TrailName",)
    attributes = {"Arn": "arn", "SnsTopicArn": "sns_topic_arn"}

    def __init__(self, account_id: str, region_name: str, name: str):
        super().__init__(account_id, region_name)
        self.name = name

    @property
    def backend(self) -> CloudTrailBackend:
        return cloudtrail_backends[self.account_id][self.region_name]

    @property
    def trail(self) -> Trail:
        return self.backend.get_trail(self.name)

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return self.trail.arn

    @property
    def sns_topic_arn(self) -> str | None:
        return self.trail.topic_arn

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = cloudtrail_backends[account_id][region_name]
        backend.create_trail(
            name=name,
            bucket_name=properties["S3BucketName"],
            s3_key_prefix=properties.get("S3KeyPrefix"),
            sns_topic_name=properties.get("SnsTopicName"),
            is_global=boolean(properties.get("IncludeGlobalServiceEvents"), default=True),
            is_multi_region=boolean(properties.get("IsMultiRegionTrail")),
            log_validation=boolean(properties.get("EnableLogFileValidation")),
            is_org_trail=boolean(properties.get("IsOrganizationTrail")),
            cw_log_group_arn=properties.get("CloudWatchLogsLogGroupArn"),
            cw_role_arn=properties.get("CloudWatchLogsRoleArn"),
            kms_key_id=properties.get("KMSKeyId"),
            tags_list=[{"Key": k, "Value": v} for k, v in tag_map(properties.get("Tags")).items()],
        )
        resource = cls(account_id, region_name, name)
        resource._apply_selectors_and_logging(properties)
        return resource

    def _apply_selectors_and_logging(self, properties: dict[str, Any]) -> None:
        trail = self.trail
        advanced = list(properties.get("AdvancedEventSelectors") or [])
        basic = list(properties.get("EventSelectors") or [])
        if advanced:
            self.backend.put_event_selectors(self.name, [], advanced)
        else:
            self.backend.put_event_selectors(self.name, basic or _DEFAULT_EVENT_SELECTORS, [])
            # moto keeps earlier advanced selectors when basic ones are put;
            # PutEventSelectors replaces whichever kind the trail had.
            trail.advanced_event_selectors = []
        # PutInsightSelectors replaces the trail's selectors; moto appends.
        trail.insight_selectors = []
        if properties.get("InsightSelectors"):
            self.backend.put_insight_selectors(self.name, list(properties["InsightSelectors"]))
        if boolean(properties.get("IsLogging")):
            self.backend.start_logging(self.name)
        else:
            self.backend.stop_logging(self.name)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.backend.update_trail(
            name=self.name,
            s3_bucket_name=new["S3BucketName"],
            s3_key_prefix=new.get("S3KeyPrefix"),
            sns_topic_name=new.get("SnsTopicName"),
            include_global_service_events=boolean(new.get("IncludeGlobalServiceEvents"), default=True),
            is_multi_region_trail=boolean(new.get("IsMultiRegionTrail")),
            enable_log_file_validation=boolean(new.get("EnableLogFileValidation")),
            is_organization_trail=boolean(new.get("IsOrganizationTrail")),
            cw_log_group_arn=new.get("CloudWatchLogsLogGroupArn"),
            cw_role_arn=new.get("CloudWatchLogsRoleArn"),
            kms_key_id=new.get("KMSKeyId"),
        )
        # moto's UpdateTrail treats a missing value as "unchanged"; a setting
        # removed from the template is cleared, as UpdateTrail with "" does.
        trail = self.trail
        for key, attribute in _OPTIONAL_SETTINGS.items():
            if key not in new:
                setattr(trail, attribute, None)
        if changed(old, new, "Tags"):
            wanted = tag_map(new.get("Tags"))
            dropped = [{"Key": k, "Value": v} for k, v in tag_map(old.get("Tags")).items() if k not in wanted]
            if dropped:
                self.backend.remove_tags(trail.arn, dropped)
            if wanted:
                self.backend.add_tags(trail.arn, [{"Key": k, "Value": v} for k, v in wanted.items()])
        self._apply_selectors_and_logging(new)

    def delete(self, account_id: str, region_name: str) -> None:
        self.backend.delete_trail(self.name)


def install() -> None:
    CloudTrailBackend.start_logging = _start_logging
    CloudTrailBackend.stop_logging = _stop_logging
