"""AWS::WAFv2::WebACL, WebACLAssociation and LoggingConfiguration on localcloud: real objects of
moto's WAFv2 (get-web-acl, get-web-acl-for-resource, get-logging-configuration and drift see
them), made by the calls the types' handlers make: CreateWebACL (an update: UpdateWebACL, which
replaces its rules and settings), AssociateWebACL, PutLoggingConfiguration; deletion undoes each.
Ref, as on AWS: a web ACL's ``Name|Id|Scope``, an association's ``ResourceArn|WebACLArn``, a
logging configuration's ResourceArn (the web ACL's ARN)."""

from __future__ import annotations

from moto.wafv2.models import wafv2_backends

from ..cloudformation.patches import PutBacked, add_model

WEB_ACL = "AWS::WAFv2::WebACL"
ASSOCIATION = "AWS::WAFv2::WebACLAssociation"
LOGGING = "AWS::WAFv2::LoggingConfiguration"
SETTINGS = {  # the template's property -> moto's argument, for what both create and update take
    "DefaultAction": "default_action",
    "Description": "description",
    "VisibilityConfig": "visibility_config",
    "CustomResponseBodies": "custom_response_bodies",
    "CaptchaConfig": "captcha_config",
    "ChallengeConfig": "challenge_config",
    "TokenDomains": "token_domains",
    "AssociationConfig": "association_config",
}


def _backend(account: str, region: str, scope: str = "REGIONAL"):
    return wafv2_backends[account]["global" if scope == "CLOUDFRONT" else region]


def _settings(properties: dict) -> dict:
    return {argument: properties.get(name) for name, argument in SETTINGS.items()}


def web_acl_of(physical_id: str, account: str, region: str):
    """moto's web ACL named by a Ref (``Name|Id|Scope``), or None."""
    name, _, rest = physical_id.partition("|")
    acl_id, _, scope = rest.partition("|")
    found = _backend(account, region, scope).wacls.values()
    return next((acl for acl in found if (acl.name, acl.id) == (name, acl_id)), None)


def _tags(properties: dict) -> list[dict]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags") or []]


def _update_acl(name: str, properties: dict, account: str, region: str) -> None:
    """UpdateWebACL, then the template's tags exactly (TagResource, UntagResource), as the handler does."""
    acl = web_acl_of(name, account, region)  # name: the Ref, Name|Id|Scope
    backend = _backend(account, region, properties.get("Scope", "REGIONAL"))
    wanted = _tags(properties)
    gone = set(backend.tagging_service.get_tag_dict_for_resource(acl.arn)) - {t["Key"] for t in wanted}
    backend.untag_resource(acl.arn, sorted(gone))
    backend.tag_resource(acl.arn, wanted)
    backend.update_web_acl(
        name=acl.name,
        _id=acl.id,
        rules=properties.get("Rules") or [],
        lock_token=acl.lock_token,
        **_settings(properties),
    )


class WebACLResource(PutBacked):
    """Ref: ``Name|Id|Scope``; the web ACL itself lives in moto's WAFv2 backend."""

    kind = WEB_ACL
    put = staticmethod(_update_acl)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        properties = cloudformation_json.get("Properties", {})
        scope = properties.get("Scope", "REGIONAL")
        acl = _backend(account_id, region_name, scope).create_web_acl(
            name=properties.get("Name") or resource_name,
            scope=scope,
            tags=_tags(properties),
            rules=properties.get("Rules") or [],
            **_settings(properties),
        )
        resource = cls(
            cls.kind, kwargs.get("LogicalId", resource_name), resource_name, properties, account_id, region_name
        )
        resource.physical_resource_id = f"{acl.name}|{acl.id}|{scope}"
        return resource

    def get_cfn_attribute(self, attribute_name: str):
        acl = web_acl_of(self.physical_resource_id, self.account_id, self.region)
        attributes = {"Arn": acl.arn, "Id": acl.id, "Capacity": acl.capacity, "LabelNamespace": acl.label_namespace}
        return attributes[attribute_name] if attribute_name in attributes else super().get_cfn_attribute(attribute_name)

    def delete(self, account_id: str, region_name: str) -> None:
        acl = web_acl_of(self.physical_resource_id, account_id, region_name)
        if acl is not None:
            scope = self.physical_resource_id.rsplit("|", 1)[-1]
            _backend(account_id, region_name, scope).delete_web_acl(acl.name, scope, acl.id, acl.lock_token)


def _associate(name: str, properties: dict, account: str, region: str) -> None:
    _backend(account, region).associate_web_acl(properties["WebACLArn"], properties["ResourceArn"])


class WebACLAssociationResource(PutBacked):
    """Ref: ``ResourceArn|WebACLArn``; the association is the web ACL's, in moto's WAFv2 backend."""

    kind = ASSOCIATION
    put = staticmethod(_associate)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = f"{properties['ResourceArn']}|{properties['WebACLArn']}"

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).disassociate_web_acl(self._properties["ResourceArn"])


def _log(name: str, properties: dict, account: str, region: str) -> None:
    _backend(account, region).put_logging_configuration(
        properties["ResourceArn"],
        properties.get("LogDestinationConfigs") or [],
        properties.get("RedactedFields"),
        False,
        properties.get("LoggingFilter"),
    )


class LoggingConfigurationResource(PutBacked):
    """Ref: the web ACL's ARN; the configuration lives in moto's WAFv2 backend."""

    kind = LOGGING
    put = staticmethod(_log)

    def __init__(self, resource_type, logical_id, generated_name, properties, account, region):
        super().__init__(resource_type, logical_id, generated_name, properties, account, region)
        self.physical_resource_id = properties["ResourceArn"]

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.physical_resource_id in backend.logging_configurations:
            backend.delete_logging_configuration(self.physical_resource_id)


add_model(WEB_ACL, WebACLResource)
add_model(ASSOCIATION, WebACLAssociationResource)
add_model(LOGGING, LoggingConfigurationResource)
