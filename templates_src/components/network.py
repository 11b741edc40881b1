"""VPC, subnet tiers, NAT, flow logs and the shared security groups.

Subnet CIDRs are computed here, at render time, and written to a Mapping keyed by
region and environment: every (environment, region) pair gets its own /16, so any two
VPCs of the platform can peer.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from troposphere import (
    And,
    Condition,
    Equals,
    FindInMap,
    GetAtt,
    GetAZs,
    If,
    ImportValue,
    Join,
    Parameter,
    Ref,
    Select,
    Split,
    Template,
    ec2,
)

from cfnops.core.errors import InputError

from .. import policies
from ..conventions import (
    ENVIRONMENT,
    ENVIRONMENTS,
    REGIONS,
    export_name,
    flag_parameter,
    physical_name,
    standard_tags,
)
from . import encryption, identity, observability

TIERS = ("public", "private", "data")
MAX_AZS = 3
CIDR_MAPPING = "NetworkCidrs"
ENV_OCTET_BASE = {"dev": 10, "staging": 20, "prod": 30}
NETWORK_TEMPLATE = "network"
THREE_AZS = "ThreeAzs"
HIGHLY_AVAILABLE_NAT = "HighlyAvailableNat"
LOG_RETENTION_DAYS = [7, 14, 30, 60, 90, 180, 365, 400, 545, 731, 1096, 1827, 3653]


# Networks of one environment and region: 0 is the platform network (template network); 1 is
# the network of a residency-bound template of its own (loan-processing), peered with nothing.
PLATFORM_NETWORK, RESIDENT_NETWORK = 0, 1
NETWORKS_PER_REGION = 3  # so that every environment's /16s stay below the next one's base (10 apart)


def vpc_cidr(environment: str, region: str, network: int = PLATFORM_NETWORK) -> ipaddress.IPv4Network:
    """``10.{base + network * 3 + region index}.0.0/16``: every network of every environment and
    region has its own /16, so none overlaps another (peered or not)."""
    assert network < NETWORKS_PER_REGION
    if len(REGIONS) * NETWORKS_PER_REGION > 10:
        raise InputError(
            f"templates_src/conventions.py: REGIONS: the address plan holds {10 // NETWORKS_PER_REGION} regions per "
            f"environment, got {len(REGIONS)}: a new region needs a new address plan (docs/environments.md)"
        )
    if environment not in ENV_OCTET_BASE:
        raise InputError(
            f"templates_src/components/network.py: ENV_OCTET_BASE: no address block for environment "
            f"{environment!r}: expected a free multiple of 10 below 250, e.g. {max(ENV_OCTET_BASE.values()) + 10}"
        )
    octet = ENV_OCTET_BASE[environment] + network * len(REGIONS) + REGIONS.index(region)
    return ipaddress.IPv4Network(f"10.{octet}.0.0/16")


def subnet_cidrs(environment: str, region: str, network: int = PLATFORM_NETWORK) -> list[str]:
    """[vpc, public-a..c, private-a..c, data-a..c] as /20s of the network's /16."""
    subnets = list(vpc_cidr(environment, region, network).subnets(new_prefix=20))
    return [str(vpc_cidr(environment, region, network))] + [str(s) for s in subnets[: len(TIERS) * MAX_AZS]]


def add_cidr_mapping(
    template: Template, mapping: str = CIDR_MAPPING, network: int = PLATFORM_NETWORK, regions=REGIONS
) -> None:
    template.add_mapping(
        mapping,
        {region: {env: subnet_cidrs(env, region, network) for env in ENVIRONMENTS} for region in regions},
    )


def _cidr(index: int, mapping: str = CIDR_MAPPING) -> Select:
    return Select(index, FindInMap(mapping, Ref("AWS::Region"), Ref(ENVIRONMENT)))


def az_condition(az: int) -> str | None:
    """The third AZ exists only when AzCount is 3."""
    return THREE_AZS if az == 2 else None


def _conditional(resource, az: int):
    condition = az_condition(az)
    if condition:
        resource.Condition = condition
    return resource


def per_az(values: list, az_count_condition: str = THREE_AZS) -> If:
    """The list of per-AZ values, two or three long depending on AzCount."""
    return If(az_count_condition, values, values[:2])


