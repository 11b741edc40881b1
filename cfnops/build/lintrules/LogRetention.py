from cfnlint.rules import CloudFormationLintRule, RuleMatch


class LogRetention(CloudFormationLintRule):
    id = "E9003"
    shortdesc = "Log groups set a retention"
    description = "Every log group sets RetentionInDays: logs neither vanish early nor pile up forever"
    source_url = "https://github.com/fraud-platform/cfnops#conventions"
    tags = ["resources", "logs", "policy"]

    def match(self, cfn):
        return [
            RuleMatch(["Resources", name, "Properties"], f"{name} sets no RetentionInDays")
            for name, resource in cfn.get_resources(["AWS::Logs::LogGroup"]).items()
            if "RetentionInDays" not in (resource.get("Properties") or {})
        ]
