"""Patches to moto's resource emulation, each a small function naming what it corrects,
applied through the registry (core/registry.py), which lists them below."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.kms import models as kms_models
from moto.ssm import models as ssm_models

from ..core.failures import handling
from ..core.registry import document, patch, replace, unwrapped
from ..core.values import flag

# What Ref returns for unmodelled types, where it is not the generated name.
# {name}: the resource's own name property or the generated one; {suffix}: stable hash.
NAME_PROPERTIES = {
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::DynamoDB::GlobalTable": "TableName",
}
REF_FORMATS = {
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix6}",
    "AWS::SecretsManager::SecretTargetAttachment": "{SecretId}",
    "AWS::SecretsManager::RotationSchedule": "{SecretId}",
    "AWS::SNS::Subscription": "{TopicArn}:{suffix}",
    "AWS::EC2::SecurityGroupEgress": "sgr-{suffix}",
    "AWS::RDS::DBCluster": "{name_lower}",
}
# What GetAtt returns for unmodelled types where the generic answer would be wrong.
ATTRIBUTE_FORMATS = {
    (
        "AWS::RDS::DBCluster",
        "MasterUserSecret.SecretArn",
    ): "arn:aws:secretsmanager:{region}:{account}:secret:rds!cluster-{suffix}-{suffix6}",
    ("AWS::ElastiCache::ReplicationGroup", "PrimaryEndPoint.Port"): "6379",
}


class Placeholder(CloudFormationModel):
    """Stands in for a resource type moto does not model: created, holding its
    properties, never backed by an emulated service. Ref and GetAtt answer the way
    the real type does (a name, an ARN, an endpoint), with deterministic values."""

    def __init__(
        self, resource_type: str, logical_id: str, generated_name: str, properties: dict, account: str, region: str
    ):
        self.resource_type = resource_type
        self.logical_id = logical_id
        self.properties = properties
        self.account_id = account
        self.region = region
        name = properties.get(NAME_PROPERTIES.get(resource_type, "")) or generated_name
        suffix = _short_hash(resource_type, generated_name, region)
        values = {k: v for k, v in properties.items() if isinstance(v, str)}
        self.physical_resource_id = REF_FORMATS.get(resource_type, "{name}").format(
            **values,
            name=name,
            name_lower=str(name).lower(),
            suffix=suffix,
            suffix6=suffix[:6],
            region=region,
            account=account,
        )

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Placeholder::Resource"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        return cls(
            kwargs.get("ResourceType", "AWS::Unknown::Resource"),
            kwargs.get("LogicalId", resource_name),
            resource_name,
            cloudformation_json.get("Properties", {}),
            account_id,
            region_name,
        )

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):  # type: ignore[override]
        original_resource.properties = cloudformation_json.get("Properties", {})
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[override]
        return None

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        service = self.resource_type.split("::")[1].lower()
        attribute = ATTRIBUTE_FORMATS.get((self.resource_type, attribute_name))
        if attribute:
            suffix = _short_hash(self.physical_resource_id, attribute_name)
            return attribute.format(region=self.region, account=self.account_id, suffix=suffix, suffix6=suffix[:6])
        if attribute_name == "Arn" or attribute_name.endswith("Arn"):
            if self.physical_resource_id.startswith("arn:"):
                return self.physical_resource_id
            kind = self.resource_type.split("::")[2].lower()
            return f"arn:aws:{service}:{self.region}:{self.account_id}:{kind}/{self.physical_resource_id}"
        if attribute_name.endswith("Address") or attribute_name.endswith("DNSName"):
            return f"{self.physical_resource_id.lower()}.placeholder.{self.region}.{service}.amazonaws.com"
        if attribute_name.endswith("Port"):
            return "5432"
        return f"{self.physical_resource_id}-{attribute_name.replace('.', '-')}"


class PutBacked(Placeholder):
    """A type moto's service holds but CloudFormation does not create: the resource keeps its
    properties and ``put`` (the service's Put* call, which creates or replaces by name) makes it
    in the emulated service, at creation and again on each update. ``kind``: its type."""

    kind = ""

    @staticmethod
    def put(name: str, properties: dict, account: str, region: str) -> None:
        raise NotImplementedError

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[override]
        properties = cloudformation_json.get("Properties", {})
        logical_id = kwargs.get("LogicalId", resource_name)
        resource = cls(cls.kind, logical_id, resource_name, properties, account_id, region_name)
        cls.put(resource.physical_resource_id, properties, account_id, region_name)
        return resource

    @property
    def properties(self) -> dict:
        return self._properties

    @properties.setter
    def properties(self, value: dict) -> None:  # an update puts it again, as the Put* call does
        updating = hasattr(self, "_properties")
        self._properties = value
        if updating:
            self.put(self.physical_resource_id, value, self.account_id, self.region)


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:12]


# Types localcloud models itself (global clusters, global tables): resource type -> class.
OWN_MODELS: dict[str, type] = {}


def add_model(resource_type: str, model: type) -> None:
    """Create ``resource_type`` with ``model`` instead of moto's (or a placeholder)."""
    OWN_MODELS[resource_type] = model


@patch(
    "unmodelled resource types create as placeholders (Ref gives a physical id, GetAtt plausible, "
    "deterministic attribute values) instead of vanishing and breaking every Ref and GetAtt to them; "
    "localcloud's own models (add_model) come first"
)
def _placeholders_for_unmodelled_types() -> None:
    def resource_class_from_type(resource_type: str):
        if resource_type in OWN_MODELS:
            return OWN_MODELS[resource_type]
        if resource_type in parsing.NULL_MODELS:
            return None
        if resource_type.startswith("Custom::"):
            return parsing.CustomModel
        return parsing.get_model_map().get(resource_type, Placeholder)

    replace(parsing, "resource_class_from_type", resource_class_from_type)


@patch(
    "an AWS::RDS::DBInstance that joins a DB cluster is a placeholder too: moto does not model Aurora "
    "clusters from CloudFormation, so it cannot emulate their members; a standalone one finds its DB subnet "
    "group by name (its Ref), as on AWS"
)
def _aurora_members_are_placeholders() -> None:
    from moto.rds import models as rds_models

    original = unwrapped(rds_models.DBInstance, "create_from_cloudformation_json")

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        if "DBClusterIdentifier" in properties:
            return Placeholder.create_from_cloudformation_json(
                resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        if isinstance(
            properties.get("DBSubnetGroupName"), str
        ):  # Ref is the group's name (as on AWS); moto wants the group
            backend = rds_models.rds_backends[account_id][region_name]
            properties["DBSubnetGroupName"] = backend.subnet_groups[properties["DBSubnetGroupName"]]
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    replace(rds_models.DBInstance, "create_from_cloudformation_json", classmethod(create))


@patch(
    "ManageMasterUserPassword: a standalone AWS::RDS::DBInstance gets the secret RDS would manage (moto "
    "creates it for the API, not from a template) and answers GetAtt MasterUserSecret.SecretArn; RDS refuses "
    "it together with MasterUserPassword",
    after=(_aurora_members_are_placeholders,),
)
def _rds_managed_master_user_secret() -> None:
    """A standalone DB instance with ManageMasterUserPassword gets its managed secret, as
    through the API; RDS refuses the property together with MasterUserPassword."""
    from moto.rds import exceptions as rds_exceptions
    from moto.rds import models as rds_models

    original = unwrapped(rds_models.DBInstance, "create_from_cloudformation_json")
    attributes = {
        "MasterUserSecret.SecretArn": lambda database: database.master_user_secret.secret_arn,
        "DBInstanceArn": lambda database: database.db_instance_arn,
    }

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        managed = flag(properties.get("ManageMasterUserPassword", False))
        if managed and "MasterUserPassword" in properties:
            raise rds_exceptions.InvalidParameterCombination(
                "ManageMasterUserPassword cannot be set together with MasterUserPassword"
            )
        database = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        if managed and isinstance(database, rds_models.DBInstance):
            database.update(
                manage_master_user_password=True,
                master_user_secret_kms_key_id=properties.get("MasterUserSecret", {}).get("KmsKeyId"),
            )
        return database

    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in attributes or original_has(attr)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name in attributes:
            return attributes[attribute_name](self)
        return original_get(self, attribute_name)

    original_has, original_get = rds_models.DBInstance.has_cfn_attr, rds_models.DBInstance.get_cfn_attribute
    replace(rds_models.DBInstance, "create_from_cloudformation_json", classmethod(create))
    replace(rds_models.DBInstance, "has_cfn_attr", classmethod(has_cfn_attr))
    replace(rds_models.DBInstance, "get_cfn_attribute", get_cfn_attribute)


@patch("AWS::KMS::Key reads CloudFormation's Key/Value tags (moto expects TagKey/TagValue)")
def _kms_key_cloudformation_tags() -> None:
    original = unwrapped(kms_models.Key, "create_from_cloudformation_json")

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        tags = properties.get("Tags") or []
        properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} if "Key" in t else t for t in tags]
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    replace(kms_models.Key, "create_from_cloudformation_json", classmethod(create))


