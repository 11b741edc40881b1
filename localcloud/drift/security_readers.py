"""Readers of the types that guard access and keep the audit trail: S3 bucket policies,
EventBridge Scheduler schedules and CloudTrail trails (localcloud/s3, localcloud/scheduler,
localcloud/cloudtrail put them in moto's services) and WAF web ACLs, their associations and
logging configurations (localcloud/wafv2). Each reads the resource back through its service, as
the type's read handler does (GetBucketPolicy; GetSchedule; GetTrail, GetTrailStatus,
GetEventSelectors, ListTags; GetWebACL, GetWebACLForResource, GetLoggingConfiguration), in
CloudFormation's property shape (Missing when it is gone): a policy rewritten by hand is
NOT_EQUAL on /PolicyDocument, a schedule disabled by hand on /State, a trail stopped by hand on
/IsLogging, a secret's description on /Description (DescribeSecret; its value is write-only), a web ACL's default action changed on /DefaultAction; a deleted policy is DELETED,
and so is an association whose resource was moved to another web ACL (both its properties are
its identity: the read handler finds no association of that pair)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .readers import Missing, Target, _backend, _document, _or_missing


def _bucket_policy(target: Target) -> dict:
    from moto.s3.models import s3_backends

    bucket = _or_missing(s3_backends[target.account]["aws"].buckets.get(target.physical_id))
    return {"Bucket": bucket.name, "PolicyDocument": _document(_or_missing(bucket.policy))}


def _schedule(target: Target) -> dict:
    from moto.scheduler.exceptions import ScheduleGroupNotFound, ScheduleNotFound

    backend = _backend("scheduler", "scheduler_backends", target.account, target.region)
    try:
        schedule = backend.get_schedule(target.expected.get("GroupName"), target.physical_id)
    except (ScheduleNotFound, ScheduleGroupNotFound):  # only "not found" is a missing resource
        raise Missing() from None
    return {
        "Name": schedule.name,
        "GroupName": schedule.group_name,
        "Description": schedule.description,
        "ScheduleExpression": schedule.schedule_expression,
        "ScheduleExpressionTimezone": schedule.schedule_expression_timezone,
        "FlexibleTimeWindow": schedule.flexible_time_window,
        "Target": schedule.target,
        "State": schedule.state,
        "KmsKeyArn": schedule.kms_key_arn,
        "StartDate": schedule.start_date,
        "EndDate": schedule.end_date,
    }


def _trail_of(target: Target):
    return _backend("cloudtrail", "cloudtrail_backends", target.account, target.region).trails.get(target.physical_id)


def _trail(target: Target) -> dict:
    trail = _or_missing(_trail_of(target))
    return {
        "TrailName": trail.trail_name,
        "S3BucketName": trail.bucket_name,
        "S3KeyPrefix": trail.s3_key_prefix,
        "SnsTopicName": trail.sns_topic_name,
        "IncludeGlobalServiceEvents": trail.include_global_service_events,
        "IsMultiRegionTrail": trail.is_multi_region,
        "EnableLogFileValidation": trail.log_validation,
        "IsOrganizationTrail": trail.is_org_trail,
        "CloudWatchLogsLogGroupArn": trail.cw_log_group_arn,
        "CloudWatchLogsRoleArn": trail.cw_role_arn,
        "IsLogging": trail.status.is_logging,
        "EventSelectors": trail.event_selectors or None,
        "AdvancedEventSelectors": trail.advanced_event_selectors or None,
    }


def _trail_tags(target: Target) -> dict[str, str]:
    trail = _trail_of(target)
    backend = _backend("cloudtrail", "cloudtrail_backends", target.account, target.region)
    return dict(backend.tagging_service.get_tag_dict_for_resource(trail.arn)) if trail is not None else {}


def _without_none(value: Any) -> Any:
    """A structure without the keys moto keeps as None (the API leaves them out)."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


ACTIONS = ("Allow", "Block")  # a web ACL's DefaultAction is exactly one of them


def _web_acl(target: Target) -> dict:
    from ..wafv2.web_acls import web_acl_of

    acl = _or_missing(web_acl_of(target.physical_id, target.account, target.region))
    read = _without_none(
        {
            "Name": acl.name,
            "Scope": target.physical_id.rsplit("|", 1)[-1],
            "Description": acl.description or None,
            "DefaultAction": acl.default_action,
            "Rules": [rule.to_dict() for rule in acl.rules],
            "VisibilityConfig": acl.visibility_config,
            "CustomResponseBodies": acl.custom_response_bodies,
            "CaptchaConfig": acl.captcha_config,
            "ChallengeConfig": acl.challenge_config,
            "TokenDomains": acl.token_domains,
            "AssociationConfig": acl.association_config,
        }
    )
    # the action the template names and is no longer there is REMOVE at /DefaultAction/<it>
    return {**read, "DefaultAction": {action: acl.default_action.get(action) for action in ACTIONS}}


def _web_acl_tags(target: Target) -> dict[str, str]:
    from ..wafv2.web_acls import web_acl_of

    acl = web_acl_of(target.physical_id, target.account, target.region)
    backend = _backend("wafv2", "wafv2_backends", target.account, target.region)
    return dict(backend.tagging_service.get_tag_dict_for_resource(acl.arn)) if acl is not None else {}


def _web_acl_association(target: Target) -> dict:
    backend = _backend("wafv2", "wafv2_backends", target.account, target.region)
    resource = target.expected.get("ResourceArn", "")
    acl = _or_missing(backend.get_web_acl_for_resource(resource))
    if acl.arn != target.expected.get("WebACLArn"):  # another pair: this association is gone
        raise Missing()
    return {"ResourceArn": resource, "WebACLArn": acl.arn}


def _logging_configuration(target: Target) -> dict:
    backend = _backend("wafv2", "wafv2_backends", target.account, target.region)
    configuration = _or_missing(backend.logging_configurations.get(target.physical_id))
    return _without_none(
        {
            "ResourceArn": configuration.arn,
            "LogDestinationConfigs": configuration.log_destination_configs,
            "RedactedFields": configuration.redacted_fields,
            "LoggingFilter": configuration.logging_filter,
        }
    )


def _secret_of(target: Target):
    backend = _backend("secretsmanager", "secretsmanager_backends", target.account, target.region)
    secret = backend.secrets.get(target.physical_id)
    return None if secret is None or secret.is_deleted() else secret


def _secret(target: Target) -> dict:
    """DescribeSecret's view; the value is write-only (GenerateSecretString, SecretString)."""
    secret = _or_missing(_secret_of(target))
    return {"Name": secret.name, "Description": secret.description}


def _secret_tags(target: Target) -> dict[str, str]:
    secret = _secret_of(target)
    return {t["Key"]: t["Value"] for t in secret.tags or []} if secret is not None else {}


READERS: dict[str, Callable[[Target], dict]] = {
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::Scheduler::Schedule": _schedule,
    "AWS::CloudTrail::Trail": _trail,
    "AWS::WAFv2::WebACL": _web_acl,
    "AWS::WAFv2::WebACLAssociation": _web_acl_association,
    "AWS::WAFv2::LoggingConfiguration": _logging_configuration,
    "AWS::SecretsManager::Secret": _secret,
}

TAGS: dict[str, Callable[[Target], dict[str, str]]] = {
    "AWS::CloudTrail::Trail": _trail_tags,
    "AWS::WAFv2::WebACL": _web_acl_tags,
    "AWS::SecretsManager::Secret": _secret_tags,
}

PROJECTIONS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("AWS::S3::BucketPolicy", "PolicyDocument"): _document,
}
