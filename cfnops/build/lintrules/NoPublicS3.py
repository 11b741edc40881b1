from cfnlint.rules import CloudFormationLintRule, RuleMatch

from cfnops.build.lintrules._walk import as_list, get, statements

BLOCKS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
PUBLIC_ACLS = ("PublicRead", "PublicReadWrite", "AuthenticatedRead")


def _everyone(principal: object) -> bool:
    return principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS")))


class NoPublicS3(CloudFormationLintRule):
    id = "E9004"
    shortdesc = "No public S3"
    description = "Buckets block all public access, grant no public ACL and no unconditional access to everyone"
    source_url = "https://github.com/fraud-platform/cfnops#conventions"
    tags = ["resources", "s3", "policy"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources(["AWS::S3::Bucket"]).items():
            properties = resource.get("Properties") or {}
            block = properties.get("PublicAccessBlockConfiguration") or {}
            off = [key for key in BLOCKS if get(block, key) is not True]
            if off:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "PublicAccessBlockConfiguration"],
                        f"{name}: public access not blocked ({', '.join(off)} must be true)",
                    )
                )
            if properties.get("AccessControl") in PUBLIC_ACLS:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "AccessControl"],
                        f"{name}: public ACL {properties['AccessControl']}",
                    )
                )
        for name, resource in cfn.get_resources(["AWS::S3::BucketPolicy"]).items():
            for statement, path in statements(resource.get("Properties") or {}, ["Resources", name, "Properties"]):
                if (
                    statement.get("Effect") == "Allow"
                    and _everyone(statement.get("Principal"))
                    and "Condition" not in statement
                ):
                    matches.append(RuleMatch(path, f"{name}: allows everyone (Principal *) without a condition"))
        return matches