@patch("AWS::SSM::Parameter reads CloudFormation's tags, a map (moto expects a Key/Value list)")
def _ssm_parameter_cloudformation_tags() -> None:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-parameter.html:
    # "Tags: Optional metadata ... Type: Object of String" (the one SSM type whose tags are a map)
    original = unwrapped(ssm_models.Parameter, "create_from_cloudformation_json")

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        if isinstance(properties.get("Tags"), dict):
            properties["Tags"] = [{"Key": key, "Value": value} for key, value in properties["Tags"].items()]
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    replace(ssm_models.Parameter, "create_from_cloudformation_json", classmethod(create))


ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f-]{36}$")


@patch(
    "an HTTPS listener accepts a well-formed ACM certificate ARN of its own region: certificates are issued "
    "outside the stack and localcloud cannot hold them (one of another region is still refused, as AWS "
    "refuses it)"
)
def _external_certificates_exist() -> None:
    from moto.elb.exceptions import CertificateNotFoundException
    from moto.elbv2 import models as elbv2_models

    original = elbv2_models.ELBv2Backend._certificate_exists

    def certificate_exists(self, certificate_arn: str) -> bool:
        match = ACM_ARN.match(certificate_arn or "")
        return original(self, certificate_arn) or bool(match and match["region"] == self.region_name)

    replace(elbv2_models.ELBv2Backend, "_certificate_exists", certificate_exists)
    original_register = elbv2_models.register_certificate

    def register_certificate(account_id: str, region: str, arn_certificate: str, arn_user: str) -> None:
        match = ACM_ARN.match(arn_certificate or "")
        try:
            original_register(account_id, region, arn_certificate, arn_user)
        except CertificateNotFoundException:
            if not (match and match["region"] == region):
                raise

    replace(elbv2_models, "register_certificate", register_certificate)


