"""AWS::CloudTrail::Trail on localcloud: a real trail in moto's CloudTrail (get-trail,
get-trail-status, get-event-selectors and drift see it), made as the type's handler makes it:
CreateTrail, PutEventSelectors for its (advanced) event selectors, StartLogging or StopLogging
as IsLogging says; an update calls UpdateTrail and the same selectors and logging calls again;
deletion deletes it. Ref: the trail's name (TrailName, or CloudFormation's generated name)."""

from __future__ import annotations

from moto.cloudtrail.models import cloudtrail_backends

from ..cloudformation.patches import PutBacked, add_model
from ..core.values import flag

TRAIL = "AWS::CloudTrail::Trail"


def _settings(properties: dict) -> dict:
    def optional_flag(name: str):
        return flag(properties[name]) if name in properties else None

    return {
        "s3_key_prefix": properties.get("S3KeyPrefix"),
        "sns_topic_name": properties.get("SnsTopicName"),
        "include_global_service_events": optional_flag("IncludeGlobalServiceEvents"),
        "is_multi_region_trail": optional_flag("IsMultiRegionTrail"),
        "enable_log_file_validation": optional_flag("EnableLogFileValidation"),
        "is_organization_trail": optional_flag("IsOrganizationTrail"),
        "cw_log_group_arn": properties.get("CloudWatchLogsLogGroupArn"),
        "cw_role_arn": properties.get("CloudWatchLogsRoleArn"),
        "kms_key_id": properties.get("KMSKeyId"),
    }


def _tags(properties: dict) -> list[dict]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags") or []]


def _retag(backend, name: str, properties: dict) -> None:
    """The template's tags exactly (AddTags, RemoveTags), as the handler does on update."""
    arn = backend.trails[name].arn
    wanted = _tags(properties)
    current = backend.tagging_service.get_tag_dict_for_resource(arn)
    keys = {t["Key"] for t in wanted}
    backend.remove_tags(arn, [{"Key": k, "Value": v} for k, v in current.items() if k not in keys])
    backend.add_tags(arn, wanted)


def _create(backend, name: str, properties: dict) -> None:
    settings = _settings(properties)
    backend.create_trail(
        name,
        properties["S3BucketName"],
        settings["s3_key_prefix"],
        settings["sns_topic_name"],
        settings["include_global_service_events"] is not False,  # CloudTrail's default: true
        bool(settings["is_multi_region_trail"]),
        bool(settings["enable_log_file_validation"]),
        bool(settings["is_organization_trail"]),
        settings["cw_log_group_arn"],
        settings["cw_role_arn"],
        settings["kms_key_id"],
        _tags(properties),
    )


def _put(name: str, properties: dict, account: str, region: str) -> None:
    backend = cloudtrail_backends[account][region]
    if name in backend.trails:
        backend.update_trail(name=name, s3_bucket_name=properties["S3BucketName"], **_settings(properties))
        _retag(backend, name, properties)
    else:
        _create(backend, name, properties)
    if properties.get("EventSelectors") or properties.get("AdvancedEventSelectors"):
        backend.put_event_selectors(
            name, properties.get("EventSelectors") or [], properties.get("AdvancedEventSelectors") or []
        )
    if flag(properties.get("IsLogging", False)):
        backend.start_logging(name)
    else:
        backend.stop_logging(name)


class TrailResource(PutBacked):
    """Ref: the trail's name; the trail itself lives in moto's CloudTrail backend."""

    kind = TRAIL
    put = staticmethod(_put)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = properties.get("TrailName") or self.physical_resource_id

    def get_cfn_attribute(self, attribute_name: str):
        trail = cloudtrail_backends[self.account_id][self.region].trails.get(self.physical_resource_id)
        if attribute_name == "Arn" and trail is not None:
            return trail.arn
        if attribute_name == "SnsTopicArn" and trail is not None:
            return trail.topic_arn
        return super().get_cfn_attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        cloudtrail_backends[account_id][region_name].delete_trail(self.physical_resource_id)


add_model(TRAIL, TrailResource)
