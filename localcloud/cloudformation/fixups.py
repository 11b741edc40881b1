"""Properties moto's CloudFormation create ignores, applied right after the resource is
created through the emulated service's own API, as CloudFormation's create handler
applies them on AWS. Without them a fresh stack would lack what its template says (a
table without point-in-time recovery, a security group with AWS's default egress instead
of the template's), and drift detection would read the emulator's gap as drift.

FIXUPS, the one table of them: type -> functions(resource, resolved properties, account,
region), applied in order to what moto created (never to a placeholder).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.values import flag


def _tag_dict(resource, properties: dict, account: str, region: str) -> None:
    """Lambda keeps tags as a dict; moto stored the template's Key/Value list."""
    if isinstance(resource.tags, list):
        resource.tags = {t["Key"]: t["Value"] for t in resource.tags}


def _vpc_dns(vpc, properties: dict, account: str, region: str) -> None:
    vpc.enable_dns_hostnames = flag(properties.get("EnableDnsHostnames", False))
    vpc.enable_dns_support = flag(properties.get("EnableDnsSupport", True))


def _subnet(subnet, properties: dict, account: str, region: str) -> None:
    subnet.map_public_ip_on_launch = flag(properties.get("MapPublicIpOnLaunch", False))


def _log_group(group, properties: dict, account: str, region: str) -> None:
    group.kms_key_id = properties.get("KmsKeyId")


def _table(table, properties: dict, account: str, region: str) -> None:
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[account][region]
    if "DeletionProtectionEnabled" in properties:  # a parameter's "false" is false, not truthy text
        table.deletion_protection_enabled = flag(properties["DeletionProtectionEnabled"])
    recovery = properties.get("PointInTimeRecoverySpecification") or {}
    if flag(recovery.get("PointInTimeRecoveryEnabled")):
        backend.update_continuous_backups(table.name, {"PointInTimeRecoveryEnabled": True})
    ttl = properties.get("TimeToLiveSpecification") or {}
    if flag(ttl.get("Enabled")) and ttl.get("AttributeName"):
        backend.update_time_to_live(table.name, {"Enabled": True, "AttributeName": ttl["AttributeName"]})