@patch("GetAtt LoadBalancerFullName and CanonicalHostedZoneID of a load balancer")
def _load_balancer_full_name() -> None:
    """GetAtt LoadBalancerFullName (app/<name>/<id>, the CloudWatch dimension) and
    CanonicalHostedZoneID, which moto leaves unimplemented."""
    from moto.elbv2 import models as elbv2_models

    original = elbv2_models.FakeLoadBalancer.get_cfn_attribute

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "LoadBalancerFullName":
            return self.arn.split(":loadbalancer/", 1)[1]
        if attribute_name == "CanonicalHostedZoneID":
            return "Z35SXDOTRQ7X7K"
        return original(self, attribute_name)

    replace(elbv2_models.FakeLoadBalancer, "get_cfn_attribute", get_cfn_attribute)


@patch(
    "Fn::Equals compares strings, as CloudFormation does (moto compared a Number parameter as an int, so "
    'Equals(Ref(AzCount), "3") was always false)'
)
def _equals_compares_strings() -> None:
    original = parsing.parse_condition

    def parse_condition(condition, resources_map, condition_map):
        if isinstance(condition, dict) and list(condition) == ["Fn::Equals"]:
            left, right = (
                condition_map[v["Condition"]]
                if isinstance(v, dict) and "Condition" in v
                else parsing.clean_json(v, resources_map)
                for v in condition["Fn::Equals"]
            )
            return _cfn_string(left) == _cfn_string(right)
        return original(condition, resources_map, condition_map)

    replace(parsing, "parse_condition", parse_condition)