@dataclass(frozen=True)
class Tier:
    name: str
    subnets: list[ec2.Subnet]
    route_tables: list[ec2.RouteTable]


def add_vpc(template: Template, mapping: str = CIDR_MAPPING, name: str = "main") -> ec2.VPC:
    return template.add_resource(
        ec2.VPC(
            "Vpc",
            CidrBlock=_cidr(0, mapping),
            EnableDnsHostnames=True,
            EnableDnsSupport=True,
            Tags=standard_tags(Name=physical_name("vpc", name)),
        )
    )


def add_tier(
    template: Template, vpc: ec2.VPC, tier: str, shared_route_table: bool, mapping: str = CIDR_MAPPING
) -> Tier:
    """Three subnets (the third conditional) of one tier, with their route tables."""
    offset = 1 + TIERS.index(tier) * MAX_AZS
    subnets: list = []
    tables: list = []
    for az in range(MAX_AZS):
        suffix = f"{tier}-{'abc'[az]}"
        subnet = template.add_resource(
            _conditional(
                ec2.Subnet(
                    f"{tier.capitalize()}Subnet{az + 1}",
                    VpcId=Ref(vpc),
                    CidrBlock=_cidr(offset + az, mapping),
                    AvailabilityZone=Select(az, GetAZs("")),
                    MapPublicIpOnLaunch=False,
                    Tags=standard_tags(Name=physical_name("subnet", suffix), Tier=tier),
                ),
                az,
            )
        )
        subnets.append(subnet)
        if shared_route_table and tables:
            table = tables[0]
        else:
            table = template.add_resource(
                _conditional(
                    ec2.RouteTable(
                        f"{tier.capitalize()}RouteTable{az + 1}",
                        VpcId=Ref(vpc),
                        Tags=standard_tags(Name=physical_name("rtb", suffix)),
                    ),
                    az,
                )
            )
            tables.append(table)
        template.add_resource(
            _conditional(
                ec2.SubnetRouteTableAssociation(
                    f"{tier.capitalize()}Subnet{az + 1}RouteTableAssociation",
                    SubnetId=Ref(subnet),
                    RouteTableId=Ref(table),
                ),
                az,
            )
        )
    return Tier(tier, subnets, tables)


def add_internet_access(template: Template, vpc: ec2.VPC, public: Tier) -> ec2.VPCGatewayAttachment:
    """The internet gateway, attached to the VPC, and the public tier's default route to it."""
    gateway = template.add_resource(
        ec2.InternetGateway("InternetGateway", Tags=standard_tags(Name=physical_name("igw", "main")))
    )
    attachment = template.add_resource(
        ec2.VPCGatewayAttachment("InternetGatewayAttachment", VpcId=Ref(vpc), InternetGatewayId=Ref(gateway))
    )
    template.add_resource(
        ec2.Route(
            "PublicDefaultRoute",
            DependsOn=attachment.title,
            RouteTableId=Ref(public.route_tables[0]),
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=Ref(gateway),
        )
    )
    return attachment


def add_nat_gateways(
    template: Template, public: Tier, private: Tier, ha_condition: str, gateway_attachment: ec2.VPCGatewayAttachment
) -> list[ec2.NatGateway]:
    """One NAT per AZ when highly available, else one in the first AZ for all. Each EIP
    (Domain vpc) waits for the internet gateway's attachment, which CloudFormation cannot
    infer: an EIP allocated before it may fail to associate."""
    template.add_condition("NatGateway2", Condition(ha_condition))
    template.add_condition("NatGateway3", And(Condition(ha_condition), Condition(THREE_AZS)))
    gateways = []
    for az in range(MAX_AZS):
        condition = None if az == 0 else f"NatGateway{az + 1}"
        eip = ec2.EIP(
            f"NatEip{az + 1}",
            DependsOn=gateway_attachment.title,
            Domain="vpc",
            Tags=standard_tags(Name=physical_name("eip", f"nat-{'abc'[az]}")),
        )
        nat = ec2.NatGateway(
            f"NatGateway{az + 1}",
            AllocationId=GetAtt(eip, "AllocationId"),
            SubnetId=Ref(public.subnets[az]),
            Tags=standard_tags(Name=physical_name("nat", "abc"[az])),
        )
        if condition:
            eip.Condition = nat.Condition = condition
        template.add_resource(eip)
        gateways.append(template.add_resource(nat))
    for az, table in enumerate(private.route_tables):
        nat_id = Ref(gateways[0]) if az == 0 else If(ha_condition, Ref(gateways[az]), Ref(gateways[0]))
        template.add_resource(
            _conditional(
                ec2.Route(
                    f"PrivateDefaultRoute{az + 1}",
                    RouteTableId=Ref(table),
                    DestinationCidrBlock="0.0.0.0/0",
                    NatGatewayId=nat_id,
                ),
                az,
            )
        )
    return gateways


