from cfnlint.rules import CloudFormationLintRule, RuleMatch

SOURCE_KEYS = ("SourceArn", "SourceAccount")


class LambdaPermissionSource(CloudFormationLintRule):
    id = "E9006"
    shortdesc = "Lambda permissions to a service name their source"
    description = (
        "A permission for an AWS service principal sets SourceArn and SourceAccount: without the source, "
        "other accounts could configure resources in theirs to invoke the function (Lambda AddPermission)"
    )
    source_url = "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html"
    tags = ["resources", "lambda", "policy"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources(["AWS::Lambda::Permission"]).items():
            properties = resource.get("Properties") or {}
            principal = properties.get("Principal")
            if isinstance(principal, dict):
                principal = principal.get("Fn::Sub")  # e.g. logs.${AWS::Region}.amazonaws.com
            if not (isinstance(principal, str) and principal.endswith(".amazonaws.com")):
                continue  # an account or organization principal: no source to name
            missing = [key for key in SOURCE_KEYS if key not in properties]
            if missing:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties"], f"{name} grants {principal} without {', '.join(missing)}"
                    )
                )
        return matches