@patch(
    'a condition declared as another condition ({"Condition": "Name"}, the Condition function) has that '
    "condition's value (moto read the name's letters as operands and answered None, so prod's second NAT gateway "
    "and its Elastic IP were never made)",
    after=(_equals_compares_strings,),
)
def _condition_of_a_condition() -> None:
    original = parsing.parse_condition

    def parse_condition(condition, resources_map, condition_map):
        if isinstance(condition, dict) and list(condition) == ["Condition"]:
            return bool(condition_map[condition["Condition"]])
        return original(condition, resources_map, condition_map)

    replace(parsing, "parse_condition", parse_condition)


def _cfn_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(map(_cfn_string, value))
    return str(value)


@patch(
    "Fn::FindInMap looks its keys up as strings, as CloudFormation does (moto used a Number parameter's int,"
    ' so a mapping keyed "2048" missed FindInMap(M, Ref(LambdaMemoryMb), K))'
)
def _find_in_map_keys_are_strings() -> None:
    original = parsing.clean_json

    def clean_json(resource_json: Any, resources_map) -> Any:
        if isinstance(resource_json, dict) and list(resource_json) == ["Fn::FindInMap"]:
            name, *keys = (
                _cfn_string(parsing.clean_json(part, resources_map)) for part in resource_json["Fn::FindInMap"]
            )
            found = resources_map[name]
            for key in keys:
                found = found[key]
            return found
        return original(resource_json, resources_map)

    replace(parsing, "clean_json", clean_json)


@patch(
    "AWS::NoValue (a Ref, or what an Fn::If chose) inside a list removes that element, as CloudFormation does"
    " (moto left a null: a policy statement behind a Condition broke the policy)",
    after=(_find_in_map_keys_are_strings,),
)
def _no_value_leaves_lists() -> None:
    original = parsing.clean_json

    def intrinsic(item: Any) -> bool:
        return isinstance(item, dict) and (item.get("Ref") == "AWS::NoValue" or "Fn::If" in item)

    def clean_json(resource_json: Any, resources_map) -> Any:
        if isinstance(resource_json, list):
            cleaned = [(item, original(item, resources_map)) for item in resource_json]
            return [value for item, value in cleaned if not (value is None and intrinsic(item))]
        return original(resource_json, resources_map)

    replace(parsing, "clean_json", clean_json)


@patch(
    "stacks list only the resources they created: a resource whose Condition was false no longer shows up as "
    "an empty entry in DescribeStackResources"
)
def _stacks_list_only_created_resources() -> None:
    from moto.cloudformation import models as cfn_models

    def stack_resources(self):
        return [resource for resource in self.resource_map.values() if resource is not None]

    replace(cfn_models.Stack, "stack_resources", property(stack_resources))


@patch("AWS::RDS::DBSubnetGroup and AWS::RDS::DBParameterGroup have a physical id (their name)")
def _db_subnet_group_physical_id() -> None:
    from moto.rds import models as rds_models

    replace(rds_models.DBSubnetGroup, "physical_resource_id", property(lambda self: self.name))
    replace(rds_models.DBParameterGroup, "physical_resource_id", property(lambda self: self.name))


