"""Template ``network-peering``: VPC peering between one environment's regions.

The same template runs in every region. For each other region P of the platform it
either requests a peering connection to P's VPC (parameter ``PeerVpcId<P>`` set), or
accepts the one P requested (``PeeringConnectionId<P>`` set: routes only, the
connection itself belongs to P's stack), or does nothing (both empty). cfnops fills
these from the other regions' stack outputs (stacksets/network-peering.yaml,
``region_outputs``): the earlier region of the StackSet's list requests, so every pair
is peered exactly once. Same account only: AWS accepts a same-account peering without
a peer role, cross-account needs one (PeerRoleArn), which we do not manage.

Routes to P's /16 go into the private and data route tables only (the public tier
stays internet-facing only). The security group rules for peers live in the network
template, next to their groups (network.add_peer_rules): a group's rules added from
another stack are reported as drift of the group by CloudFormation's drift detection.
"""

from __future__ import annotations

from troposphere import (
    And,
    Condition,
    Equals,
    FindInMap,
    If,
    ImportValue,
    Not,
    Or,
    Output,
    Parameter,
    Ref,
    Select,
    Split,
    Template,
    ec2,
)

from .components import network
from .conventions import (
    ENVIRONMENT,
    REGIONS,
    add_standard_parameters,
    export_name,
    physical_name,
    region_title,
    standard_tags,
)


def peer_vpc_parameter(peer: str) -> str:
    return f"PeerVpcId{region_title(peer)}"


def peering_id_parameter(peer: str) -> str:
    return f"PeeringConnectionId{region_title(peer)}"


def peering_output(peer: str) -> str:
    return f"PeeringConnectionId{region_title(peer)}"


def _imported(output: str) -> ImportValue:
    return ImportValue(export_name(network.NETWORK_TEMPLATE, output))


def _peer_cidr(peer: str, index: int) -> Select:
    return Select(index, FindInMap(network.CIDR_MAPPING, peer, Ref(ENVIRONMENT)))


def add_parameters(template: Template) -> None:
    add_standard_parameters(template)
    template.add_parameter(
        Parameter(
            "AzCount",
            Type="Number",
            AllowedValues=[2, 3],
            Default=2,
            Description="Availability zones of this region's network (its private route tables); set by cfnops from the network stack",
        )
    )
    for peer in REGIONS:
        template.add_parameter(
            Parameter(
                peer_vpc_parameter(peer),
                Type="String",
                Default="",
                AllowedPattern=r"^(vpc-[0-9a-f]{8,17})?$",
                Description=f"VPC of {peer} to request a peering connection to (empty: none); set by cfnops",
            )
        )
        template.add_parameter(
            Parameter(
                peering_id_parameter(peer),
                Type="String",
                Default="",
                AllowedPattern=r"^(pcx-[0-9a-f]{8,17})?$",
                Description=f"Peering connection {peer} requested to this region (empty: none); set by cfnops",
            )
        )


def add_conditions(template: Template, peer: str) -> dict[str, str]:
    title = region_title(peer)
    names = {
        "requests": f"Requests{title}",
        "accepts": f"Accepts{title}",
        "peers": f"Peers{title}",
        "third_az": f"Peers{title}ThirdAz",
    }
    template.add_condition(names["requests"], Not(Equals(Ref(peer_vpc_parameter(peer)), "")))
    template.add_condition(names["accepts"], Not(Equals(Ref(peering_id_parameter(peer)), "")))
    template.add_condition(names["peers"], Or(Condition(names["requests"]), Condition(names["accepts"])))
    template.add_condition(names["third_az"], And(Condition(names["peers"]), Condition(network.THREE_AZS)))
    return names


def add_rules(template: Template) -> None:
    """CloudFormation refuses, before any resource, a region that peers with itself or
    both requests and accepts the same peer."""
    for peer in REGIONS:
        title = region_title(peer)
        vpc, pcx = Ref(peer_vpc_parameter(peer)), Ref(peering_id_parameter(peer))
        template.add_rule(
            f"NotPeeredWithItself{title}",
            {
                "RuleCondition": Equals(Ref("AWS::Region"), peer),
                "Assertions": [
                    {
                        "Assert": And(Equals(vpc, ""), Equals(pcx, "")),
                        "AssertDescription": f"{peer} cannot peer with itself",
                    }
                ],
            },
        )
        template.add_rule(
            f"OneSideOnly{title}",
            {
                "Assertions": [
                    {
                        "Assert": Or(Equals(vpc, ""), Equals(pcx, "")),
                        "AssertDescription": f"either request a peering to {peer} or accept its request, not both",
                    }
                ],
            },
        )


def add_peering(template: Template, peer: str, conditions: dict[str, str]):
    """The connection (requester side) and the id the routes use on either side."""
    connection = template.add_resource(
        ec2.VPCPeeringConnection(
            f"PeeringConnection{region_title(peer)}",
            Condition=conditions["requests"],
            VpcId=_imported("VpcId"),
            PeerVpcId=Ref(peer_vpc_parameter(peer)),
            PeerRegion=peer,
            Tags=standard_tags(Name=physical_name("pcx", peer)),
        )
    )
    template.add_output(
        Output(
            peering_output(peer),
            Condition=conditions["requests"],
            Value=Ref(connection),
            Description=f"Peering connection to {peer}, which its stack routes through",
        )
    )
    return If(conditions["requests"], Ref(connection), Ref(peering_id_parameter(peer)))


def add_routes(template: Template, peer: str, conditions: dict[str, str], peering_id) -> None:
    """The peer's /16 through the peering, in every private route table and the data one."""
    title, destination = region_title(peer), _peer_cidr(peer, 0)
    private_tables = Split(",", _imported("PrivateRouteTableIds"))
    for az in range(network.MAX_AZS):
        template.add_resource(
            ec2.Route(
                f"PrivateRouteTo{title}{az + 1}",
                Condition=conditions["third_az"] if az == 2 else conditions["peers"],
                RouteTableId=Select(az, private_tables),
                DestinationCidrBlock=destination,
                VpcPeeringConnectionId=peering_id,
            )
        )
    template.add_resource(
        ec2.Route(
            f"DataRouteTo{title}",
            Condition=conditions["peers"],
            RouteTableId=_imported("DataRouteTableId"),
            DestinationCidrBlock=destination,
            VpcPeeringConnectionId=peering_id,
        )
    )


def build() -> Template:
    template = Template(
        Description="Inter-region VPC peering of an environment: connections, routes, security group rules"
    )
    add_parameters(template)
    network.add_cidr_mapping(template)
    template.add_condition(network.THREE_AZS, Equals(Ref("AzCount"), "3"))
    add_rules(template)
    for peer in REGIONS:
        conditions = add_conditions(template, peer)
        peering_id = add_peering(template, peer, conditions)
        add_routes(template, peer, conditions, peering_id)
    return template
