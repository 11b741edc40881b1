from cfnlint.rules import CloudFormationLintRule, RuleMatch

from cfnops.build.lintrules._walk import as_list, statements


class NoWildcardActions(CloudFormationLintRule):
    id = "E9005"
    shortdesc = "No wildcard IAM actions"
    description = (
        "Allow statements list their actions: no '*', no 'service:*', no partial wildcards; no NotAction. "
        "A Deny may name a whole service or '*': it only narrows what is allowed"
    )
    source_url = "https://github.com/fraud-platform/cfnops#conventions"
    tags = ["resources", "iam", "policy"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources().items():
            for statement, path in statements(resource.get("Properties") or {}, ["Resources", name, "Properties"]):
                if "NotAction" in statement:
                    matches.append(
                        RuleMatch(path + ["NotAction"], f"{name}: NotAction grants everything else; list actions")
                    )
                if statement.get("Effect") == "Deny":
                    continue
                for action in as_list(statement.get("Action", [])):
                    if isinstance(action, str) and "*" in action:
                        matches.append(RuleMatch(path + ["Action"], f"{name}: wildcard action {action!r}"))
        return matches