@patch(
    "deleting an AWS::IAM::ManagedPolicy detaches it first (moto left it attached, so its roles could never be deleted)"
)
def _managed_policy_detaches_on_delete() -> None:
    from moto.iam import models as iam_models

    def delete(self, account_id: str, region_name: str) -> None:
        backend = iam_models.iam_backends[account_id][self.partition]
        for holders in (backend.roles.values(), backend.users.values(), backend.groups.values()):
            for holder in holders:
                if self.arn in holder.managed_policies:
                    self.detach_from(holder)
        backend.managed_policies.pop(self.arn, None)

    replace(iam_models.ManagedPolicy, "delete", delete)


@patch(
    "stacks delete what moto forgot to: NAT gateways (and their network interface), routes, route tables, "
    "Elastic IPs, flow logs, internet gateways and their attachments, so that a VPC can be deleted after "
    "them, as on AWS"
)
def _ec2_deletes() -> None:
    """``delete(account_id, region)`` for EC2 types moto creates from templates but
    never deletes; each goes through the EC2 backend's own API."""
    from moto.ec2 import ec2_backends
    from moto.ec2.models import (
        elastic_ip_addresses,
        flow_logs,
        internet_gateways,
        nat_gateways,
        route_tables,
        vpn_gateway,
    )

    def backend(account_id: str, region: str):
        return ec2_backends[account_id][region]

    def nat_gateway(self, account_id, region):
        backend(account_id, region).delete_nat_gateway(self.id)
        backend(account_id, region).enis.pop(self._eni.id, None)

    def route(self, account_id, region):
        backend(account_id, region).delete_route(self.route_table.id, self.destination_cidr_block)

    def route_table(self, account_id, region):
        backend(account_id, region).delete_route_table(self.id)

    def address(self, account_id, region):
        backend(account_id, region).release_address(allocation_id=self.allocation_id)

    def flow_log(self, account_id, region):
        backend(account_id, region).delete_flow_logs([self.id])

    def attachment(self, account_id, region):
        backend(account_id, region).detach_internet_gateway(self.gateway_id, self.vpc_id)

    def internet_gateway(self, account_id, region):
        backend(account_id, region).delete_internet_gateway(self.id)

    replace(nat_gateways.NatGateway, "delete", nat_gateway)
    replace(route_tables.Route, "delete", route)
    replace(route_tables.RouteTable, "delete", route_table)
    replace(elastic_ip_addresses.ElasticAddress, "delete", address)
    replace(flow_logs.FlowLogs, "delete", flow_log)
    replace(vpn_gateway.VPCGatewayAttachment, "delete", attachment)
    replace(internet_gateways.InternetGateway, "delete", internet_gateway)


@patch("an AWS::EC2::SubnetRouteTableAssociation's delete disassociates the subnet (moto kept the association)")
def _subnet_association_delete() -> None:
    """Deleting the resource (a stack's deletion, a replacement) disassociates the subnet, as
    CloudFormation's handler does (DisassociateRouteTable); otherwise its route table, and then
    the VPC, cannot be deleted (DependencyViolation). The association id is the one the creation
    fixup made in the EC2 API (fixups.py)."""
    from moto.ec2.exceptions import InvalidAssociationIdError
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.subnets import SubnetRouteTableAssociation

    def delete(self, account_id: str, region: str) -> None:
        association_id = getattr(self, "association_id", None)
        if association_id is None:
            return
        try:
            ec2_backends[account_id][region].disassociate_route_table(association_id)
        except InvalidAssociationIdError:
            return  # already gone with its route table or subnet

    replace(SubnetRouteTableAssociation, "delete", delete)


@patch("an AWS::Lambda::Permission has its statement id as physical id and is deleted with it")
def _lambda_permission_identity() -> None:
    """AWS::Lambda::Permission has a physical id (its statement id) and its delete removes
    the statement (moto kept neither: a replaced or deleted permission stayed in the policy)."""
    from moto.awslambda import models as lambda_models

    original = unwrapped(lambda_models.Permission, "create_from_cloudformation_json")

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        properties.setdefault("StatementId", resource_name)
        permission = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        permission.function_name, permission.statement_id = properties["FunctionName"], properties["StatementId"]
        return permission

    def delete(self, account_id: str, region: str) -> None:
        from moto.awslambda.exceptions import UnknownFunctionException

        try:
            function = lambda_models.lambda_backends[account_id][region].get_function(self.function_name)
        except UnknownFunctionException:
            return  # the statement went with its function
        function.policy.del_statement(self.statement_id)

    replace(lambda_models.Permission, "create_from_cloudformation_json", classmethod(create))
    replace(lambda_models.Permission, "physical_resource_id", property(lambda self: self.statement_id))
    replace(lambda_models.Permission, "delete", delete)


