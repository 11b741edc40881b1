"""Template ``network``: the VPC every workload of an environment and region runs in.

Public, private and data subnets across AzCount (2 or 3) zones; NAT per zone when
HighlyAvailableNat, else one; VPC flow logs to a KMS-encrypted log group; shared
security groups; everything a workload needs is exported as ``{env}-network-<Output>``.
"""

from __future__ import annotations

from troposphere import Equals, FindInMap, GetAtt, If, Not, NoValue, Output, Ref, Select, Template, ec2, kms

from .components import encryption, network
from .conventions import (
    ENVIRONMENT,
    REGIONS,
    add_exported_outputs,
    add_standard_parameters,
    region_title,
    suppress,
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
    """Load balancer <- VPC on 443/80; application <- load balancer; database <- application.
    Inline wherever no cycle forbids it (``network.add_security_group``): every group's egress
    and the load balancer's ingress; the application's and the database's ingress name the
    group that sends to them, which names them back, so those are their own resources."""
    peers = peer_rules(template)
    db = network.add_security_group(template, "DatabaseSecurityGroup", Ref(vpc), "data", "Databases and caches")
    app = network.add_security_group(
        template,
        "ApplicationSecurityGroup",
        Ref(vpc),
        "app",
        "Application tasks and functions",
        egress=[
            network.tcp_rule(HTTPS_PORT, "AWS APIs and registries over TLS", cidr="0.0.0.0/0", egress=True),
            network.tcp_rule(POSTGRES_PORT, "To PostgreSQL", peer=db, egress=True),
            network.tcp_rule(MYSQL_PORT, "To MySQL", peer=db, egress=True),
            *peers["application_egress"],
        ],
    )
    cidr = network.vpc_cidr_ref()
    lb = network.add_security_group(
        template,
        "LoadBalancerSecurityGroup",
        Ref(vpc),
        "alb",
        "Internal load balancers",
        ingress=[
            network.tcp_rule(HTTPS_PORT, "HTTPS from the VPC", cidr=cidr),
            network.tcp_rule(80, "HTTP from the VPC (redirected to HTTPS)", cidr=cidr),
            *peers["load_balancer_ingress"],
        ],
        egress=[network.tcp_rule(APPLICATION_PORT, "To application tasks", peer=app, egress=True)],
    )
    for group in (app, lb):  # the peer rules are under Fn::If, which checkov does not resolve
        suppress(group, "CKV_AWS_23", "every rule has a Description; checkov cannot read the ones under Fn::If")
    network.allow_tcp(template, "ApplicationFromLoadBalancer", app, APPLICATION_PORT, "From load balancers", peer=lb)
    network.allow_tcp(template, "DatabaseFromApplication", db, POSTGRES_PORT, "PostgreSQL from applications", peer=app)
    network.allow_tcp(template, "DatabaseMysqlFromApplication", db, MYSQL_PORT, "MySQL from applications", peer=app)
    for title, condition, cidr_of_peer, description in peers["database_ingress"]:
        rule = network.allow_tcp(template, title, db, POSTGRES_PORT, description, cidr=cidr_of_peer)
        rule.Condition = condition
    return {"LoadBalancerSecurityGroupId": lb, "ApplicationSecurityGroupId": app, "DatabaseSecurityGroupId": db}


def _peer_cidr(peer: str, index: int) -> Select:
    return Select(index, FindInMap(network.CIDR_MAPPING, peer, Ref(ENVIRONMENT)))


def peer_rules(template: Template) -> dict[str, list]:
    """What another region of the environment may reach over inter-region peering
    (network-peering creates the connections and routes; without them nothing arrives).
    Here, on the groups, because CloudFormation's drift detection reports a group's
    rules added from another stack as drift of the group. A group cannot reference a
    group of a peer VPC in another region, so the rules name CIDRs: only the peer's
    private subnets (tasks, functions, internal load balancers), only these ports:
      - HTTPS 443 into the internal load balancers: scoring calls fail over to another region;
      - PostgreSQL 5432 into the databases, and out of the applications to the peer's data
        subnets: Aurora global secondaries are read-only, writes reach the primary's writer.
    Per peer subnet: the third exists when that region spans three zones; its /20 is
    reserved for it either way. Inline rules exist in the other regions only (Fn::If);
    the database's ingress rules are resources (see add_security_groups): (title,
    condition, CIDR, description)."""
    found: dict[str, list] = {"load_balancer_ingress": [], "application_egress": [], "database_ingress": []}
    for peer in REGIONS:
        condition = f"IsNot{region_title(peer)}"
        template.add_condition(condition, Not(Equals(Ref("AWS::Region"), peer)))
        for az in range(network.MAX_AZS):
            private, data, suffix = (
                _peer_cidr(peer, PRIVATE_TIER_OFFSET + az),
                _peer_cidr(peer, DATA_TIER_OFFSET + az),
                f"{region_title(peer)}{az + 1}",
            )
            https = f"HTTPS from {peer} private subnet {az + 1} (cross-region scoring failover)"
            found["load_balancer_ingress"].append(
                If(condition, network.tcp_rule(HTTPS_PORT, https, cidr=private), NoValue)
            )
            writes = f"PostgreSQL to {peer} data subnet {az + 1} (writes to the primary region)"
            found["application_egress"].append(
                If(condition, network.tcp_rule(POSTGRES_PORT, writes, cidr=data, egress=True), NoValue)
            )
            found["database_ingress"].append(
                (
                    f"DatabasePostgresFrom{suffix}",
                    condition,
                    private,
                    f"PostgreSQL from {peer} private subnet {az + 1} (writes to the primary region)",
                )
            )
    return found


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
    add_outputs(template, vpc, tiers, groups, replicated_key)
    return template
