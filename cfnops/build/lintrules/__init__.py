"""The organisation's own cfn-lint rules (E9001-E9006), loaded with ``append_rules``.

Each rule is a cfn-lint CloudFormationLintRule, so `cfn-lint --append-rules
cfnops/build/lintrules generated/*.json` runs them outside this tool too.
"""