@patch(
    "inline policies of roles created from templates are stored as JSON (moto kept the dict, and "
    "GetRolePolicy answered with its Python repr)"
)
def _inline_policies_as_json() -> None:
    import json

    from moto.iam import models as iam_models

    original = iam_models.Role.put_policy

    def put_policy(self, policy_name: str, policy_json) -> None:
        original(self, policy_name, policy_json if isinstance(policy_json, str) else json.dumps(policy_json))

    replace(iam_models.Role, "put_policy", put_policy)


@patch(
    "AWS::S3::Bucket applies VersioningConfiguration, PublicAccessBlockConfiguration and ObjectLockEnabled "
    "with its default retention (moto applied only encryption and tags)"
)
def _bucket_versioning_and_public_access_block() -> None:
    from moto.s3 import models as s3_models

    original = unwrapped(s3_models.FakeBucket, "create_from_cloudformation_json")

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        bucket = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        properties = cloudformation_json.get("Properties", {})
        backend = s3_models.s3_backends[account_id][bucket.partition]
        status = (properties.get("VersioningConfiguration") or {}).get("Status")
        if status:
            backend.put_bucket_versioning(bucket.name, status)
        if properties.get("PublicAccessBlockConfiguration"):
            backend.put_public_access_block(bucket.name, properties["PublicAccessBlockConfiguration"])
        if flag(properties.get("ObjectLockEnabled", False)):
            retention = ((properties.get("ObjectLockConfiguration") or {}).get("Rule") or {}).get(
                "DefaultRetention"
            ) or {}
            backend.put_object_lock_configuration(
                bucket.name, True, retention.get("Mode"), int(retention.get("Days", 0)), int(retention.get("Years", 0))
            )
        return bucket

    replace(s3_models.FakeBucket, "create_from_cloudformation_json", classmethod(create))


@patch(
    "properties moto ignores when it creates from a template are applied (fixups.py): otherwise drift "
    "detection would report its omissions as drift"
)
def _apply_ignored_properties() -> None:
    from .fixups import FIXUPS

    original = parsing.parse_and_create_resource

    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        resource = original(logical_id, resource_json, resources_map, account_id, region_name)
        fixups = FIXUPS.get(resource_json.get("Type"), ())
        if resource is not None and fixups and not isinstance(resource, Placeholder):
            properties = parsing.clean_json(resource_json.get("Properties", {}), resources_map)
            for fixup in fixups:
                fixup(resource, properties, account_id, region_name)
        return resource

    replace(parsing, "parse_and_create_resource", parse_and_create_resource)


@patch(
    "every resource's create re-raises moto's error as a ResourceFailure naming the resource, as CloudFormation "
    "reports it (core/failures.py)",
    after=(_apply_ignored_properties,),
)
def _failures_name_their_resource() -> None:
    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        with handling(logical_id, resource_json.get("Type", "")):
            return create(logical_id, resource_json, resources_map, account_id, region_name)

    create = parsing.parse_and_create_resource
    replace(parsing, "parse_and_create_resource", parse_and_create_resource)


@patch(
    "a disabled DynamoDB stream can be enabled again (a new stream), as on AWS; moto kept the old stream's "
    "label and refused it"
)
def _dynamodb_stream_reenables() -> None:
    """A disabled stream can be enabled again (a new stream), as on AWS; moto kept the old
    stream's label and refused it ("Cannot enable stream")."""
    from moto.dynamodb.models import table as table_models

    original = table_models.Table.set_stream_specification

    def set_stream_specification(self, streams):
        original(self, streams)
        if not (self.stream_specification or {}).get("StreamEnabled"):
            self.latest_stream_label = None

    replace(table_models.Table, "set_stream_specification", set_stream_specification)


