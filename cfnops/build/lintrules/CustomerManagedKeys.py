from cfnlint.rules import CloudFormationLintRule, RuleMatch

from cfnops.build.lintrules._walk import as_list, get

# type -> (properties that must be true or a given value, the property naming the key)
REQUIREMENTS = {
    "AWS::RDS::DBCluster": ({"StorageEncrypted": True}, ("KmsKeyId",)),
    "AWS::DynamoDB::Table": ({("SSESpecification", "SSEEnabled"): True}, ("SSESpecification", "KMSMasterKeyId")),
    "AWS::DynamoDB::GlobalTable": ({("SSESpecification", "SSEType"): "KMS"}, None),
    "AWS::S3::Bucket": ({}, None),
    "AWS::SNS::Topic": ({}, ("KmsMasterKeyId",)),
    "AWS::SQS::Queue": ({}, ("KmsMasterKeyId",)),
    "AWS::Logs::LogGroup": ({}, ("KmsKeyId",)),
    "AWS::Kinesis::Stream": ({("StreamEncryption", "EncryptionType"): "KMS"}, ("StreamEncryption", "KeyId")),
    "AWS::SecretsManager::Secret": ({}, ("KmsKeyId",)),
    "AWS::ElastiCache::ReplicationGroup": ({"AtRestEncryptionEnabled": True}, ("KmsKeyId",)),
    "AWS::EFS::FileSystem": ({"Encrypted": True}, ("KmsKeyId",)),
}


def _path(key):
    return key if isinstance(key, tuple) else (key,)


def _aws_managed(value: object) -> bool:
    return isinstance(value, str) and value.startswith("alias/aws/")


class CustomerManagedKeys(CloudFormationLintRule):
    id = "E9002"
    shortdesc = "Data stores use customer-managed KMS keys"
    description = "Databases, tables, buckets, topics, queues, streams, log groups and secrets are encrypted with a CMK"
    source_url = "https://github.com/fraud-platform/cfnops#conventions"
    tags = ["resources", "encryption", "policy"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources().items():
            kind = resource.get("Type")
            properties = resource.get("Properties") or {}
            if kind == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in properties:
                kind = "AWS::RDS::DBCluster"  # a standalone instance stores data itself
            if kind not in REQUIREMENTS:
                continue
            for problem, path in self._problems(kind, properties):
                matches.append(RuleMatch(["Resources", name, "Properties", *path], f"{name}: {problem}"))
        return matches

    def _problems(self, kind, properties):
        required, key_path = REQUIREMENTS[kind]
        for key, expected in required.items():
            if get(properties, *_path(key)) != expected:
                yield f"{'.'.join(_path(key))} must be {expected}", list(_path(key))
        if kind == "AWS::S3::Bucket":
            yield from self._bucket(properties)
        elif kind == "AWS::DynamoDB::GlobalTable":
            for index, replica in enumerate(as_list(properties.get("Replicas") or [])):
                if get(replica, "SSESpecification", "KMSMasterKeyId") is None:
                    yield "every replica needs SSESpecification.KMSMasterKeyId", ["Replicas", index]
        elif key_path is not None:
            key = get(properties, *key_path)
            if key is None:
                yield f"{'.'.join(key_path)} must name a customer-managed KMS key", list(key_path)
            elif _aws_managed(key):
                yield f"{'.'.join(key_path)} is an AWS-managed key ({key}); use a customer-managed key", list(key_path)

    def _bucket(self, properties):
        rules = get(properties, "BucketEncryption", "ServerSideEncryptionConfiguration")
        defaults = [get(rule, "ServerSideEncryptionByDefault") for rule in as_list(rules or [])]
        if not any(
            get(d, "SSEAlgorithm") in ("aws:kms", "aws:kms:dsse")
            and get(d, "KMSMasterKeyID")
            and not _aws_managed(get(d, "KMSMasterKeyID"))
            for d in defaults
        ):
            yield "BucketEncryption must use aws:kms with a customer-managed KMSMasterKeyID", ["BucketEncryption"]
