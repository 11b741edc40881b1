"""Template ``network``: the VPC every workload of an environment and region runs in.

Public, private and data subnets across AzCount (2 or 3) zones; NAT per zone when
HighlyAvailableNat, else one; VPC flow logs to a KMS-encrypted log group; shared
security groups; everything a workload needs is exported as ``{env}-network-<Output>``.
"""

from __future__ import annotations

from troposphere import Equals, FindInMap, GetAtt, Not, Output, Ref, Select, Template, ec2, kms

from .components import encryption, network
from .conventions import (
    ENVIRONMENT,
    REGIONS,
    add_exported_outputs,
    add_standard_parameters,
    region_title,
)

LOG_RETENTION_DAYS = network.LOG_RETENTION_DAYS
APPLICATION_PORT = 8080
POSTGRES_PORT = 5432
MYSQL_PORT = 3306
HTTPS_PORT = 443
PRIVATE_TIER_OFFSET = 1 + network.TIERS.index("private") * network.MAX_AZS  # in the NetworkCidrs lists
DATA_TIER_OFFSET = 1 + network.TIERS.index("data") * network.MAX_AZS


def add_parameters(template: Template) -> None:
    add_standard_parameters(template)
    for parameter in network.network_parameters():
        template.add_parameter(parameter)


def add_security_groups(template: Template, vpc: ec2.VPC) -> dict[str, ec2.SecurityGroup]:
    """Load balancer <- VPC on 443/80; application <- load balancer; database <- application."""
    lb = network.add_security_group(template, "LoadBalancerSecurityGroup", Ref(vpc), "alb", "Internal load balancers")
    app = network.add_security_group(
        template, "ApplicationSecurityGroup", Ref(vpc), "app", "Application tasks and functions"
    )
    db = network.add_security_group(template, "DatabaseSecurityGroup", Ref(vpc), "data", "Databases and caches")
    cidr = network.vpc_cidr_ref()
    network.allow_tcp(template, "LoadBalancerHttpsIngress", lb, 443, "HTTPS from the VPC", cidr=cidr)
    network.allow_tcp(template, "LoadBalancerHttpIngress", lb, 80, "HTTP from the VPC (redirected to HTTPS)", cidr=cidr)
    network.allow_tcp(
        template, "LoadBalancerToApplication", lb, APPLICATION_PORT, "To application tasks", peer=app, egress=True
    )
    network.allow_tcp(template, "ApplicationFromLoadBalancer", app, APPLICATION_PORT, "From load balancers", peer=lb)
    network.allow_tcp(
        template, "ApplicationHttpsEgress", app, 443, "AWS APIs and registries over TLS", cidr="0.0.0.0/0", egress=True
    )
    network.allow_tcp(template, "ApplicationToDatabase", app, POSTGRES_PORT, "To PostgreSQL", peer=db, egress=True)
    network.allow_tcp(template, "DatabaseFromApplication", db, POSTGRES_PORT, "PostgreSQL from applications", peer=app)
    network.allow_tcp(template, "ApplicationToMysql", app, MYSQL_PORT, "To MySQL", peer=db, egress=True)
    network.allow_tcp(template, "DatabaseMysqlFromApplication", db, MYSQL_PORT, "MySQL from applications", peer=app)
    return {"LoadBalancerSecurityGroupId": lb, "ApplicationSecurityGroupId": app, "DatabaseSecurityGroupId": db}


def _peer_cidr(peer: str, index: int) -> Select:
    return Select(index, FindInMap(network.CIDR_MAPPING, peer, Ref(ENVIRONMENT)))