def network_parameters(flow_log_retention: bool = True) -> list[Parameter]:
    """AzCount and HighlyAvailableNat, and FlowLogRetentionDays unless the template fixes it:
    what add_network reads."""
    parameters = [
        Parameter("AzCount", Type="Number", AllowedValues=[2, 3], Default=2, Description="Availability zones to span"),
        flag_parameter(
            HIGHLY_AVAILABLE_NAT,
            "false",
            "One NAT gateway per availability zone (true) or a single shared one (false)",
        ),
    ]
    if flow_log_retention:
        parameters.append(
            Parameter(
                "FlowLogRetentionDays",
                Type="Number",
                AllowedValues=LOG_RETENTION_DAYS,
                Default=90,
                Description="Retention of VPC flow logs, in days",
            )
        )
    return parameters


def add_flow_logs(template: Template, vpc: ec2.VPC, prefix: str = "", retention=None, key=None) -> None:
    """Every flow of the VPC to a CMK-encrypted log group, kept ``retention`` days
    (FlowLogRetentionDays by default), encrypted with ``key`` (a key of their own by default);
    ``prefix`` keeps the names of a second VPC's flow logs apart from the platform network's."""
    if key is None:
        key = encryption.add_kms_key(template, "FlowLogKey", "network logs", [policies.logs_key_user()])
    log_group = observability.add_log_group(
        template, "FlowLogGroup", f"{prefix}vpc-flow-logs", retention or Ref("FlowLogRetentionDays"), key
    )
    role = identity.add_role(
        template,
        "FlowLogRole",
        f"{prefix}vpc-flow-logs",
        policies.service_trust_for_account("vpc-flow-logs.amazonaws.com"),
        "Delivers VPC flow logs to their log group",
        [policies.log_delivery_statement(GetAtt(log_group, "Arn"))],
    )
    template.add_resource(
        ec2.FlowLog(
            "VpcFlowLog",
            ResourceId=Ref(vpc),
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="cloud-watch-logs",
            LogGroupName=Ref(log_group),
            DeliverLogsPermissionArn=GetAtt(role, "Arn"),
            MaxAggregationInterval=60,
            Tags=standard_tags(),
        )
    )


def add_network(
    template: Template, mapping: str = CIDR_MAPPING, name: str = "main", flow_logs: dict | None = None
) -> tuple[ec2.VPC, dict[str, Tier]]:
    """A VPC with the three tiers across AzCount zones (CIDRs from ``mapping``), the internet
    gateway, NAT (one per zone when HighlyAvailableNat) and flow logs; the template declares
    network_parameters(). Nothing here leads to another VPC: peering is network-peering's.
    A VPC other than the platform network's ("main") has ``name`` in its names; ``flow_logs``
    passes add_flow_logs its retention and key."""
    template.add_condition(THREE_AZS, Equals(Ref("AzCount"), "3"))
    template.add_condition(HIGHLY_AVAILABLE_NAT, Equals(Ref(HIGHLY_AVAILABLE_NAT), "true"))
    vpc = add_vpc(template, mapping, name)
    tiers = {tier: add_tier(template, vpc, tier, tier != "private", mapping) for tier in TIERS}
    attachment = add_internet_access(template, vpc, tiers["public"])
    add_nat_gateways(template, tiers["public"], tiers["private"], HIGHLY_AVAILABLE_NAT, attachment)
    add_flow_logs(template, vpc, "" if name == "main" else f"{name}-", **(flow_logs or {}))
    return vpc, tiers


NO_EGRESS = ec2.SecurityGroupRule(
    # Replaces the default allow-all egress of a group that sends nothing.
    IpProtocol="icmp",
    FromPort=252,
    ToPort=86,
    CidrIp="255.255.255.255/32",
    Description="Disallow all traffic by default",
)


