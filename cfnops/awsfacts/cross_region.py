"""Where a CloudFormation resource copies its data to, or lets in, another region.

Two kinds: properties that *name* a region (``REGION_PROPERTIES``, anywhere in a resource's
properties, e.g. a peering's ``PeerRegion`` or a global table replica's ``Region``), and
properties that replicate to a destination whose region the template need not show
(``REPLICATION``: a bucket ARN has no region, a global cluster is named, a multi-Region key
can be replicated anywhere). Read by the residency gate (cfnops/build/gate/residency.py).
"""

from __future__ import annotations

# Property names whose value is a region, at any depth of a resource's properties.
REGION_PROPERTIES = frozenset(
    {
        # DynamoDB global table replicas (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html),
        # Secrets Manager ReplicaRegions, ECR replication destinations
        "Region",
        "PeerRegion",  # VPC peering, transit gateway peering
        "SourceRegion",  # RDS cross-Region read replica
        "DestinationRegion",
    }
)

# (type, property) -> (what it does, the AWS page that says so)
REPLICATION = {
    ("AWS::S3::Bucket", "ReplicationConfiguration"): (
        "replicates objects to the buckets its rules name, by ARN, which carries no region",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html",
    ),
    ("AWS::KMS::Key", "MultiRegion"): (
        "makes a multi-Region key, whose key material can be replicated to any region",
        "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html",
    ),
    ("AWS::RDS::DBCluster", "GlobalClusterIdentifier"): (
        "joins an Aurora global database, whose clusters may be in any region",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html",
    ),
    ("AWS::RDS::DBCluster", "ReplicationSourceIdentifier"): (
        "replicates a source cluster, which may be in another region",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Replication.CrossRegion.html",
    ),
    ("AWS::RDS::DBInstance", "SourceDBInstanceIdentifier"): (
        "is a read replica of a source instance, which may be in another region",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html",
    ),
}

# Route targets that lead to another VPC or network (the rest: internet and NAT gateways,
# endpoints, local): https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-route.html
ROUTE_TO_OTHER_NETWORKS = ("VpcPeeringConnectionId", "TransitGatewayId", "CoreNetworkArn", "VpnGatewayId")