def add_peer_rules(template: Template, groups: dict[str, ec2.SecurityGroup]) -> None:
    """What another region of the environment may reach over inter-region peering
    (network-peering creates the connections and routes; without them nothing arrives).
    Here, next to the groups, because CloudFormation's drift detection reports a group's
    rules added from another stack as drift of the group. A group cannot reference a
    group of a peer VPC in another region, so the rules name CIDRs: only the peer's
    private subnets (tasks, functions, internal load balancers), only these ports:
      - HTTPS 443 into the internal load balancers: scoring calls fail over to another region;
      - PostgreSQL 5432 into the databases, and out of the applications to the peer's data
        subnets: Aurora global secondaries are read-only, writes reach the primary's writer.
    Per peer subnet: the third exists when that region spans three zones; its /20 is
    reserved for it either way."""
    lb, app, db = (
        groups[name]
        for name in ("LoadBalancerSecurityGroupId", "ApplicationSecurityGroupId", "DatabaseSecurityGroupId")
    )
    for peer in REGIONS:
        condition = f"IsNot{region_title(peer)}"
        template.add_condition(condition, Not(Equals(Ref("AWS::Region"), peer)))
        for az in range(network.MAX_AZS):
            private, data, suffix = (
                _peer_cidr(peer, PRIVATE_TIER_OFFSET + az),
                _peer_cidr(peer, DATA_TIER_OFFSET + az),
                f"{region_title(peer)}{az + 1}",
            )
            rules = [
                (
                    ec2.SecurityGroupIngress,
                    f"LoadBalancerHttpsFrom{suffix}",
                    lb,
                    HTTPS_PORT,
                    private,
                    f"HTTPS from {peer} private subnet {az + 1} (cross-region scoring failover)",
                ),
                (
                    ec2.SecurityGroupIngress,
                    f"DatabasePostgresFrom{suffix}",
                    db,
                    POSTGRES_PORT,
                    private,
                    f"PostgreSQL from {peer} private subnet {az + 1} (writes to the primary region)",
                ),
                (
                    ec2.SecurityGroupEgress,
                    f"ApplicationPostgresTo{suffix}",
                    app,
                    POSTGRES_PORT,
                    data,
                    f"PostgreSQL to {peer} data subnet {az + 1} (writes to the primary region)",
                ),
            ]
            for kind, title, group, port, cidr, description in rules:
                template.add_resource(
                    kind(
                        title,
                        Condition=condition,
                        GroupId=Ref(group),
                        IpProtocol="tcp",
                        FromPort=port,
                        ToPort=port,
                        CidrIp=cidr,
                        Description=description,
                    )
                )


def add_replicated_data_key(template: Template) -> kms.Key:
    """The CMK of data replicated into this region (the replicas of DynamoDB global tables):
    alias/{env}-{region}-replicated-data. Here, because the network StackSet is in every
    region before any workload (depends_on): a global table created by the primary
    region's workload names every replica's key, which must exist in that replica's
    region first, before the secondary regions' own instances exist."""
    return encryption.add_kms_key(template, "ReplicatedDataKey", "replicated data")


def add_outputs(template: Template, vpc, tiers, groups, replicated_key) -> None:
    values = {
        "VpcId": Ref(vpc),
        "VpcCidr": network.vpc_cidr_ref(),
        "PrivateSubnetIds": network.joined_ids(tiers["private"].subnets),
        "DataSubnetIds": network.joined_ids(tiers["data"].subnets),
        "PrivateRouteTableIds": network.joined_ids(tiers["private"].route_tables),
        "DataRouteTableId": Ref(tiers["data"].route_tables[0]),
        **{name: Ref(group) for name, group in groups.items()},
        "ReplicatedDataKeyArn": GetAtt(replicated_key, "Arn"),
    }
    add_exported_outputs(
        template,
        "network",
        {name: (values[name], description) for name, description in network.NETWORK_EXPORTS.items()},
    )
    # not exported: cfnops reads it for network-peering (stacksets/network-peering.yaml, region_outputs)
    template.add_output(Output("AzCount", Description="Availability zones the subnet tiers span", Value=Ref("AzCount")))


def build() -> Template:
    template = Template(Description="Platform network: VPC, subnet tiers, NAT, flow logs, shared security groups")
    add_parameters(template)
    network.add_cidr_mapping(template)
    vpc, tiers = network.add_network(template)
    replicated_key = add_replicated_data_key(template)
    groups = add_security_groups(template, vpc)
    add_peer_rules(template, groups)
    add_outputs(template, vpc, tiers, groups, replicated_key)
    return template