def add_security_group(
    template: Template, title: str, vpc_id, purpose: str, description: str, *, ingress=(), egress=()
) -> ec2.SecurityGroup:
    """A security group with its rules inline, where CloudFormation's drift compares them
    (it compares only the properties a template sets). A rule that would close a reference
    cycle (two groups naming each other) is added by ``allow_tcp`` as its own resource, to a
    group that declares no rule inline in that direction: CloudFormation's drift reports a
    separate resource's rule as drift of a group that declares inline rules in the same
    direction (https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1198).
    Egress is always inline: without a rule EC2 keeps its default allow-all egress."""
    properties = dict(
        GroupDescription=description,
        VpcId=vpc_id,
        SecurityGroupEgress=list(egress) or [NO_EGRESS],
        Tags=standard_tags(Name=physical_name("sg", purpose)),
    )
    if ingress:
        properties["SecurityGroupIngress"] = list(ingress)
    return template.add_resource(ec2.SecurityGroup(title, **properties))


def _tcp(port: int, description: str, cidr, peer, egress: bool) -> dict:
    rule = dict(IpProtocol="tcp", FromPort=port, ToPort=port, Description=description)
    if peer is not None:
        rule["DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"] = Ref(peer)
    else:
        rule["CidrIp"] = cidr
    return rule


def tcp_rule(port: int, description: str, *, cidr=None, peer=None, egress: bool = False) -> ec2.SecurityGroupRule:
    """One inline TCP rule from (or, with ``egress``, to) a CIDR or another group."""
    return ec2.SecurityGroupRule(**_tcp(port, description, cidr, peer, egress))


def allow_tcp(
    template: Template, title: str, group, port: int, description: str, *, cidr=None, peer=None, egress: bool = False
):
    """One TCP port into (or, with ``egress``, out of) ``group`` as its own resource: only for
    rules an inline one cannot be (a reference cycle, see ``add_security_group``)."""
    kind = ec2.SecurityGroupEgress if egress else ec2.SecurityGroupIngress
    return template.add_resource(kind(title, GroupId=Ref(group), **_tcp(port, description, cidr, peer, egress)))


def vpc_cidr_ref(mapping: str = CIDR_MAPPING) -> Select:
    return _cidr(0, mapping)


@dataclass(frozen=True)
class ImportedNetwork:
    """What a workload template reads from the network stack of its environment and region."""

    vpc_id: ImportValue
    vpc_cidr: ImportValue
    private_subnet_ids: Split
    data_subnet_ids: Split
    load_balancer_security_group: ImportValue
    application_security_group: ImportValue
    database_security_group: ImportValue
    replicated_data_key_arn: ImportValue


NETWORK_EXPORTS = {
    "VpcId": "Id of the VPC",
    "VpcCidr": "CIDR block of the VPC",
    "PrivateSubnetIds": "Comma-separated private subnet ids",
    "DataSubnetIds": "Comma-separated data subnet ids",
    "PrivateRouteTableIds": "Comma-separated route tables of the private subnets (one per availability zone)",
    "DataRouteTableId": "Route table of the data subnets",
    "LoadBalancerSecurityGroupId": "Security group of internal load balancers",
    "ApplicationSecurityGroupId": "Security group of application tasks and functions",
    "DatabaseSecurityGroupId": "Security group of databases and caches",
    "ReplicatedDataKeyArn": "CMK of the replicas of global tables in this region (readers need kms:Decrypt on it)",
}


def import_network() -> ImportedNetwork:
    def imported(output: str) -> ImportValue:
        return ImportValue(export_name(NETWORK_TEMPLATE, output))

    return ImportedNetwork(
        vpc_id=imported("VpcId"),
        vpc_cidr=imported("VpcCidr"),
        private_subnet_ids=Split(",", imported("PrivateSubnetIds")),
        data_subnet_ids=Split(",", imported("DataSubnetIds")),
        load_balancer_security_group=imported("LoadBalancerSecurityGroupId"),
        application_security_group=imported("ApplicationSecurityGroupId"),
        database_security_group=imported("DatabaseSecurityGroupId"),
        replicated_data_key_arn=imported("ReplicatedDataKeyArn"),
    )


def joined_ids(resources: list) -> Join:
    return Join(",", per_az([Ref(r) for r in resources]))