def _lifecycle_rule(rule: dict) -> dict:
    api: dict[str, Any] = {
        "ID": rule.get("Id"),
        "Status": rule.get("Status", "Enabled"),
        "Filter": {"Prefix": rule.get("Prefix") or ""},
    }
    if rule.get("ExpirationInDays"):
        api["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if rule.get("Transitions"):
        api["Transition"] = [
            {"Days": int(t["TransitionInDays"]), "StorageClass": t["StorageClass"]} for t in rule["Transitions"]
        ]
    if rule.get("NoncurrentVersionExpiration"):
        api["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        }
    if rule.get("AbortIncompleteMultipartUpload"):
        api["AbortIncompleteMultipartUpload"] = dict(rule["AbortIncompleteMultipartUpload"])
    return api


def _bucket(bucket, properties: dict, account: str, region: str) -> None:
    rules = (properties.get("LifecycleConfiguration") or {}).get("Rules")
    if rules:
        bucket.set_lifecycle([_lifecycle_rule(rule) for rule in rules])


def _stream(stream, properties: dict, account: str, region: str) -> None:
    from moto.kinesis.models import kinesis_backends

    backend = kinesis_backends[account][region]
    encryption = properties.get("StreamEncryption") or {}
    if encryption.get("EncryptionType") == "KMS":
        backend.start_stream_encryption(stream.arn, stream.stream_name, "KMS", encryption.get("KeyId"))  # type: ignore[arg-type]  # moto annotates str where AWS (and moto at run time) accept None
    mode = (properties.get("StreamModeDetails") or {}).get("StreamMode")
    if mode:
        stream.stream_mode = {"StreamMode": mode}


def _tag_map(properties: dict) -> dict[str, str]:
    return {t["Key"]: str(t["Value"]) for t in properties.get("Tags") or [] if "Key" in t}


def _function(function, properties: dict, account: str, region: str) -> None:
    function.tags = {**(function.tags or {}), **_tag_map(properties)}
    if properties.get("TracingConfig"):
        function.tracing_config = dict(properties["TracingConfig"])
    if properties.get("KmsKeyArn"):
        function.kms_key_arn = properties["KmsKeyArn"]


def _db_instance(instance, properties: dict, account: str, region: str) -> None:
    if "DeletionProtection" in properties:
        instance.deletion_protection = flag(properties["DeletionProtection"])
    if "EnableIAMDatabaseAuthentication" in properties:
        instance.enable_iam_database_authentication = flag(properties["EnableIAMDatabaseAuthentication"])
    if properties.get("VPCSecurityGroups"):
        instance.vpc_security_group_ids = list(properties["VPCSecurityGroups"])


def _egress_arguments(rule: dict) -> dict:
    peers = [{"GroupId": rule["DestinationSecurityGroupId"]}] if rule.get("DestinationSecurityGroupId") else None
    ranges = (
        [{"CidrIp": rule["CidrIp"], **({"Description": rule["Description"]} if rule.get("Description") else {})}]
        if rule.get("CidrIp")
        else []
    )
    return {
        "ip_protocol": str(rule.get("IpProtocol")),
        "from_port": rule.get("FromPort"),
        "to_port": rule.get("ToPort"),
        "ip_ranges": ranges,
        "source_groups": peers,
    }


def _ingress_descriptions(group, rules: list) -> None:
    """moto creates inline ingress rules without their descriptions: give CIDR rules theirs."""
    for rule in rules:
        for created in group.ingress_rules:
            same = (str(created.ip_protocol), created.from_port, created.to_port) == (
                str(rule.get("IpProtocol")),
                rule.get("FromPort"),
                rule.get("ToPort"),
            )
            if same and rule.get("Description") and created.ip_range.get("CidrIp") == rule.get("CidrIp"):
                created.ip_range["Description"] = rule["Description"]


def _security_group(group, properties: dict, account: str, region: str) -> None:
    """Inline ingress keeps its descriptions; an inline SecurityGroupEgress replaces AWS's
    default allow-all egress rule."""
    from moto.ec2.models import ec2_backends

    _ingress_descriptions(group, properties.get("SecurityGroupIngress") or [])
    rules = properties.get("SecurityGroupEgress")
    if not rules:
        return
    backend = ec2_backends[account][region]
    for rule in list(group.egress_rules):
        if rule.ip_protocol == "-1" and rule.ip_range.get("CidrIp") == "0.0.0.0/0":
            backend.revoke_security_group_egress(group.id, "-1", None, None, [{"CidrIp": "0.0.0.0/0"}])  # type: ignore[arg-type]  # moto annotates str where AWS (and moto at run time) accept None
    for rule in rules:
        backend.authorize_security_group_egress(group.id, **_egress_arguments(rule))


def _task_definition(definition, properties: dict, account: str, region: str) -> None:
    """moto's create passes only the family, containers, volumes and memory."""
    definition.cpu = properties.get("Cpu")
    definition.network_mode = properties.get("NetworkMode") or definition.network_mode
    definition.requires_compatibilities = properties.get("RequiresCompatibilities")
    definition.execution_role_arn = properties.get("ExecutionRoleArn")
    definition.task_role_arn = properties.get("TaskRoleArn")


def _topic(topic, properties: dict, account: str, region: str) -> None:
    from moto.sns.models import sns_backends

    if properties.get("Tags"):
        sns_backends[account][region].tag_resource(topic.arn, _tag_map(properties))


def _service(service, properties: dict, account: str, region: str) -> None:
    if properties.get("LaunchType"):
        service.launch_type = properties["LaunchType"]


def _load_balancer(balancer, properties: dict, account: str, region: str) -> None:
    """moto's create drops LoadBalancerAttributes (deletion protection, access logs, ...)."""
    set_load_balancer_attributes(balancer, properties.get("LoadBalancerAttributes"), account, region)


def set_load_balancer_attributes(balancer, attributes, account: str, region: str) -> None:
    """ModifyLoadBalancerAttributes with the template's list, as CloudFormation's handler calls it."""
    from moto.elbv2.models import elbv2_backends

    values = {str(a["Key"]): str(a["Value"]) for a in attributes or []}
    if values:
        elbv2_backends[account][region].modify_load_balancer_attributes(balancer.arn, values)


def _ec2_tags(resource, properties: dict, account: str, region: str) -> None:
    """The template's Tags on an EC2 resource moto's create leaves untagged."""
    if properties.get("Tags"):
        resource.add_tags(_tag_map(properties))


def _association(association, properties: dict, account: str, region: str) -> None:
    """moto records a template's association apart from the route table, where the EC2 API
    (describe-route-tables, replace-route-table-association) does not see it: associate it there."""
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account][region]
    association.association_id = backend.associate_route_table(
        properties["RouteTableId"], subnet_id=properties["SubnetId"]
    )


def _cluster(cluster, properties: dict, account: str, region: str) -> None:
    if properties.get("ClusterSettings"):
        cluster.settings = [{"name": s["Name"], "value": s["Value"]} for s in properties["ClusterSettings"]]
    if properties.get("Tags"):
        cluster.tags = [{"key": k, "value": v} for k, v in _tag_map(properties).items()]


def _target_group(group, properties: dict, account: str, region: str) -> None:
    from moto.elbv2.models import elbv2_backends

    backend = elbv2_backends[account][region]
    attributes = {a["Key"]: str(a["Value"]) for a in properties.get("TargetGroupAttributes") or []}
    if attributes:
        backend.modify_target_group_attributes(group.arn, attributes)
    if properties.get("Tags"):
        backend.add_tags([group.arn], [{"Key": k, "Value": v} for k, v in _tag_map(properties).items()])


FIXUPS: dict[str, tuple[Callable[[Any, dict, str, str], None], ...]] = {
    "AWS::DynamoDB::Table": (_table,),
    "AWS::S3::Bucket": (_bucket,),
    "AWS::Kinesis::Stream": (_stream,),
    "AWS::Lambda::Function": (_tag_dict, _function),  # tags as a dict first: _function adds to them
    "AWS::Lambda::EventSourceMapping": (_tag_dict,),
    "AWS::Logs::LogGroup": (_log_group,),
    "AWS::EC2::VPC": (_vpc_dns,),
    "AWS::EC2::Subnet": (_subnet,),
    "AWS::RDS::DBInstance": (_db_instance,),
    "AWS::EC2::SecurityGroup": (_security_group,),
    "AWS::ECS::TaskDefinition": (_task_definition,),
    "AWS::ECS::Service": (_service,),
    "AWS::SNS::Topic": (_topic,),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (_load_balancer,),
    "AWS::EC2::EIP": (_ec2_tags,),
    "AWS::EC2::InternetGateway": (_ec2_tags,),
    "AWS::EC2::NatGateway": (_ec2_tags,),
    "AWS::EC2::RouteTable": (_ec2_tags,),
    "AWS::EC2::VPCPeeringConnection": (_ec2_tags,),
    "AWS::EC2::SubnetRouteTableAssociation": (_association,),
    "AWS::ECS::Cluster": (_cluster,),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (_target_group,),
}