KEEP_ON_DELETE = ("Retain", "RetainExceptOnCreate")


@patch(
    "DeletionPolicy RetainExceptOnCreate is kept on stack deletion like Retain, and deleted when the creation"
    " that made it rolls back (ResourceMap.delete(rollback=True))"
)
def _retain_except_on_create() -> None:
    def delete(self, rollback: bool = False) -> None:
        """moto's delete, passes until nothing more goes, with CloudFormation's policies:
        a rollback of a creation keeps only Retain, a deletion keeps both."""
        keep = ("Retain",) if rollback else KEEP_ON_DELETE
        remaining = {key for key, value in self._resource_json_map.items() if value.get("DeletionPolicy") not in keep}
        last_error: Exception | None = None
        previous = len(remaining) + 1
        while remaining and len(remaining) < previous:
            previous = len(remaining)
            for key in sorted(remaining):
                resource = self._parsed_resources.get(key)
                try:
                    if resource is not None and not isinstance(resource, str):
                        self._delete_resource(resource, self._resource_json_map[resource.logical_resource_id])
                        self._parsed_resources.pop(resource.logical_resource_id)
                except Exception as error:  # noqa: BLE001 - dependency order: retried next pass
                    last_error = error
                else:
                    remaining.discard(key)
        if remaining and last_error is not None:
            raise last_error

    replace(parsing.ResourceMap, "delete", delete)


@patch("Ref of an AWS::Events::EventBus is its name")
def _event_bus_physical_id() -> None:
    """Ref of an AWS::Events::EventBus is its name (moto had none: Ref gave the object)."""
    from moto.events.models import EventBus

    replace(EventBus, "physical_resource_id", property(lambda self: self.name))


@patch(
    "template Rules are evaluated before a stack is created or updated (moto ignored them), so a template "
    "that refuses a region fails there, as on AWS"
)
def _template_rules() -> None:
    """Template Rules are checked before a stack is created or updated (template_rules.py)."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import CloudFormationBackend

    from .template_rules import failed_assertions

    original_create, original_update = CloudFormationBackend.create_stack, CloudFormationBackend.update_stack

    def check(backend, template, parameters: dict) -> None:
        failures = failed_assertions(template, parameters, backend.account_id, backend.region_name)
        if failures:
            raise ValidationError(message="Template rule assertions failed: " + "; ".join(failures))

    def create_stack(self, name, template, parameters, *args, **kwargs):
        check(self, template, dict(parameters or {}))
        return original_create(self, name, template, parameters, *args, **kwargs)

    def update_stack(self, name, template, role_arn, parameters, tags):
        check(
            self,
            template,
            {p["ParameterKey"]: p.get("ParameterValue") for p in parameters or [] if "ParameterValue" in p},
        )
        return original_update(self, name, template, role_arn, parameters, tags)

    replace(CloudFormationBackend, "create_stack", create_stack)
    replace(CloudFormationBackend, "update_stack", update_stack)


@patch("AssociateKmsKey and DisassociateKmsKey on a log group, as on AWS (moto has neither)")
def _log_group_kms_keys() -> None:
    """AssociateKmsKey and DisassociateKmsKey on a log group, as on AWS (moto has neither)."""
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def group(self):
        found = self.logs_backend.groups.get(self._get_param("logGroupName"))
        if found is None:
            raise ResourceNotFoundException()
        return found

    def associate_kms_key(self) -> str:
        group(self).kms_key_id = self._get_param("kmsKeyId")
        return ""

    def disassociate_kms_key(self) -> str:
        group(self).kms_key_id = None
        return ""

    replace(LogsResponse, "associate_kms_key", associate_kms_key)
    replace(LogsResponse, "disassociate_kms_key", disassociate_kms_key)


__doc__ = document(__doc__, __name__)
